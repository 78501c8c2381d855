/**
 * @file A PyTorch nn.LSTM state dict (test/fixtures/torch-lstm.safetensors, written offline by
 * scripts/golden/lstm_state_dict.py with torch 1.13) loads into nn.LSTM under its own names with a
 * strict loadStateDict and gives PyTorch's outputs and final states, for full-length input and for a
 * packed variable-length batch (lengths stored as I64, loaded as int32); then the model round-trips
 * through io.saveModel / io.loadModel unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { io, nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

const FIXTURE = new URL('../../test/fixtures/torch-lstm.safetensors', import.meta.url);
// float32 on both sides; only the summation order differs.
const TOL = { atol: 2e-6, rtol: 1e-5 };

describe('loading a PyTorch nn.LSTM', () => {
  const { tensors } = io.decodeSafetensors(new Uint8Array(readFileSync(FIXTURE)));
  const state = new Map([...tensors].filter(([k]) => !k.startsWith('expected.') && k !== 'input' && k !== 'lengths'));
  const x = tensors.get('input')!;
  const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: 'float32' });

  it('loads strictly under PyTorch names (weight_ih_l0 ... bias_hh_l1_reverse) and matches its outputs', () => {
    assert.equal(state.size, 16);
    const r = lstm.loadStateDict(state, { strict: true });
    assert.deepEqual([r.missingKeys, r.unexpectedKeys], [[], []]);
    const [y, [h, c]] = lstm.forward(x);
    assertClose(y, tensors.get('expected.output')!.values, TOL, 'output');
    assertClose(h, tensors.get('expected.h_n')!.values, TOL, 'h_n');
    assertClose(c, tensors.get('expected.c_n')!.values, TOL, 'c_n');
  });

  it('packed lengths (int32 from I64) match pack_padded_sequence / pad_packed_sequence', () => {
    const lengths = tensors.get('lengths')!;
    assert.equal(lengths.dtype, 'int32');
    const [y, [h, c]] = lstm.forward(x, null, { lengths });
    assertClose(y, tensors.get('expected.packed_output')!.values, TOL, 'packed output');
    assertClose(h, tensors.get('expected.packed_h_n')!.values, TOL, 'packed h_n');
    assertClose(c, tensors.get('expected.packed_c_n')!.values, TOL, 'packed c_n');
  });

  it('round-trips through io.saveModel / io.loadModel', async () => {
    const back = (await io.loadModel(io.saveModel(lstm))).model as nn.LSTM;
    assert.deepEqual(back.getConfig(), lstm.getConfig());
    const [a] = lstm.forward(x);
    const [b] = back.forward(x);
    assertClose(b, a.values, { atol: 0, rtol: 0 });
    assert.ok(back instanceof nn.LSTM && px.isFloat(back.stateDict().get('weight_ih_l0')!.dtype));
  });
});

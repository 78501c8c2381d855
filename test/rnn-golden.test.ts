/**
 * @file nn.RNN / nn.LSTM / nn.GRU and the cells against PyTorch (test/golden/recurrent.json, written
 * offline by scripts/golden/modules_recurrent.py): each module is rebuilt with nn.fromConfig, loaded
 * with PyTorch's state dict, run on the same input and initial states (and `lengths` for the packed
 * cases); the output, final states and the gradients of the input, the initial states and every
 * parameter must match to 1e-10 in float64, and to 1e-5 after converting everything to float32.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; dtype: 'float64'; values: number[] }
interface Case {
  config: nn.ModuleConfig; state: Record<string, Arr>; input: Arr; h0?: Arr; c0?: Arr; lengths?: number[];
  outputs: Record<string, Arr>; upstream: Record<string, Arr>; grads: Record<string, Arr>;
}

const golden = JSON.parse(readFileSync(new URL('../../test/golden/recurrent.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };
const toTensor = (a: Arr, dtype: 'float32' | 'float64'): px.Tensor => px.tensor(a.values, { dtype, shape: a.shape });

function run(c: Case, dtype: 'float32' | 'float64', tol: { atol: number; rtol: number }, name: string): void {
  const model = nn.fromConfig({ ...c.config, dtype });
  model.loadStateDict(new Map(Object.entries(c.state).map(([k, a]) => [k, toTensor(a, dtype)])));
  assert.deepEqual([...model.stateDict().keys()], Object.keys(c.state), `${name}: state-dict keys in PyTorch's order`);
  const x = toTensor(c.input, dtype).requiresGrad_();
  const h0 = c.h0 ? toTensor(c.h0, dtype).requiresGrad_() : null;
  const c0 = c.c0 ? toTensor(c.c0, dtype).requiresGrad_() : null;
  const isCell = c.config.type.endsWith('Cell');
  const isLstm = c.config.type.startsWith('LSTM');
  const hx = isLstm ? (h0 ? [h0, c0!] : null) : h0;
  const opts = c.lengths ? { lengths: c.lengths } : undefined;
  const m = model as unknown as { forward: (...a: unknown[]) => unknown };
  const y = (opts ? m.forward(x, hx, opts) : m.forward(x, hx)) as unknown;
  const outs: Record<string, px.Tensor> = {};
  if (isCell) {
    if (isLstm) [outs.hN, outs.cN] = y as [px.Tensor, px.Tensor];
    else outs.hN = y as px.Tensor;
  } else if (isLstm) {
    const [o, [hN, cN]] = y as [px.Tensor, [px.Tensor, px.Tensor]];
    Object.assign(outs, { output: o, hN, cN });
  } else {
    const [o, hN] = y as [px.Tensor, px.Tensor];
    Object.assign(outs, { output: o, hN });
  }
  assert.deepEqual(Object.keys(outs).sort(), Object.keys(c.outputs).sort(), `${name}: outputs`);
  let loss: px.Tensor | null = null;
  for (const [k, want] of Object.entries(c.outputs)) {
    assert.deepEqual(outs[k]!.shape, want.shape, `${name}: ${k} shape`);
    assertClose(outs[k]!, want.values, tol, `${name}: ${k}`);
    const term = px.sum(px.mul(outs[k]!, toTensor(c.upstream[k]!, dtype)));
    loss = loss ? px.add(loss, term) : term;
  }
  loss!.backward();
  const leaves: Record<string, px.Tensor | null> = { input: x, h0, c0 };
  for (const [k, want] of Object.entries(c.grads)) {
    const t = k in leaves ? leaves[k]! : new Map(model.namedParameters()).get(k)!;
    assert.ok(t?.grad, `${name}: no gradient for ${k}`);
    assertClose(t.grad, want.values, tol, `${name}: d/d${k}`);
  }
  assert.deepEqual(model.namedParameters().map(([k]) => k).sort(), Object.keys(c.grads).filter((k) => !(k in leaves)).sort(), `${name}: parameter keys`);
}

describe('recurrent modules vs PyTorch golden numbers', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    it(`${name} (float64, 1e-10)`, () => run(c, 'float64', { atol: 1e-10, rtol: 1e-10 }, name));
    it(`${name} (float32, 1e-5)`, () => run(c, 'float32', { atol: 1e-5, rtol: 1e-5 }, name));
  }
});

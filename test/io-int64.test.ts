/**
 * @file int64 in safetensors (issue 10 item 4): PyTorch stores integer buffers and labels as I64
 * (BatchNorm's num_batches_tracked, class ids). plexus has no int64: an I64 tensor loads as int32
 * when every value fits, with no option, and a value outside int32 is an error naming the tensor,
 * the element and the value. Writing int32 tensors as I64 (`intDType: 'I64'`) gives PyTorch the
 * int64 its load_state_dict expects. The golden file test/fixtures/torch-int64.safetensors was
 * written by PyTorch (scripts/golden/int64_state_dict.py); the reverse direction runs through
 * /usr/bin/python3 with torch when installed and is skipped, with the reason printed, when not.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as px from '../src/node.js';
import { io, nn } from '../src/node.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/torch-int64.safetensors', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/golden/int64_state_dict.py', import.meta.url));
const arr = (t: px.Tensor): number[] => Array.from(t.values);

/** A safetensors buffer with one tensor `name` of dtype I64 holding `values`, built by hand. */
function i64File(name: string, values: bigint[]): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ [name]: { dtype: 'I64', shape: [values.length], data_offsets: [0, 8 * values.length] } }).padEnd(64, ' '));
  const out = new Uint8Array(8 + header.length + 8 * values.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  values.forEach((v, i) => dv.setBigInt64(8 + header.length + 8 * i, v, true));
  return out;
}

function torchAvailable(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'pipe' });
    return null;
  } catch {
    return '/usr/bin/python3 has no torch (apt-get install python3-torch); the PyTorch-side load did not run';
  }
}

describe('I64 tensors from PyTorch', () => {
  it('a PyTorch BatchNorm1d state dict loads as it is: num_batches_tracked and labels become int32', () => {
    const { tensors } = io.decodeSafetensors(new Uint8Array(readFileSync(FIXTURE)));
    const parsed = io.parseSafetensors(new Uint8Array(readFileSync(FIXTURE)));
    assert.equal(parsed.tensors.get('bn.num_batches_tracked')!.dtype, 'I64');
    assert.equal(parsed.tensors.get('labels')!.dtype, 'I64');
    const count = tensors.get('bn.num_batches_tracked')!;
    assert.equal(count.dtype, 'int32');
    assert.deepEqual(count.shape, []);
    assert.deepEqual(arr(count), [2]);
    assert.deepEqual(arr(tensors.get('labels')!), [0, 2, 1, 7, 2147483647, -2147483648]);

    const bn = new nn.BatchNorm1d(3);
    const sd = new Map([...tensors].filter(([k]) => k.startsWith('bn.')).map(([k, t]) => [k.slice(3), t]));
    bn.loadStateDict(sd);
    assert.deepEqual(arr(bn.numBatchesTracked!), [2]);
    assert.deepEqual(arr(bn.runningMean!), arr(tensors.get('bn.running_mean')!));
  });

  it('an I64 value outside int32 is an error naming the tensor, the element and the value', () => {
    const bytes = i64File('labels', [1n, -(2n ** 31n) - 1n]);
    assert.throws(() => io.decodeSafetensors(bytes), (e: unknown) => {
      assert.ok(e instanceof px.ModelFormatError);
      assert.equal(e.code, 'INEXACT_CONVERSION');
      for (const s of ['"labels"', 'element 1', '-2147483649', 'int32']) assert.ok(e.message.includes(s), `${e.message} lacks ${s}`);
      return true;
    });
    assert.deepEqual(arr(io.decodeSafetensors(bytes, { convert: true, dtype: 'float64' }).tensors.get('labels')!), [1, -(2 ** 31) - 1]);
  });

  it('a state dict with I64 where the model has int32 passes checkTensorSpecs without convert', () => {
    const file = io.parseSafetensors(i64File('n', [5n]));
    io.checkTensorSpecs(file, new Map([['n', { shape: [1], dtype: 'int32' as const }]]));
    assert.throws(() => io.checkTensorSpecs(file, new Map([['n', { shape: [1], dtype: 'float32' as const }]])), /STATE_MISMATCH|is I64 in the file/);
  });
});

describe('writing int32 as I64 for PyTorch', () => {
  it('intDType I64 writes sign-extended int64 that plexus reads back as the same int32', () => {
    const labels = px.tensor([0, -1, 2147483647, -2147483648], { dtype: 'int32' });
    const w = px.tensor([1.5, -2], { dtype: 'float32' });
    const bytes = io.serializeSafetensors(new Map([['labels', labels], ['w', w]]), undefined, { intDType: 'I64' });
    const file = io.parseSafetensors(bytes);
    assert.equal(file.tensors.get('labels')!.dtype, 'I64');
    assert.equal(file.tensors.get('w')!.dtype, 'F32');
    const dv = new DataView(file.tensors.get('labels')!.bytes.buffer, file.tensors.get('labels')!.bytes.byteOffset, 32);
    assert.deepEqual([0, 1, 2, 3].map((i) => dv.getBigInt64(8 * i, true)), [0n, -1n, 2147483647n, -2147483648n]);
    assert.deepEqual(arr(io.decodeSafetensors(bytes).tensors.get('labels')!), [0, -1, 2147483647, -2147483648]);
    // Default: I32, as before.
    assert.equal(io.parseSafetensors(io.serializeSafetensors(new Map([['labels', labels]]))).tensors.get('labels')!.dtype, 'I32');
  });

  it('a bad intDType is a ValueError naming the allowed values', () => {
    assert.throws(() => io.serializeSafetensors(new Map([['a', px.zeros([1])]]), undefined, { intDType: 'int64' as never }), (e: unknown) => {
      assert.ok(e instanceof px.ValueError);
      assert.match(e.message, /intDType must be 'I32' or 'I64', got "int64"/);
      return true;
    });
  });

  it('a BatchNorm1d state dict written with intDType I64 loads in PyTorch (load_state_dict, strict)', async (t) => {
    const missing = torchAvailable();
    if (missing) {
      console.log(`io-int64: skipped: ${missing}`);
      t.skip(missing);
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'plexus-int64-'));
    try {
      const bn = new nn.BatchNorm1d(3);
      bn.train();
      bn.forward(px.randn([8, 3]));
      const sd = new Map([...bn.stateDict()].map(([k, v]) => [`bn.${k}`, v]));
      const file = path.join(dir, 'bn.safetensors');
      await io.saveSafetensors(file, sd, undefined, { intDType: 'I64' });
      const out = JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT, '--load', file], { encoding: 'utf8' })) as Record<string, { dtype: string; values: number[] }>;
      assert.equal(out['bn.num_batches_tracked']!.dtype, 'torch.int64');
      assert.deepEqual(out['bn.num_batches_tracked']!.values, [1]);
      assert.equal(out['bn.running_mean']!.dtype, 'torch.float32');
      assert.deepEqual(out['bn.running_mean']!.values, arr(bn.runningMean!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

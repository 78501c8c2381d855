/**
 * @file The wasm backend's float32 permute: permutes that are batched 2-D transposes after merging
 * dims run the blocked wasm transpose (assembly/movement.as), the rest the js strided copy; both
 * must equal the reference bit for bit (NaN payloads included), at sizes with 4×4 edges.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { transposeShape } from '../src/backends/wasm/kernels/movement.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);

const CASES: [number[], number[], [number, number, number] | null][] = [
  [[2, 49, 64], [0, 2, 1], [2, 49, 64]], // MLP-Mixer's token mixing
  [[2, 64, 49], [0, 2, 1], [2, 64, 49]],
  [[5, 7], [1, 0], [1, 5, 7]],
  [[3, 4, 5], [0, 2, 1], [3, 4, 5]],
  [[1, 9, 6], [0, 2, 1], [1, 9, 6]],
  [[2, 3, 4], [2, 0, 1], [1, 6, 4]], // out[k, (i, j)] = x[(i, j), k]
  [[2, 3, 4, 5], [0, 1, 3, 2], [6, 4, 5]],
  [[2, 3, 4], [1, 0, 2], null], // not a transpose: the js copy
  [[2, 3, 4], [0, 1, 2], null],
  [[4, 1, 3], [2, 1, 0], [1, 4, 3]],
];

describe('wasm float32 permute (blocked transpose where it applies) vs the reference, bitwise', () => {
  for (const [shape, perm, t] of CASES) {
    it(`${JSON.stringify(shape)} perm ${JSON.stringify(perm)}: ${t ? `transpose [B, Q, P] = ${JSON.stringify(t)}` : 'js copy'}`, () => {
      assert.deepEqual(transposeShape(shape, perm), t);
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: n }, (_, i) => i * 1.25 - 7);
      const bits = new Uint32Array(x.buffer);
      bits[n >> 1] = 0x7fc01234; // a NaN with a payload: copied, not computed
      const run = (b: string): Uint32Array => on(b, () => new Uint32Array(Float32Array.from(px.permute(px.tensor(x, { shape }), perm).values).buffer));
      const a = run('wasm');
      const e = run('reference');
      assert.equal(a.length, e.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) assert.fail(`[${i}] wasm 0x${a[i]!.toString(16)}, reference 0x${e[i]!.toString(16)}`);
    });
  }
});

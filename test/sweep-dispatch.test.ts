/**
 * @file A sweep that falls due at an op must not change what the op computes: the dispatcher runs
 * it before bringing swept-out inputs back (core/dispatch.ts), so the kernel always gets its inputs
 * in backend memory. Before, the output's allocation ran the sweep after the inputs were checked,
 * the wasm GEMM found them in host copies and fell back to the float64 reference loop, whose float32
 * rounding differs: a result depended on when a sweep fell due (seen as a wasm-pool test failing
 * only after other tests had run).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { on } from './backend-compare.js';

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.37) * 2);

describe('sweep due at an op (dispatch)', () => {
  it('a matmul whose output allocation would sweep its inputs out gives the wasm kernel result', () => {
    const run = (): { out: Float32Array; swept: boolean } => on('wasm', () => {
      const a = px.tensor(values(64 * 48, 1), { shape: [64, 48] });
      const b = px.tensor(values(48 * 40, 2), { shape: [48, 40] });
      px.tensor([0]); // a third young tensor: with count 2, a sweep is due at the next allocation
      const sweeps = px.memory().sweeps;
      const out = px.matmul(a, b).values.slice() as Float32Array;
      return { out, swept: px.memory().sweeps > sweeps };
    });
    px.sweep();
    const calm = run(); // default thresholds: no sweep due
    px.setSweepThresholds({ count: 2 });
    let pressed: { out: Float32Array; swept: boolean };
    try {
      px.sweep();
      pressed = run();
    } finally {
      px.setSweepThresholds({ count: 1024 });
    }
    assert.equal(calm.swept, false);
    assert.equal(pressed.swept, true, 'the sweep ran during the op (else this test checks nothing)');
    assert.deepEqual(pressed.out, calm.out);
  });
});

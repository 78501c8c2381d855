/**
 * @file Shared by the analysis tests: `readOnly(model, fn)` runs an analysis call and asserts that the
 * model's parameters, buffers, gradients and training flags are exactly as before.
 */
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import type { nn } from '../src/index.js';

const snapshot = (m: nn.Module): { state: number[][]; grads: (number[] | null)[]; flags: boolean[] } => ({
  state: [...m.stateDict().values()].map((t) => Array.from(t.values as Float64Array)),
  grads: m.parameters().map((p) => (p.grad ? Array.from(p.grad.values as Float64Array) : null)),
  flags: m.modules().map((x) => x.training),
});

/**
 * Runs fn and checks the model's parameters, buffers, gradients and flags did not change. Parameters
 * without a gradient get one first (a filled tensor), so a call that wrote or cleared `.grad` shows.
 */
export function readOnly<R>(m: nn.Module, fn: () => R): R {
  for (const p of m.parameters()) if (p.grad === null) p.grad = px.full(p.shape, 0.25, { dtype: p.dtype });
  const before = snapshot(m);
  const r = fn();
  assert.deepEqual(snapshot(m), before, 'analysis changed the model');
  return r;
}


/**
 * @file Comparing an optimized backend with the float64 reference, case by case of the op table
 * (used by backends.test.ts and wasm-pool.test.ts). Tolerances from docs/reliability.md "Tolerances": the
 * float32 elementwise row, widened for ops that sum K terms by the length-scaled bound
 * 2·K·u·Σ|terms|. Gradients are compared the same way (backward of <out, w> for a fixed positive
 * cotangent w), so the kernels are also exercised through every vjp.
 */
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import type { OpCase, OpRow } from '../src/testing/index.js';

const U = 2 ** -24;
const F32 = { rtol: 1.3e-6, atol: 1e-5 };

/**
 * Rows whose outputs are sums of many rounded terms: the allowance is 2·K·u·S, where K is the
 * largest input size (a bound on any summation length in the op) and S the same op on |inputs| in
 * float64, which is Σ|terms| for these linear ops.
 */
const LINEAR_SUMS = new Set(['sum', 'mean', 'matmul', 'sparseLinear', 'sampledMatmul']);
/**
 * Composites that chain reductions with exp/log/div (softmax, losses, variance): no closed-form
 * Σ|terms|, so the allowance is relative, 2·(K+8)·u·|expected| (K for the sum, 8 ulp for the
 * elementwise steps around it), plus the elementwise floor.
 */
const CHAINED_SUMS = new Set(['variance', 'std', 'logSumExp', 'softmax', 'logSoftmax', 'mse', 'nll', 'crossEntropy', 'bceWithLogits']);

export function on<T>(backend: string, f: () => T): T {
  const prev = px.getBackend();
  px.setBackend(backend);
  try {
    return f();
  } finally {
    px.setBackend(prev);
  }
}

const isFloat = (t: px.Tensor): boolean => t.dtype === 'float32' || t.dtype === 'float64';

/** Copies of `xs` on `backend`: floats rounded to float32, then stored as `floatDType`. */
function copies(xs: readonly px.Tensor[], backend: string, floatDType: 'float32' | 'float64', f: (v: number) => number = (v) => v): px.Tensor[] {
  return on(backend, () =>
    xs.map((x) => {
      if (!isFloat(x)) return px.tensor(x.values.slice(), { dtype: x.dtype, shape: x.shape });
      const v = Float32Array.from(x.values, f);
      return px.tensor(floatDType === 'float64' ? Float64Array.from(v) : v, { dtype: floatDType, shape: x.shape });
    }),
  );
}

/** Elementwise |a - e| <= floor + rtol|e| + extra[i]; NaN and ±Inf must sit at the same places. */
function assertWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, extra: ArrayLike<number> | null, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) {
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}: [${i}] expected ${e}, got ${a}`);
      continue;
    }
    const bound = F32.atol + F32.rtol * Math.abs(e) + (extra ? extra[i]! : 0);
    assert.ok(Math.abs(a - e) <= bound, `${what}: [${i}] got ${a}, expected ${e} (|err| ${Math.abs(a - e).toExponential(2)} > ${bound.toExponential(2)})`);
  }
}

/** Per-element allowance beyond the elementwise floor, by row family (see the sets above). */
function allowance(row: OpRow, xs: readonly px.Tensor[], expected: px.Tensor): Float64Array | null {
  const k = Math.max(1, ...xs.map((x) => x.size));
  if (LINEAR_SUMS.has(row.op)) {
    const s = on('reference', () => row.run(...copies(xs, 'reference', 'float64', Math.abs)));
    return Float64Array.from(s.values, (v) => 2 * k * U * Math.abs(v));
  }
  if (CHAINED_SUMS.has(row.op)) return Float64Array.from(expected.values, (v) => 2 * (k + 8) * U * Math.abs(v));
  return null;
}

/** Seeds in [0.5, 1.5): same sign, so accumulation errors in backward cannot cancel out. */
function seedValues(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 + ((i * 0.6180339887) % 1));
}

/** Gradients of <run(xs), seed> w.r.t. the float inputs, on the current backend. */
function gradsOf(row: OpRow, xs: px.Tensor[], dtype: 'float32' | 'float64'): (Float64Array | null)[] {
  for (const x of xs) if (isFloat(x)) x.requiresGrad_();
  const out = row.run(...xs);
  if (!isFloat(out) || out.size === 0 || !xs.some((x) => x.requiresGrad)) return [];
  out.backward(px.tensor(seedValues(out.size), { dtype, shape: out.shape }));
  return xs.map((x) => (x.requiresGrad && x.grad ? Float64Array.from(x.grad.values) : null));
}

/** Runs one op-table case on `backend` (float32) and on the reference (float64) and compares. */
export function checkCase(row: OpRow, c: OpCase, backend = 'wasm'): void {
  const xs = on('reference', () => c.inputs());
  const what = `${row.op} [${c.name}]`;
  const ref = copies(xs, 'reference', 'float64');
  const expected = on('reference', () => row.run(...ref));
  const actual = on(backend, () => row.run(...copies(xs, backend, 'float32')));
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual._storage.backend.name, backend, `${what}: result not on the ${backend} backend`);
  assertWithin(actual.values, expected.values, allowance(row, xs, expected), what);

  const wantGrad = (c.grad ?? row.grad ?? true) !== false;
  if (!wantGrad || !xs.some(isFloat)) return;
  const gRef = on('reference', () => gradsOf(row, copies(xs, 'reference', 'float64'), 'float64'));
  const gWasm = on(backend, () => gradsOf(row, copies(xs, backend, 'float32'), 'float32'));
  assert.equal(gWasm.length, gRef.length, `${what}: gradient count`);
  for (let i = 0; i < gRef.length; i++) {
    const e = gRef[i];
    if (!e) continue;
    // Backward chains several ops per input; allow the chained-sum relative bound everywhere.
    const k = Math.max(1, ...xs.map((x) => x.size));
    const extra = Float64Array.from(e, (v) => 2 * (k + 8) * U * Math.abs(v));
    assertWithin(gWasm[i]!, e, extra, `${what}: d/dx${i}`);
  }
}

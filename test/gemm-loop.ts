/**
 * @file The float64 triple loop that the wasm GEMM tests (wasm.test.ts in float32, wasm-f64.test.ts
 * in float64) check mm(a, b, tA, tB) against, with batch broadcasting. Each side passes its own
 * bound, from docs/reliability.md "Tolerances" (the length-scaled 2·K·u·Σ|a·b| with its u).
 */
import assert from 'node:assert/strict';
import * as px from '../src/index.js';

/** op(A) is m×k, op(B) k×n; ba / bb are the batch dims of A and B (broadcast against each other). */
export interface GemmCase {
  m: number;
  n: number;
  k: number;
  tA: boolean;
  tB: boolean;
  ba: number[];
  bb: number[];
}

/**
 * Asserts that `out` (the product of A and B whose flat values are `av` and `bv`) has the broadcast
 * shape [...batch, m, n] and that every element is within bound(s, Σ|a·b|) of the loop's sum s.
 * `what` leads each failure message.
 */
export function assertGemmMatchesLoop(
  out: px.Tensor,
  av: ArrayLike<number>,
  bv: ArrayLike<number>,
  g: GemmCase,
  bound: (s: number, sAbs: number) => number,
  what: string,
): void {
  const { m, n, k, tA, tB, ba, bb } = g;
  const batch = px.broadcastShapes('test', ba, bb);
  assert.deepEqual(out.shape, [...batch, m, n]);
  const o = out.values;
  const count = batch.reduce((p, d) => p * d, 1);
  // Batch index -> matrix index of each operand (broadcast dims of size 1 repeat).
  const matIndex = (shape: number[], t: number): number => {
    let idx = 0;
    let rem = t;
    let mult = 1;
    for (let d = batch.length - 1, e = shape.length - 1; d >= 0; d--, e--) {
      const coord = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
      if (e >= 0) {
        if (shape[e] !== 1) idx += coord * mult;
        mult *= shape[e]!;
      }
    }
    return idx;
  };
  for (let t = 0; t < count; t++) {
    const ao = matIndex(ba, t) * m * k;
    const bo = matIndex(bb, t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sAbs = 0;
        for (let p = 0; p < k; p++) {
          const x = av[ao + (tA ? p * m + i : i * k + p)]! * bv[bo + (tB ? j * k + p : p * n + j)]!;
          s += x;
          sAbs += Math.abs(x);
        }
        const got = o[t * m * n + i * n + j]!;
        const b = bound(s, sAbs);
        if (!(Math.abs(got - s) <= b)) {
          assert.fail(`${what} ${m}x${k}x${n} tA=${tA} tB=${tB} batch ${ba}|${bb}: [${t},${i},${j}] got ${got}, expected ${s} (bound ${b})`);
        }
      }
    }
  }
}

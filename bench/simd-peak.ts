/**
 * @file The 128-bit SIMD ceiling of one core, for the GEMM workloads (a: f32x4, f: f64x2): the GEMM
 * micro-kernel's arithmetic alone (8 independent madds per step on operands held in registers, no
 * loads or stores; `gemmPeak` in assembly/gemm.as, `gemm64Peak` in assembly/gemm64.as) on a module
 * of its own, the best of 7 windows of ~50 ms. A GEMM figure over this one is the kernel's share of
 * what wasm SIMD allows; the peers' AVX2/AVX-512 kernels hold 2x (or 4x) the lanes per vector.
 */
import { loadKernels } from '../src/internal.js';

const KINDS = {
  f32x4: { fn: 'gemmPeak', flopsPerStep: 64, seed: (m: ArrayBuffer, p: number) => new Float32Array(m, p, 16).set([1.0000001, 0.9999999, 1, 1, 0, 0, 0, 0, 1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3]) },
  f64x2: { fn: 'gemm64Peak', flopsPerStep: 32, seed: (m: ArrayBuffer, p: number) => new Float64Array(m, p, 8).set([1.0000001, 0.9999999, 0, 0, 1e-3, 2e-3, 3e-3, 4e-3]) },
} as const;

/** GFLOPS of `kind`'s peak loop on this thread. `relaxed`: the FMA build (what the backend runs where it validates). */
export function simdPeakGflops(kind: keyof typeof KINDS, relaxed: boolean): number {
  const k = KINDS[kind];
  const { exports, memory } = loadKernels({ shared: false, relaxed });
  const peak = (exports as unknown as Record<string, (p: number, iters: number) => number>)[k.fn]!;
  const p = exports.heapBase();
  k.seed(memory.buffer, p);
  let iters = 1 << 16;
  for (;;) {
    const t = performance.now();
    peak(p, iters);
    if (performance.now() - t > 50) break;
    iters *= 2;
  }
  let best = 0;
  for (let w = 0; w < 7; w++) {
    const t = performance.now();
    peak(p, iters);
    best = Math.max(best, (k.flopsPerStep * iters) / ((performance.now() - t) / 1000) / 1e9);
  }
  return best;
}

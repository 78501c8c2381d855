/**
 * @file Dispatch of the small-M products (assembly/gemm-small.as: `linear` with a few rows, x·Wᵀ):
 * on the calling thread, or split over column blocks of C across the worker pool. Every element
 * of C is computed by the same instruction sequence in any split, so results do not depend on the
 * thread count or on which thread ran which block.
 *
 * Two sizes: from SMALL_THREADING.minFlops a product is cut into several pieces per thread (e.g.
 * 8 rows of a 1024x1024 layer); from `blockFlops` (a single sample through the 784x256 first layer
 * of the benchmark MLP, 8 samples through its 256x256 second one) into one block per thread. One
 * block each, the main thread claims the first before the worker wakes, so each core keeps
 * reading the same part of the weight: for one sample, which reads each weight once per call,
 * that part then stays in the core's own L2, where the whole model (1.03 MiB) does not fit one
 * core's (1 MiB on Zen 4).
 *
 * A worker the OS descheduled mid-block holds the call for a time slice (ms), which is what a
 * latency-bound caller sees in its tail. So when a split call takes more than `lateFactor` times
 * its estimated single-thread time, the small path runs on the calling thread for `cooldownMs`:
 * on a shared machine the tail stays that of one thread; on a quiet one nothing changes.
 */
import type { WasmContext } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

/**
 * Threading of the small-M kernel. Each piece reads its own rows of B and all of A (small), so no
 * packing is repeated. `minFlops`: batch-8 inference of the 784-256-256-10 MLP split from 2 MFLOP
 * into 3 pieces measured median 42-77 µs but p99 1.1-7.7 ms on a shared VM (inline 75 µs / p99
 * 0.18 ms), before the late check below existed. `blockFlops`, measured with
 * bench/pool-thresholds.ts small (best of windows, 2 threads over inline, load ~4): 1 row x 784 ->
 * 256 (0.4 MFLOP) 1.56x; 8 x 256 -> 256 1.58-1.74x; 8 x 256 -> 128 1.28x; but 1 x 256 -> 256
 * (0.13 MFLOP) 0.90-1.13x and 1 x 256 -> 128 0.75x. `gflops`: the single-thread speed the late
 * check assumes (gemm-small.as runs 40-57 GFLOPS on Zen 4, so the estimate is on the short side).
 * `lateMinUs` 300, not less: a minor GC on the calling thread (tens to a few hundred µs) also makes a
 * call late, and at 50 µs it kept the path inline nearly all the time (2 threads measured no faster
 * than 1 on a quiet VM); a descheduled worker costs a time slice (~1 ms), well above it. With 300:
 * one sample 10.5-13.8 µs at 2 threads vs 13.7-14.1 at 1, p99 1.5x the median (bench g).
 * `cooldownMs` 0 turns the late check off (forceThreading does, so tests never depend on timing).
 */
export const SMALL_THREADING = { minFlops: 1 << 23, pieceFlops: 1 << 20, piecesPerThread: 2, blockFlops: 1 << 18, gflops: 60, lateFactor: 4, lateMinUs: 300, cooldownMs: 100 };

/** performance.now() before which the small path stays on the calling thread (a late worker was seen). */
let inlineUntil = 0;

/**
 * C (m×n) = act(A (m×k)·B (n×k)ᵀ + bias) through gemm-small.as (byte offsets; bias 0: none; act 0
 * none, 1 relu), on the calling thread or split over column blocks of C (see the file comment).
 */
export function smallNT(ctx: WasmContext, m: number, n: number, k: number, pa: number, pb: number, pc: number, bias: number, act: number): void {
  const T = SMALL_THREADING;
  const flops = 2 * m * n * k;
  const big = flops >= T.minFlops;
  const threads = (big || (flops >= T.blockFlops && n >= 8)) && ctx.parallel ? ctx.parallel.threads() : 1;
  if (threads <= 1 || (T.cooldownMs > 0 && inlineUntil > 0 && performance.now() < inlineUntil)) {
    ctx.wasm.gemmSmallNT(m, n, k, pa, k, pb, k, pc, n, bias, act);
    return;
  }
  const pieces = big ? pieceCount(flops, threads, T.pieceFlops, 4096, T.piecesPerThread) : threads;
  const chunks: Chunk[] = [];
  for (const [s, e] of splitRange(n, pieces, 4)) {
    chunks.push({ fn: 'gemmSmallNT', args: [m, e - s, k, pa, k, pb + 4 * s * k, k, pc + 4 * s, n, bias === 0 ? 0 : bias + 4 * s, act], wsArg: -1 });
  }
  const t0 = T.cooldownMs > 0 ? performance.now() : 0;
  ctx.parallel!.run('matmul', chunks, { out: [pc, pc + 4 * m * n] });
  if (T.cooldownMs > 0) {
    const t1 = performance.now();
    const late = Math.max(T.lateMinUs, (T.lateFactor * flops) / (T.gflops * 1e3)) / 1000;
    inlineUntil = t1 - t0 > late ? t1 + T.cooldownMs : 0;
  }
}

/** Test hook (pool/testing.ts forceThreading): forgets a late worker seen earlier. */
export function clearSmallCooldown(): void {
  inlineUntil = 0;
}

/**
 * @file The matmul kernel of the wasm backend: float32 GEMM (assembly/gemm.as) per batch matrix,
 * with transposes passed as strides (never materialised) and broadcast batch dims walked here.
 * Other dtypes run the reference loops.
 *
 * Threads: a big product is cut into row blocks of C (column blocks when C is much wider than
 * tall), each one `gemm` call with its own workspace, run across the worker pool. Every element
 * of C is still summed over k in the same blocks and order as single-threaded (the k blocking
 * depends only on k), so results are bitwise identical for any thread count.
 */
import type { KernelTable } from '../../../core/backend.js';
import { getPrimitive, type Kernel, type View } from '../../../core/primitive.js';
import { broadcastShapes, broadcastStrides, numel } from '../../../core/shape.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';
import { smallNT } from './matmul-small.js';

// The small-M path's dispatch lives in matmul-small.ts (re-exported: fused.ts and the pool's test hooks use it).
export { SMALL_THREADING, smallNT } from './matmul-small.js';

interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

/**
 * Cache blocking: a kc×nc block of packed B (512 KiB) stays in L2 (1 MiB on Zen 4) while a 4-row
 * A micro-panel (kc·4 splats = 16 KiB) sits in L1 and B micro-panels stream past it; mc bounds
 * the packed A block (256 KiB). Tuned on this machine (Zen 4, Node 20): nc 512 beat 256 by ~5% at
 * n = 1024; kc 128-512 and mc 32-128 were within noise.
 */
export const BLOCKS = { kc: 256, mc: 64, nc: 512 };

/**
 * Threading (FLOPs = 2·m·n·k): below `minFlops` a product runs on the calling thread (2 threads
 * measured 0.75x at 64^3 = 0.5 MFLOP, 1.18x at 96^3 = 1.8 MFLOP, 1.4x at 128^3, 1.7-1.85x for
 * the 784-256 MLP's products; idle machine, bench/pool-thresholds.ts). Up to `piecesPerThread` pieces per thread, so a descheduled thread just
 * claims fewer; but each row piece re-packs all of B (a column piece all of A, as 4x larger
 * splats), which measured (128x784x256, one thread) +11-15% time for 16-row pieces, +4-7% for 32,
 * +0-3% for 64: so pieces keep `minRows` rows (`minCols` columns) unless that leaves a thread
 * idle. With equal pieces, 2 per thread measured best on an idle machine (n = 512: 1.97x over 1
 * thread vs 1.89x with 4; n = 1024: 1.97x vs 1.95x).
 * `pieceFlops` bounds tiny pieces when forced (tests). See bench/pool-thresholds.ts.
 * Guided split (`headShare`): on a shared machine a thread is often slowed for part of a call, and
 * the call ends with its slowest thread. So the first `threads` pieces cover `headShare` of the
 * range and the other pieces split the rest: whoever finishes its big piece first takes the
 * small ones. Measured against equal pieces (2 per thread), speed-up over 1 thread in interleaved
 * rounds on this VM: n = 512 1.48 -> 1.75, 1.64 -> 1.74, 1.84 -> 1.73, 1.70 -> 1.77 (40 rounds);
 * n = 1024 1.69 -> 1.73, 1.73 -> 1.72, 1.79 -> 1.78, 1.74 -> 1.72 (24 rounds): a gain at 512, even
 * at 1024 (0.8 with 3 pieces per thread; 0.7 measured worse). Every row of C is still summed in
 * the same order, so results stay bitwise identical for any split.
 * Tried and dropped: row pieces sharing one packing of B (packed by the pool in a first task) ran
 * 3-6% slower than each piece packing its own (n = 512, 1024, 128x784x256; interleaved A/B): a
 * piece's own packing leaves B in its core's L2, a shared one is read from the other core or L3.
 */
export const THREADING = { minFlops: 1 << 21, pieceFlops: 1 << 20, piecesPerThread: 3, minRows: 64, minCols: 128, headShare: 0.8 };

/**
 * Up to how many rows of C a product runs the unpacked small-M kernel (assembly/gemm-small.as)
 * instead of the packed GEMM: `linear` (x·Wᵀ + b), and matmul with a transposed B. Measured on
 * this VM (Zen 4, Node 20, 1 thread) for 784x256 and 256x256 weights: see smallNT.
 */
export const SMALL_M = { linear: 16, matmul: 16 };

function matmulKernel(ctx: WasmContext): Kernel<MatmulAttrs> {
  return (out, ins, attrs) => {
    const [a, b] = ins as [View, View];
    if (a.dtype !== 'float32') return getPrimitive<MatmulAttrs>('matmul').reference(out, ins, attrs);
    const { transA, transB } = attrs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (m === 0 || n === 0) return;
    const { kc, mc, nc } = BLOCKS;
    // Scratch first: it may grow the memory, which re-derives every view.
    const ws = ctx.scratch(ctx.wasm.gemmWorkspaceBytes(kc, mc, nc));
    const pa = ptr(ctx, a);
    const pb = ptr(ctx, b);
    const pc = ptr(ctx, out);
    if (pa < 0 || pb < 0 || pc < 0) return getPrimitive<MatmulAttrs>('matmul').reference(out, ins, attrs);
    // Element (i,p) of op(A) is at i·ars + p·acs; (p,j) of op(B) at p·brs + j·bcs.
    const [ars, acs] = transA ? [1, m] : [k, 1];
    const [brs, bcs] = transB ? [1, k] : [n, 1];
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const batch = broadcastShapes('matmul', batchA, batchB);
    const count = numel(batch);
    // A few rows times a transposed B (x·Wᵀ): unpacked dot products, threaded on their own.
    if (count === 1 && transB && !transA && m <= SMALL_M.matmul) return smallNT(ctx, m, n, k, pa, pb, pc, 0, 0);
    const flops = 2 * m * n * k * count;
    const threads = flops >= THREADING.minFlops && ctx.parallel ? ctx.parallel.threads() : 1;
    if (threads > 1) {
      const wsBytes = ctx.wasm.gemmWorkspaceBytes(kc, mc, nc);
      const offA = count === 1 ? [0] : batchOffsets(batchA, batch);
      const offB = count === 1 ? [0] : batchOffsets(batchB, batch);
      const chunks: Chunk[] = [];
      // Rows duplicate the packing of B per piece (k·n), columns that of A (4·m·k: A is packed as
      // splats): pick the cheaper one.
      const byRows = 4 * m >= n;
      const extent = byRows ? m : n;
      const wide = Math.max(threads, Math.floor(extent / (byRows ? THREADING.minRows : THREADING.minCols)));
      const pieces = Math.min(wide, Math.ceil(pieceCount(flops, threads, THREADING.pieceFlops, 4096, THREADING.piecesPerThread) / count));
      for (let t = 0; t < count; t++) {
        const a0 = pa + 4 * m * k * offA[t]!;
        const b0 = pb + 4 * k * n * offB[t]!;
        const c0 = pc + 4 * m * n * t;
        for (const [s, e] of guidedSplit(extent, threads, pieces, byRows ? 4 : 8)) {
          const args = byRows
            ? [e - s, n, k, a0 + 4 * s * ars, ars, acs, b0, brs, bcs, c0 + 4 * s * n, n, 0, kc, mc, nc]
            : [m, e - s, k, a0, ars, acs, b0 + 4 * s * bcs, brs, bcs, c0 + 4 * s, n, 0, kc, mc, nc];
          chunks.push({ fn: 'gemm', args, wsArg: 11 });
        }
      }
      ctx.parallel!.run('matmul', chunks, { wsBytes, mainWs: ws, out: [pc, pc + 4 * m * n * count] });
      return;
    }
    if (count === 1) {
      ctx.wasm.gemm(m, n, k, pa, ars, acs, pb, brs, bcs, pc, n, ws, kc, mc, nc);
      return;
    }
    const offA = batchOffsets(batchA, batch);
    const offB = batchOffsets(batchB, batch);
    for (let t = 0; t < count; t++) {
      ctx.wasm.gemm(m, n, k, pa + 4 * m * k * offA[t]!, ars, acs, pb + 4 * k * n * offB[t]!, brs, bcs, pc + 4 * m * n * t, n, ws, kc, mc, nc);
    }
  };
}

/**
 * `pieces` ranges covering [0, total) on multiples of `unit`: the first `threads` share
 * THREADING.headShare of it, the others the rest (equal pieces when pieces <= threads).
 */
export function guidedSplit(total: number, threads: number, pieces: number, unit: number): [number, number][] {
  if (pieces <= threads) return splitRange(total, pieces, unit);
  const cut = Math.round((total * THREADING.headShare) / unit) * unit;
  if (cut <= 0 || cut >= total) return splitRange(total, pieces, unit);
  const head = splitRange(cut, threads, unit);
  const tail = splitRange(total - cut, pieces - threads, unit).map(([s, e]) => [s + cut, e + cut] as [number, number]);
  return [...head, ...tail];
}

/** For each batch index of `outShape`, the matrix index into an operand with batch shape `inShape`. */
export function batchOffsets(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const total = numel(outShape);
  const st = broadcastStrides(inShape, outShape);
  const res = new Int32Array(total);
  const idx = new Array<number>(outShape.length).fill(0);
  let off = 0;
  for (let t = 0; t < total; t++) {
    res[t] = off;
    for (let d = outShape.length - 1; d >= 0; d--) {
      idx[d]!++;
      off += st[d]!;
      if (idx[d]! < outShape[d]!) break;
      off -= st[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return res;
}

export function matmulKernels(ctx: WasmContext): KernelTable {
  return { matmul: matmulKernel(ctx) as Kernel<never> };
}

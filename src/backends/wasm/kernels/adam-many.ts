/**
 * @file The multi-tensor Adam/AdamW update of the wasm backend (FusedUpdates.adamUpdateMany): every
 * parameter of an optimizer step in one call, float32 in the heap, through the same adamF32 export
 * as the per-parameter update (assembly/fused.as). Big steps are cut into element ranges across
 * the worker pool. adamF32 treats every element alike (its tail runs the vector code on a splat),
 * so a range computes exactly what the whole-tensor call computes there: results do not depend on
 * the split or the thread count.
 */
import type { AdamItem } from '../../../core/backend.js';
import type { TypedArray } from '../../../core/dtype.js';
import type { WasmContext } from '../context.js';
import { type Chunk, pieceCount } from '../pool/index.js';

/**
 * Splitting (elements summed over all parameters): the update streams 7 float32 arrays (28 bytes
 * an element: p, g, m, v read, p, m, v written) and runs a sqrt and a divide
 * per element, about 1.5 G elements/s on one Zen 4 core, so 2^16 elements (~45 µs) are well past
 * a pool task's cost (a few µs when the workers are awake, as they are between a training step's
 * ops). Pieces of at least `minPiece` elements, about `piecesPerThread` per thread so a thread
 * that is descheduled for a while just claims fewer.
 */
export const ADAM_THREADING = { minElements: 1 << 16, minPiece: 1 << 14, piecesPerThread: 3 };

interface AdamExports {
  adamF32(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    decay: number, l2: number, beta1: number, omb1: number, beta2: number, omb2: number,
    stepSize: number, bc2Sqrt: number, eps: number, maximize: number,
  ): void;
}

/** The byte offset of a float32 heap array (0 for null), or -1 when it is elsewhere or not float32. */
function offset(ctx: WasmContext, a: TypedArray | null): number {
  if (a === null) return 0;
  return a instanceof Float32Array && ctx.heap.owns(a.buffer) ? a.byteOffset : -1;
}

/** adamF32's arguments for elements [s, e) of one item (pointers already resolved). */
function args(ptrs: readonly number[], item: AdamItem, s: number, e: number): number[] {
  const [pp, pg, pm, pv, pvmax] = ptrs as [number, number, number, number, number];
  const h = item.h;
  const o = 4 * s;
  return [
    pp + o, pg + o, pm + o, pv + o, pvmax === 0 ? 0 : pvmax + o, e - s,
    h.decay, h.l2, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.maximize ? 1 : 0,
  ];
}

/** FusedUpdates.adamUpdateMany for float32 parameters in this heap (all or nothing). */
export function adamUpdateMany(ctx: WasmContext): (items: readonly AdamItem[]) => boolean {
  const wasm = ctx.wasm as unknown as AdamExports;
  return (items) => {
    // Every pointer first: refusing after a partial update would leave the step half done.
    const ptrs: number[][] = [];
    let total = 0;
    for (const it of items) {
      const p = [offset(ctx, it.p), offset(ctx, it.g), offset(ctx, it.m), offset(ctx, it.v), offset(ctx, it.vmax)];
      if (p.some((x) => x < 0) || it.g.length !== it.p.length || it.m.length !== it.p.length || it.v.length !== it.p.length) return false;
      if (it.vmax !== null && it.vmax.length !== it.p.length) return false;
      ptrs.push(p);
      total += it.p.length;
    }
    const threads = total >= ADAM_THREADING.minElements && ctx.parallel ? ctx.parallel.threads() : 1;
    if (threads <= 1) {
      items.forEach((it, i) => {
        if (it.p.length > 0) (wasm.adamF32 as (...a: number[]) => void)(...args(ptrs[i]!, it, 0, it.p.length));
      });
      return true;
    }
    // Pieces of about total / pieces elements, on multiples of 16 (a cache line: two threads
    // never write the same line); a small parameter (a bias) is one piece.
    const pieces = pieceCount(total, threads, ADAM_THREADING.minPiece, 1024, ADAM_THREADING.piecesPerThread);
    const size = Math.max(16, Math.ceil(total / pieces / 16) * 16);
    const chunks: Chunk[] = [];
    let lo = Infinity;
    let hi = 0;
    items.forEach((it, i) => {
      const n = it.p.length;
      for (let s = 0; s < n; s += size) chunks.push({ fn: 'adamF32', args: args(ptrs[i]!, it, s, Math.min(n, s + size)), wsArg: -1 });
      // The range a crashed worker may still write: every written array (p, m, v, vmax).
      for (const a of [it.p, it.m, it.v, it.vmax]) {
        if (a === null || n === 0) continue;
        lo = Math.min(lo, a.byteOffset);
        hi = Math.max(hi, a.byteOffset + a.byteLength);
      }
    });
    if (chunks.length > 0) ctx.parallel!.run('adamUpdateMany', chunks, { out: [lo, hi] });
    return true;
  };
}

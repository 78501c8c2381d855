/**
 * @file Reduction kernels of the wasm backend (float32 sum, max, min). The reduced axes must form
 * one contiguous run once size-1 dims are ignored, so the input is [outer, len, inner]; other axis
 * sets, other dtypes and argmax/argmin run the reference loops.
 *
 * Large reductions with several outputs are split over `outer` across the worker pool; each
 * output is still reduced by one thread in the single-threaded order (a sum over the whole tensor,
 * outer = 1, stays on one thread: splitting it would change the summation order).
 */
import type { KernelTable } from '../../../core/backend.js';
import { getPrimitive, type Kernel, type PrimitiveName, type View } from '../../../core/primitive.js';
import type { Shape } from '../../../core/shape.js';
import { type WasmContext, ptr } from '../context.js';
import type { ColsFn, RowsFn } from '../module.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

/**
 * Input elements from which a reduction is split across threads: memory-bound, 2 threads break
 * even at 2^19 summed elements (1.3x at 2^20; bench/pool-thresholds.ts, idle machine).
 */
export const REDUCE_THREADING = { minElems: 1 << 19 };


interface ReduceAttrs {
  axes: readonly number[];
}

/** [outer, len, inner] when the reduced axes (ignoring size-1 dims) are contiguous, else null. */
export function reduceRuns(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  const red = new Set(axes);
  let first = -1;
  let last = -1;
  for (let d = 0; d < shape.length; d++) {
    if (red.has(d) && shape[d] !== 1) {
      if (first < 0) first = d;
      last = d;
    }
  }
  if (first < 0) return [shape.reduce((p, n) => p * n, 1), 1, 1]; // only size-1 axes: a copy
  for (let d = first; d <= last; d++) if (!red.has(d) && shape[d] !== 1) return null;
  const prod = (a: number, b: number): number => shape.slice(a, b).reduce((p, n) => p * n, 1);
  return [prod(0, first), prod(first, last + 1), prod(last + 1, shape.length)];
}

function reduceKernel(ctx: WasmContext, name: 'sum' | 'max' | 'min'): Kernel<ReduceAttrs> {
  const rows: RowsFn = ctx.wasm[`${name}Rows`];
  const cols: ColsFn = ctx.wasm[`${name}Cols`];
  const reference = (out: View, ins: readonly View[], attrs: ReduceAttrs): void =>
    getPrimitive<ReduceAttrs>(name as PrimitiveName).reference(out, ins, attrs);
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const runs = x.dtype === 'float32' ? reduceRuns(x.shape, attrs.axes) : null;
    const px = runs ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (!runs || px < 0 || po < 0) return reference(out, ins, attrs);
    const [outer, len, inner] = runs;
    if (out.values.length === 0) return;
    const total = outer * len * inner;
    const threads = outer > 1 && total >= REDUCE_THREADING.minElems && ctx.parallel ? ctx.parallel.threads() : 1;
    if (threads > 1) {
      const pieces = pieceCount(total, threads, Math.max(16, REDUCE_THREADING.minElems / 4), 1024, 2);
      const chunks = splitRange(outer, pieces, 1).map(([s, e]): Chunk =>
        inner === 1
          ? { fn: `${name}Rows`, args: [px + 4 * s * len, po + 4 * s, e - s, len], wsArg: -1 }
          : { fn: `${name}Cols`, args: [px + 4 * s * len * inner, po + 4 * s * inner, e - s, len, inner], wsArg: -1 });
      ctx.parallel!.run(name, chunks, { out: [po, po + 4 * outer * inner] });
      return;
    }
    if (inner === 1) rows(px, po, outer, len);
    else cols(px, po, outer, len, inner);
  };
}

export function reduceKernels(ctx: WasmContext): KernelTable {
  return {
    sum: reduceKernel(ctx, 'sum') as Kernel<never>,
    max: reduceKernel(ctx, 'max') as Kernel<never>,
    min: reduceKernel(ctx, 'min') as Kernel<never>,
  };
}

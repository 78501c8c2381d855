/**
 * @file layerNormForward / layerNormBackward on the wasm backend: float32 rows in wasm
 * (assembly/layernorm.as, float64 lanes, the js kernel's arithmetic), split by row ranges across
 * the worker pool (each row is computed the same way on any thread, so results do not depend on
 * the thread count); float64 and operands outside the heap run the js kernels.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { layerNormBackward as jsBackward, layerNormForward as jsForward } from '../../js/layer-norm.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

interface LayerNormAttrs { dims: number; eps: number }

/** Elements from which a pass is split across threads (~1 ns each: 2^16 is ~0.1 ms). */
export const LAYER_NORM_THREADING = { minElements: 1 << 16 };

interface LayerNormExports {
  layerNormRowsF32(x: number, out: number, n: number, eps: number, s: number, e: number): void;
  layerNormBackwardRowsF32(g: number, x: number, out: number, n: number, eps: number, s: number, e: number): void;
}

const rowSize = (shape: readonly number[], dims: number): number => shape.slice(shape.length - dims).reduce((p, d) => p * d, 1);

/** Runs `args(s, e)` of export `fn` over rows [0, rows), threaded when the tensor is large. */
function overRows(ctx: WasmContext, op: string, fn: keyof LayerNormExports, rows: number, n: number, po: number, args: (s: number, e: number) => number[]): void {
  const total = rows * n;
  const threads = total >= LAYER_NORM_THREADING.minElements && rows >= 2 && ctx.parallel ? ctx.parallel.threads() : 1;
  if (threads <= 1) {
    (ctx.wasm as unknown as Record<string, (...a: number[]) => void>)[fn]!(...args(0, rows));
    return;
  }
  const ranges = splitRange(rows, pieceCount(total, threads, LAYER_NORM_THREADING.minElements / 4, 64, 2), 1);
  const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn, args: args(s, e), wsArg: -1 }));
  ctx.parallel!.run(op, chunks, { out: [po, po + 4 * total] });
}

export function layerNormKernels(ctx: WasmContext): { layerNormForward: Kernel<LayerNormAttrs>; layerNormBackward: Kernel<LayerNormAttrs> } {
  return {
    layerNormForward: (out, ins, attrs) => {
      const x = ins[0] as View;
      const px = x.dtype === 'float32' ? ptr(ctx, x) : -1;
      const po = ptr(ctx, out);
      if (px < 0 || po < 0) return jsForward(out, ins, attrs);
      const n = rowSize(x.shape, attrs.dims);
      if (n === 0 || x.values.length === 0) return;
      overRows(ctx, 'layerNormForward', 'layerNormRowsF32', x.values.length / n, n, po, (s, e) => [px, po, n, attrs.eps, s, e]);
    },
    layerNormBackward: (out, ins, attrs) => {
      const [g, x] = ins as [View, View];
      const pg = x.dtype === 'float32' ? ptr(ctx, g) : -1;
      const px = ptr(ctx, x);
      const po = ptr(ctx, out);
      if (pg < 0 || px < 0 || po < 0) return jsBackward(out, ins, attrs);
      const n = rowSize(x.shape, attrs.dims);
      if (n === 0 || x.values.length === 0) return;
      overRows(ctx, 'layerNormBackward', 'layerNormBackwardRowsF32', x.values.length / n, n, po, (s, e) => [pg, px, po, n, attrs.eps, s, e]);
    },
  };
}

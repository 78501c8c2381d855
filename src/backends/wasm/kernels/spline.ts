/**
 * @file splineBasis on the wasm backend. Float32 cubic bases on uniform knots (KAN's default) run
 * in wasm (assembly/spline.as), split across the worker pool by element ranges; the elements it
 * leaves over (non-uniform features, e.g. after updateGrid) and every other case (other orders,
 * float64) run the js kernel's per-element code. Both paths are the same f64 arithmetic, so the
 * result is bitwise the js kernel's for any thread count.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { splineBasis as jsSplineBasis, splineElements } from '../../js/spline.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

interface SplineAttrs { k: number }

/** Elements from which the wasm pass is split across threads (~30 ns each: 2^13 is ~0.25 ms). */
export const SPLINE_THREADING = { minElements: 1 << 13 };

export function splineKernel(ctx: WasmContext): Kernel<SplineAttrs> {
  return (out, ins, attrs) => {
    const [x, grid] = ins as [View, View];
    if (attrs.k !== 3 || x.dtype !== 'float32' || grid.dtype !== 'float32') return jsSplineBasis(out, ins, attrs);
    const F = x.shape[x.shape.length - 1]!;
    const K = grid.shape[1]!;
    const n = x.values.length;
    if (n === 0) return;
    // Scratch first (it may grow the memory): 1/h per feature (f64), then the left-over list (i32).
    const scratch = ctx.scratch(8 * F + 4 * n);
    const px = ptr(ctx, x);
    const pt = ptr(ctx, grid);
    const po = ptr(ctx, out);
    if (px < 0 || pt < 0 || po < 0) return jsSplineBasis(out, ins, attrs);
    const { invH, element } = splineElements(out, x, grid, 3);
    const buffer = ctx.heap.buffer;
    new Float64Array(buffer, scratch, F).set(invH);
    const rest = scratch + 8 * F;
    const threads = n >= SPLINE_THREADING.minElements && ctx.parallel ? ctx.parallel.threads() : 1;
    const ranges = threads > 1 ? splitRange(n, pieceCount(n, threads, SPLINE_THREADING.minElements / 2, 64, 2), 1) : [[0, n] as [number, number]];
    if (threads > 1) {
      const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'splineUniformCubic', args: [px, pt, scratch, po, rest, F, K, s, e], wsArg: -1 }));
      ctx.parallel!.run('splineBasis', chunks, { out: [po, po + 4 * out.values.length] });
    } else {
      ctx.wasm.splineUniformCubic(px, pt, scratch, po, rest, F, K, 0, n);
    }
    // What the wasm pass left: each range's list ends at its end or at a -1.
    const list = new Int32Array(ctx.heap.buffer, rest, n);
    for (const [s, e] of ranges) {
      for (let i = s; i < e; i++) {
        const el = list[i]!;
        if (el < 0) break;
        element(el, el % F);
      }
    }
  };
}

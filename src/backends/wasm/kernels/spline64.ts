/**
 * @file splineBasis on the wasm backend in float64 (the KAN toolkit's L-BFGS and multi-stage fits
 * run in float64): cubic bases on uniform knots run in wasm (assembly/spline64.as), split across
 * the worker pool by element ranges exactly as the float32 path (kernels/spline.ts); the elements
 * it leaves over (non-uniform features) and every other case (other orders, views outside the
 * heap) run the js kernel's per-element code. Both are the same f64 arithmetic, so the result is
 * bitwise the js kernel's for any thread count.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { splineBasis as jsSplineBasis, splineElements } from '../../js/spline.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';
import { SPLINE_THREADING } from './spline.js';

interface SplineAttrs { k: number }

type Spline64 = (x: number, t: number, invH: number, out: number, rest: number, F: number, K: number, s: number, e: number) => void;

export function spline64Kernel(ctx: WasmContext): Kernel<SplineAttrs> {
  const run = (ctx.wasm as unknown as { splineUniformCubic64: Spline64 }).splineUniformCubic64;
  return (out, ins, attrs) => {
    const [x, grid] = ins as [View, View];
    if (attrs.k !== 3 || x.dtype !== 'float64' || grid.dtype !== 'float64') return jsSplineBasis(out, ins, attrs);
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
    new Float64Array(ctx.heap.buffer, scratch, F).set(invH);
    const rest = scratch + 8 * F;
    const threads = n >= SPLINE_THREADING.minElements && ctx.parallel ? ctx.parallel.threads() : 1;
    const ranges = threads > 1 ? splitRange(n, pieceCount(n, threads, SPLINE_THREADING.minElements / 2, 64, 2), 1) : [[0, n] as [number, number]];
    if (threads > 1) {
      const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'splineUniformCubic64', args: [px, pt, scratch, po, rest, F, K, s, e], wsArg: -1 }));
      ctx.parallel!.run('splineBasis', chunks, { out: [po, po + 8 * out.values.length] });
    } else {
      run(px, pt, scratch, po, rest, F, K, 0, n);
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

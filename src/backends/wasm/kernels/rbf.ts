/**
 * @file rbfBasis and rbfBasisBackward on the wasm backend: float32 in wasm (assembly/rbf.as), split
 * across the worker pool by element ranges of x (each output row is computed the same way on any
 * thread, so results do not depend on the thread count); float64 and operands outside the heap run
 * the js kernels.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { rbfBasis as jsRbfBasis, rbfBasisBackward as jsRbfBasisBackward } from '../../js/rbf.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

interface RbfAttrs { width: number }

/** Outputs (elements × centres) from which the pass is split across threads (~2 ns each: 2^16 is ~0.1 ms). */
export const RBF_THREADING = { minOutputs: 1 << 16 };

interface RbfExports {
  rbfGaussian(x: number, centers: number, C: number, q: number, out: number, s: number, e: number): void;
  rbfGaussianBackward(g: number, phi: number, x: number, centers: number, C: number, k: number, out: number, s: number, e: number): void;
}

export function rbfKernel(ctx: WasmContext): Kernel<RbfAttrs> {
  const wasm = ctx.wasm as unknown as RbfExports;
  return (out, ins, attrs) => {
    const [x, centers] = ins as [View, View];
    if (x.dtype !== 'float32') return jsRbfBasis(out, ins, attrs);
    const px = ptr(ctx, x);
    const pc = ptr(ctx, centers);
    const po = ptr(ctx, out);
    if (px < 0 || pc < 0 || po < 0) return jsRbfBasis(out, ins, attrs);
    const n = x.values.length;
    const C = centers.values.length;
    if (n === 0) return;
    const outputs = n * C;
    const threads = outputs >= RBF_THREADING.minOutputs && ctx.parallel ? ctx.parallel.threads() : 1;
    const q = -1 / (attrs.width * attrs.width);
    if (threads <= 1) {
      wasm.rbfGaussian(px, pc, C, q, po, 0, n);
      return;
    }
    const ranges = splitRange(n, pieceCount(outputs, threads, RBF_THREADING.minOutputs / 2, 64, 2), 1);
    const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'rbfGaussian', args: [px, pc, C, q, po, s, e], wsArg: -1 }));
    ctx.parallel!.run('rbfBasis', chunks, { out: [po, po + 4 * outputs] });
  };
}

/** rbfBasisBackward: reads g and phi [n, C] once (~0.4 ns per pair), so it splits from the same output count. */
export function rbfBackwardKernel(ctx: WasmContext): Kernel<RbfAttrs> {
  const wasm = ctx.wasm as unknown as RbfExports;
  return (out, ins, attrs) => {
    const [g, phi, x, centers] = ins as [View, View, View, View];
    if (x.dtype !== 'float32') return jsRbfBasisBackward(out, ins, attrs);
    const ps = [ptr(ctx, g), ptr(ctx, phi), ptr(ctx, x), ptr(ctx, centers), ptr(ctx, out)];
    if (ps.some((p) => p < 0)) return jsRbfBasisBackward(out, ins, attrs);
    const [pg, pp, px, pc, po] = ps as [number, number, number, number, number];
    const n = x.values.length;
    const C = centers.values.length;
    if (n === 0) return;
    const k = -2 / (attrs.width * attrs.width);
    const pairs = n * C;
    const threads = pairs >= 4 * RBF_THREADING.minOutputs && ctx.parallel ? ctx.parallel.threads() : 1;
    if (threads <= 1) {
      wasm.rbfGaussianBackward(pg, pp, px, pc, C, k, po, 0, n);
      return;
    }
    const ranges = splitRange(n, pieceCount(pairs, threads, 2 * RBF_THREADING.minOutputs, 64, 2), 1);
    const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'rbfGaussianBackward', args: [pg, pp, px, pc, C, k, po, s, e], wsArg: -1 }));
    ctx.parallel!.run('rbfBasisBackward', chunks, { out: [po, po + 4 * n] });
  };
}

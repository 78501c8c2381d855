/**
 * @file GELU on the wasm backend (float32, assembly/vmath.as vgelu/vgeluGrad): the geluBackward
 * primitive and the threaded form of linear's 'gelu' epilogue. Both split by element (row) ranges
 * across the worker pool; every element is computed by the same code on any thread (tails use the
 * vector code on a splat), so results do not depend on the thread count. float64 and operands
 * outside the heap run the reference loops.
 */
import { getPrimitive, type Kernel, type View } from '../../../core/primitive.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

/**
 * Elements from which a GELU pass is split across threads: it costs about as much per element as
 * tanh, which breaks even at 2^13 (elementwise.ts EW_THREADING); 2^15 keeps to the same margin.
 */
export const GELU_THREADING = { minElements: 1 << 15 };

interface GeluExports {
  geluBackwardF32(g: number, z: number, out: number, n: number): void;
  linearGelu(out: number, bias: number, rows: number, cols: number): void;
}

/** Threads to split n elements across (1: run inline). */
function threadsFor(ctx: WasmContext, n: number): number {
  return n >= GELU_THREADING.minElements && ctx.parallel ? ctx.parallel.threads() : 1;
}

export function geluBackwardKernel(ctx: WasmContext): Kernel<Record<string, never>> {
  const wasm = ctx.wasm as unknown as GeluExports;
  const fallback = getPrimitive<Record<string, never>>('geluBackward').reference;
  return (out, ins, attrs) => {
    const [g, z] = ins as [View, View];
    const pg = g.dtype === 'float32' ? ptr(ctx, g) : -1;
    const pz = ptr(ctx, z);
    const po = ptr(ctx, out);
    if (pg < 0 || pz < 0 || po < 0) return fallback(out, ins, attrs);
    const n = out.values.length;
    const threads = threadsFor(ctx, n);
    if (threads <= 1) {
      wasm.geluBackwardF32(pg, pz, po, n);
      return;
    }
    const ranges = splitRange(n, pieceCount(n, threads, GELU_THREADING.minElements / 4, 64, 2), 16);
    const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'geluBackwardF32', args: [pg + 4 * s, pz + 4 * s, po + 4 * s, e - s], wsArg: -1 }));
    ctx.parallel!.run('geluBackward', chunks, { out: [po, po + 4 * n] });
  };
}

/** out = gelu(out + bias) over rows × cols in the heap (bias 0: none), split by rows when large. */
export function linearGeluEpilogue(ctx: WasmContext, po: number, pb: number, rows: number, cols: number): void {
  const wasm = ctx.wasm as unknown as GeluExports;
  const threads = threadsFor(ctx, rows * cols);
  if (threads <= 1 || rows < 2) {
    wasm.linearGelu(po, pb, rows, cols);
    return;
  }
  const ranges = splitRange(rows, pieceCount(rows * cols, threads, GELU_THREADING.minElements / 4, 64, 2) , 1);
  const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn: 'linearGelu', args: [po + 4 * s * cols, pb, e - s, cols], wsArg: -1 }));
  ctx.parallel!.run('linear', chunks, { out: [po, po + 4 * rows * cols] });
}

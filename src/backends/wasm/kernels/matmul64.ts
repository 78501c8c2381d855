/**
 * @file float64 matmul and linear on the wasm backend: the f64x2 GEMM (assembly/gemm64.as) per
 * batch matrix, transposes as strides, split across the worker pool exactly as the float32 GEMM
 * (kernels/matmul.ts: same THREADING thresholds, guided split, one workspace per piece), so every
 * element of C is summed in the same k blocks and order for any thread count (bitwise identical
 * results). `linear` is that GEMM with Wᵀ as strides, then one bias + activation pass
 * (assembly/fused64.as), split across the pool by rows when large. Views outside the heap run the js kernels.
 */
import type { KernelTable } from '../../../core/backend.js';
import type { Kernel, View } from '../../../core/primitive.js';
import { erfScalar } from '../../../core/special.js';
import { broadcastShapes, numel } from '../../../core/shape.js';
import { matmul as jsMatmul } from '../../js/matmul.js';
import { linear as jsLinear } from '../../js/fused.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';
import { EW_THREADING } from './elementwise.js';
import { THREADING, batchOffsets, guidedSplit } from './matmul.js';

interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}
interface LinearAttrs {
  activation: 'none' | 'relu' | 'tanh' | 'gelu';
}

type Gemm = (m: number, n: number, k: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ldc: number, ws: number, kc: number, mc: number, nc: number) => void;

interface F64Exports {
  gemm64: Gemm;
  gemm64WorkspaceBytes(kc: number, mc: number, nc: number): number;
  linearBias64(out: number, bias: number, rows: number, cols: number): void;
  linearRelu64(out: number, bias: number, rows: number, cols: number): void;
  linearTanh64(out: number, bias: number, rows: number, cols: number): void;
}

/**
 * Cache blocking for doubles: a kc×nc block of packed B is kc·nc·8 bytes, so nc is half the
 * float32 kernel's 512 to keep it at 512 KiB in L2; the A micro-panel (kc·4 splats, 16 KiB) is the
 * float32 kernel's exactly.
 */
export const BLOCKS64 = { kc: 256, mc: 64, nc: 256 };

/** C = op(A)·op(B) over float64 views of the heap (batch dims broadcast); false when a view is elsewhere. */
function gemm64(ctx: WasmContext, out: View, a: View, b: View, attrs: MatmulAttrs): boolean {
  const wasm = ctx.wasm as unknown as F64Exports;
  const { transA, transB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (m === 0 || n === 0) return true;
  const { kc, mc, nc } = BLOCKS64;
  const wsBytes = wasm.gemm64WorkspaceBytes(kc, mc, nc);
  const ws = ctx.scratch(wsBytes); // first: it may grow the memory, which re-derives every view
  const pa = ptr(ctx, a);
  const pb = ptr(ctx, b);
  const pc = ptr(ctx, out);
  if (pa < 0 || pb < 0 || pc < 0) return false;
  const [ars, acs] = transA ? [1, m] : [k, 1];
  const [brs, bcs] = transB ? [1, k] : [n, 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const count = numel(batch);
  const offA = count === 1 ? [0] : batchOffsets(batchA, batch);
  const offB = count === 1 ? [0] : batchOffsets(batchB, batch);
  const flops = 2 * m * n * k * count;
  const threads = flops >= THREADING.minFlops && ctx.parallel ? ctx.parallel.threads() : 1;
  if (threads > 1) {
    const chunks: Chunk[] = [];
    // Rows re-pack B per piece (k·n), columns re-pack A (2·m·k in splats): the cheaper one.
    const byRows = 2 * m >= n;
    const extent = byRows ? m : n;
    const wide = Math.max(threads, Math.floor(extent / (byRows ? THREADING.minRows : THREADING.minCols)));
    const pieces = Math.min(wide, Math.ceil(pieceCount(flops, threads, THREADING.pieceFlops, 4096, THREADING.piecesPerThread) / count));
    for (let t = 0; t < count; t++) {
      const a0 = pa + 8 * m * k * offA[t]!;
      const b0 = pb + 8 * k * n * offB[t]!;
      const c0 = pc + 8 * m * n * t;
      for (const [s, e] of guidedSplit(extent, threads, pieces, 4)) {
        const args = byRows
          ? [e - s, n, k, a0 + 8 * s * ars, ars, acs, b0, brs, bcs, c0 + 8 * s * n, n, 0, kc, mc, nc]
          : [m, e - s, k, a0, ars, acs, b0 + 8 * s * bcs, brs, bcs, c0 + 8 * s, n, 0, kc, mc, nc];
        chunks.push({ fn: 'gemm64', args, wsArg: 11 });
      }
    }
    ctx.parallel!.run('matmul', chunks, { wsBytes, mainWs: ws, out: [pc, pc + 8 * m * n * count] });
    return true;
  }
  for (let t = 0; t < count; t++) {
    wasm.gemm64(m, n, k, pa + 8 * m * k * offA[t]!, ars, acs, pb + 8 * k * n * offB[t]!, brs, bcs, pc + 8 * m * n * t, n, ws, kc, mc, nc);
  }
  return true;
}

const MATMUL_BT = { transA: false, transB: true };

/** The float64 kernels of matmul and linear (the caller routes float64 operands here). */
export function matmul64Kernels(ctx: WasmContext): KernelTable {
  const wasm = ctx.wasm as unknown as F64Exports;
  const matmul: Kernel<MatmulAttrs> = (out, ins, attrs) => {
    const [a, b] = ins as [View, View];
    if (!gemm64(ctx, out, a, b, attrs)) jsMatmul(out, ins, attrs);
  };
  const linear: Kernel<LinearAttrs> = (out, ins, attrs) => {
    const [x, w, b] = ins as [View, View, View | undefined];
    const [outF, inF] = w.shape as [number, number];
    const rows = outF === 0 ? 0 : out.values.length / outF;
    if (rows === 0 || outF === 0) return;
    // Getters, not arrays: a scratch grow inside the GEMM replaces the buffer the views are on.
    const out2: View = { shape: [rows, outF], dtype: 'float64', get values() { return out.values; } };
    const x2: View = { shape: [rows, inF], dtype: 'float64', get values() { return x.values; } };
    if (!gemm64(ctx, out2, x2, w, MATMUL_BT)) return jsLinear(out, ins, attrs);
    const po = ptr(ctx, out);
    const pb = b ? ptr(ctx, b) : 0;
    if (pb < 0) return jsLinear(out, ins, attrs);
    const { activation } = attrs;
    const fn = activation === 'relu' ? 'linearRelu64' : activation === 'tanh' ? 'linearTanh64' : b ? 'linearBias64' : null;
    if (fn !== null) {
      // tanh costs ~4 ns per element on f64x2 (as much as a 32-deep GEMM): split its rows like an
      // elementwise op (EW_THREADING, the float32 kernels' measured thresholds), each row on one thread.
      const n = rows * outF;
      const threads = ctx.parallel && rows > 1 && n >= (fn === 'linearTanh64' ? EW_THREADING.costly : EW_THREADING.cheap) ? ctx.parallel.threads() : 1;
      if (threads > 1) {
        const pieces = splitRange(rows, Math.min(rows, pieceCount(n, threads, 4096, 1024, 2)), 1);
        ctx.parallel!.run('linear', pieces.map(([s, e]): Chunk => ({ fn, args: [po + 8 * s * outF, pb, e - s, outF], wsArg: -1 })), { out: [po, po + 8 * n] });
      } else {
        (wasm[fn] as (out: number, bias: number, rows: number, cols: number) => void)(po, pb, rows, outF);
      }
    }
    if (activation === 'gelu') {
      const o = out.values;
      for (let i = 0; i < o.length; i++) o[i] = o[i]! * 0.5 * (erfScalar(o[i]! * Math.SQRT1_2) + 1);
    }
  };
  return { matmul: matmul as Kernel<never>, linear: linear as Kernel<never> };
}

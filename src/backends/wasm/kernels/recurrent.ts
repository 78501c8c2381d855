/**
 * @file lstmCell / lstmCellBackward / gruCell / gruCellBackward on the wasm backend: float32 rows
 * in wasm (assembly/recurrent.as, f32x4 with the vmath exp and tanh), split by row ranges across
 * the worker pool when the step is large (each unit is computed the same way on any thread and
 * at any offset, so results do not depend on the thread count); float64 and operands outside the
 * heap run the js kernels (doubles). Contract: ops/primitives/recurrent-cell.ts.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { gruCell as jsGru, gruCellBackward as jsGruBack, lstmCell as jsLstm, lstmCellBackward as jsLstmBack } from '../../js/recurrent.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

type NoAttrs = Record<string, never>;

/**
 * Units (rows·H) from which a cell pass is split across threads. A unit costs about five exp/tanh
 * (LSTM: three logistics and two tanh; GRU forward three), so 2^13 units (one step of batch 32 x
 * hidden 256) is the work of ~2^15 elements of `tanh`, where the elementwise kernels measured
 * 1.4x at 2 threads (kernels/elementwise.ts EW_THREADING); below it, waking a worker costs more
 * than it saves. pool/testing.ts lowers it to force the threaded path in tests.
 */
export const RECURRENT_THREADING = { minUnits: 1 << 13 };

interface RecurrentExports {
  lstmCellF32(xg: number, hg: number, c: number, oh: number, oc: number, rows: number, H: number): void;
  lstmCellBackwardF32(gh: number, gc: number, xg: number, hg: number, c: number, out: number, rows: number, H: number): void;
  gruCellF32(xg: number, hg: number, h: number, out: number, rows: number, H: number): void;
  gruCellBackwardF32(g: number, xg: number, hg: number, h: number, out: number, rows: number, H: number): void;
}

/** Heap offsets of float32 views, or null (then the js kernel runs). */
function pointers(ctx: WasmContext, out: View, ins: readonly View[]): number[] | null {
  if (out.dtype !== 'float32') return null;
  const ps = [ptr(ctx, out)];
  for (const v of ins) {
    if (v.dtype !== 'float32') return null;
    ps.push(ptr(ctx, v));
  }
  return ps.some((p) => p < 0) ? null : ps;
}

/**
 * Runs export `fn` over rows [0, rows) of H units: `args(s, e)` gives its arguments for rows [s, e).
 * Threaded from RECURRENT_THREADING.minUnits; `out` is the byte range the chunks write.
 */
function overRows(ctx: WasmContext, op: string, fn: keyof RecurrentExports, rows: number, H: number, out: [number, number], args: (s: number, e: number) => number[]): void {
  const units = rows * H;
  const threads = units >= RECURRENT_THREADING.minUnits && rows >= 2 && ctx.parallel ? ctx.parallel.threads() : 1;
  if (threads <= 1) {
    (ctx.wasm as unknown as Record<string, (...a: number[]) => void>)[fn]!(...args(0, rows));
    return;
  }
  const ranges = splitRange(rows, pieceCount(units, threads, RECURRENT_THREADING.minUnits / 4, 64, 2), 1);
  const chunks: Chunk[] = ranges.map(([s, e]) => ({ fn, args: args(s, e), wsArg: -1 }));
  ctx.parallel!.run(op, chunks, { out });
}

/** The four cell kernels of the wasm backend's table (float32 in wasm, the rest to the js kernels). */
export function recurrentKernels(ctx: WasmContext): { lstmCell: Kernel<NoAttrs>; lstmCellBackward: Kernel<NoAttrs>; gruCell: Kernel<NoAttrs>; gruCellBackward: Kernel<NoAttrs> } {
  return {
    lstmCell: (out, ins, attrs) => {
      const p = pointers(ctx, out, ins);
      if (!p) return jsLstm(out, ins, attrs);
      const [B, H] = ins[2]!.shape as [number, number];
      if (B === 0 || H === 0) return;
      const [po, px, py, pc] = p as [number, number, number, number];
      const oc = po + 4 * B * H;
      overRows(ctx, 'lstmCell', 'lstmCellF32', B, H, [po, po + 8 * B * H], (s, e) => [px + 16 * s * H, py + 16 * s * H, pc + 4 * s * H, po + 4 * s * H, oc + 4 * s * H, e - s, H]);
    },
    lstmCellBackward: (out, ins, attrs) => {
      const p = pointers(ctx, out, ins);
      if (!p) return jsLstmBack(out, ins, attrs);
      const [B, H] = ins[3]!.shape as [number, number];
      if (B === 0 || H === 0) return;
      const [po, pg, px, py, pc] = p as [number, number, number, number, number];
      const gc = pg + 4 * B * H;
      overRows(ctx, 'lstmCellBackward', 'lstmCellBackwardF32', B, H, [po, po + 20 * B * H], (s, e) => [pg + 4 * s * H, gc + 4 * s * H, px + 16 * s * H, py + 16 * s * H, pc + 4 * s * H, po + 20 * s * H, e - s, H]);
    },
    gruCell: (out, ins, attrs) => {
      const p = pointers(ctx, out, ins);
      if (!p) return jsGru(out, ins, attrs);
      const [B, H] = ins[2]!.shape as [number, number];
      if (B === 0 || H === 0) return;
      const [po, px, py, ph] = p as [number, number, number, number];
      overRows(ctx, 'gruCell', 'gruCellF32', B, H, [po, po + 4 * B * H], (s, e) => [px + 12 * s * H, py + 12 * s * H, ph + 4 * s * H, po + 4 * s * H, e - s, H]);
    },
    gruCellBackward: (out, ins, attrs) => {
      const p = pointers(ctx, out, ins);
      if (!p) return jsGruBack(out, ins, attrs);
      const [B, H] = ins[3]!.shape as [number, number];
      if (B === 0 || H === 0) return;
      const [po, pg, px, py, ph] = p as [number, number, number, number, number];
      overRows(ctx, 'gruCellBackward', 'gruCellBackwardF32', B, H, [po, po + 28 * B * H], (s, e) => [pg + 4 * s * H, px + 12 * s * H, py + 12 * s * H, ph + 4 * s * H, po + 28 * s * H, e - s, H]);
    },
  };
}

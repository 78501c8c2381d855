/**
 * @file float64 elementwise ops and reductions on the wasm backend (assembly/elementwise64.as,
 * reduce64.as): neg/abs/sqrt/tanh, binary arithmetic with broadcasting (same 2-D plans as the float32
 * kernels), `where`, and sum/max/min over a contiguous run of axes. Large ops are split across the
 * worker pool by element (or row, or outer) ranges with the float32 kernels' thresholds; each
 * element is computed by the same code on any thread, so results do not depend on the thread
 * count. Ops without a float64 wasm kernel, and views outside the heap, run the js kernels.
 */
import type { KernelTable } from '../../../core/backend.js';
import type { Kernel, PrimitiveName, View } from '../../../core/primitive.js';
import { JS_KERNELS } from '../../js/index.js';
import { type WasmContext, ptr } from '../context.js';
import type { BinaryFn, ColsFn, RowsFn, UnaryFn } from '../module.js';
import { forEachOuter, plan2D } from './broadcast.js';
import { EW_THREADING } from './elementwise.js';
import { REDUCE_THREADING, reduceRuns } from './reduce.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

const UNARY = { neg: 'unaryNeg64', abs: 'unaryAbs64', sqrt: 'unarySqrt64', tanh: 'unaryTanh64' } as const;
const BINARY = {
  add: 'binaryAdd64', sub: 'binarySub64', mul: 'binaryMul64', div: 'binaryDiv64', maximum: 'binaryMax64', minimum: 'binaryMin64',
} as const;

type Exports = Record<string, (...args: number[]) => void>;

const js = (name: PrimitiveName): Kernel<unknown> => JS_KERNELS[name] as Kernel<unknown>;

/**
 * Runs `piece(s, e)` over [0, total) across the pool when `work` elements reach `min`, in ranges
 * on multiples of `unit`; false when the caller should run the op on this thread.
 */
function split(ctx: WasmContext, name: string, work: number, min: number, total: number, unit: number, out: [number, number], piece: (s: number, e: number) => Chunk): boolean {
  if (work < min || work < 32 || !ctx.parallel) return false;
  const threads = ctx.parallel.threads();
  if (threads < 2 || total < 2) return false;
  const pieces = pieceCount(work, threads, Math.max(16, min / 4), 1024, 2);
  ctx.parallel.run(name, splitRange(total, pieces, unit).map(([s, e]) => piece(s, e)), { out });
  return true;
}

function unaryKernel(ctx: WasmContext, name: keyof typeof UNARY): Kernel<unknown> {
  const fn = UNARY[name];
  return (out, ins, attrs) => {
    const px = ptr(ctx, ins[0]!);
    const po = ptr(ctx, out);
    if (px < 0 || po < 0) return js(name)(out, ins, attrs);
    const n = out.values.length;
    const piece = (s: number, e: number): Chunk => ({ fn, args: [px + 8 * s, po + 8 * s, e - s], wsArg: -1 });
    if (split(ctx, name, n, name === 'tanh' ? EW_THREADING.costly : EW_THREADING.cheap, n, 8, [po, po + 8 * n], piece)) return;
    (ctx.wasm as unknown as Record<string, UnaryFn>)[fn]!(px, po, n);
  };
}

function binaryKernel(ctx: WasmContext, name: keyof typeof BINARY): Kernel<unknown> {
  const fn = BINARY[name];
  return (out, ins, attrs) => {
    const [a, b] = ins as [View, View];
    const pa = a.dtype === 'float64' ? ptr(ctx, a) : -1;
    const pb = b.dtype === 'float64' ? ptr(ctx, b) : -1;
    const po = ptr(ctx, out);
    if (pa < 0 || pb < 0 || po < 0) return js(name)(out, ins, attrs);
    const run = (ctx.wasm as unknown as Record<string, BinaryFn>)[fn]!;
    const n = out.values.length;
    const na = a.values.length;
    const nb = b.values.length;
    const range: [number, number] = [po, po + 8 * n];
    if ((na === n || na === 1) && (nb === n || nb === 1)) {
      const sa = na === n ? 1 : 0;
      const sb = nb === n ? 1 : 0;
      const piece = (s: number, e: number): Chunk => ({ fn, args: [pa + 8 * s * sa, pb + 8 * s * sb, po + 8 * s, 1, e - s, 0, sa, 0, sb], wsArg: -1 });
      if (split(ctx, name, n, EW_THREADING.cheap, n, 8, range, piece)) return;
      run(pa, pb, po, 1, n, 0, sa, 0, sb);
      return;
    }
    const plan = plan2D(out.shape, [a.shape, b.shape]);
    const [[sa0, sa1], [sb0, sb1]] = plan.strides as [[number, number], [number, number]];
    if (plan.outer.length === 0 && plan.rows > 1) {
      const { rows, cols } = plan;
      const piece = (s: number, e: number): Chunk => ({ fn, args: [pa + 8 * s * sa0, pb + 8 * s * sb0, po + 8 * s * cols, e - s, cols, sa0, sa1, sb0, sb1], wsArg: -1 });
      if (split(ctx, name, n, EW_THREADING.cheap, rows, 1, range, piece)) return;
    }
    forEachOuter(plan, ([oa, ob], oo) => {
      run(pa + 8 * oa!, pb + 8 * ob!, po + 8 * oo, plan.rows, plan.cols, sa0, sa1, sb0, sb1);
    });
  };
}

function whereKernel(ctx: WasmContext): Kernel<unknown> {
  return (out, ins, attrs) => {
    const [c, a, b] = ins as [View, View, View];
    const n = out.values.length;
    const ok = (v: View): boolean => v.values.length === n || v.values.length === 1;
    const [pc, pa, pb, po] = [ptr(ctx, c), ptr(ctx, a), ptr(ctx, b), ptr(ctx, out)];
    if (a.dtype !== 'float64' || !ok(c) || !ok(a) || !ok(b) || pc < 0 || pa < 0 || pb < 0 || po < 0) return js('where')(out, ins, attrs);
    const s = (v: View): number => (v.values.length === n ? 1 : 0);
    const [sc, sa, sb] = [s(c), s(a), s(b)];
    const piece = (i: number, e: number): Chunk => ({ fn: 'select64', args: [pc + i * sc, pa + 8 * i * sa, pb + 8 * i * sb, po + 8 * i, e - i, sc, sa, sb], wsArg: -1 });
    if (split(ctx, 'where', n, EW_THREADING.cheap, n, 8, [po, po + 8 * n], piece)) return;
    (ctx.wasm as unknown as Exports).select64!(pc, pa, pb, po, n, sc, sa, sb);
  };
}

interface ReduceAttrs {
  axes: readonly number[];
}

function reduceKernel(ctx: WasmContext, name: 'sum' | 'max' | 'min'): Kernel<ReduceAttrs> {
  const rowsFn = `${name}Rows64`;
  const colsFn = `${name}Cols64`;
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const runs = reduceRuns(x.shape, attrs.axes);
    const px = runs ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (!runs || px < 0 || po < 0) return js(name)(out, ins, attrs);
    const [outer, len, inner] = runs;
    if (out.values.length === 0) return;
    const piece = (s: number, e: number): Chunk =>
      inner === 1
        ? { fn: rowsFn, args: [px + 8 * s * len, po + 8 * s, e - s, len], wsArg: -1 }
        : { fn: colsFn, args: [px + 8 * s * len * inner, po + 8 * s * inner, e - s, len, inner], wsArg: -1 };
    // Split over outer only: each output is reduced by one thread in the single-threaded order.
    if (split(ctx, name, outer * len * inner, REDUCE_THREADING.minElems, outer, 1, [po, po + 8 * outer * inner], piece)) return;
    const w = ctx.wasm as unknown as Record<string, RowsFn & ColsFn>;
    if (inner === 1) (w[rowsFn] as RowsFn)(px, po, outer, len);
    else (w[colsFn] as ColsFn)(px, po, outer, len, inner);
  };
}

/** The float64 elementwise and reduction kernels (the caller routes float64 operands here). */
export function elementwise64Kernels(ctx: WasmContext): KernelTable {
  const table: KernelTable = { where: whereKernel(ctx) };
  for (const name of Object.keys(UNARY) as (keyof typeof UNARY)[]) table[name] = unaryKernel(ctx, name);
  for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) table[name] = binaryKernel(ctx, name);
  for (const name of ['sum', 'max', 'min'] as const) table[name] = reduceKernel(ctx, name) as Kernel<never>;
  return table;
}

/**
 * @file Elementwise kernels of the wasm backend: float32 unary maps, binary arithmetic and
 * comparisons with broadcasting, `where`, and cosSin (Fourier features). Anything else (other dtypes, pow, log1p, ...) runs the
 * primitive's reference loops on the same heap views.
 *
 * Large ops are split into element ranges (row ranges for broadcast patterns) across the worker
 * pool; each element is computed by the same code whichever thread runs it (tails use the vector
 * op too, see assembly/elementwise.as), so results do not depend on the thread count.
 */
import type { KernelTable } from '../../../core/backend.js';
import { getPrimitive, type Kernel, type PrimitiveName, type View } from '../../../core/primitive.js';
import { type WasmContext, ptr } from '../context.js';
import type { BinaryFn, KernelExports, UnaryFn } from '../module.js';
import { forEachOuter, plan2D } from './broadcast.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';

/**
 * Elements from which an op is split across threads (2 threads vs 1, best of windows, idle
 * machine, bench/pool-thresholds.ts): `add` breaks even at 2^18 elements (1.34x at 2^19, 1.6x at
 * 2^20: memory-bound), exp at 2^14 (1.1x at 2^15, 1.9x at 2^19), tanh at 2^13 (1.4x at 2^15).
 * sin/cos (and cosSin, both at once) cost 2-3x exp per element (1 thread, CPU time), so the costly
 * threshold is on the safe side for them (not yet measured idle).
 * Below these, waking a worker (~3-5 µs idle, far more on a busy machine) costs more than it
 * saves. pool/testing.ts sets both to 0 to force the threaded paths in tests.
 */
export const EW_THREADING = { cheap: 1 << 18, costly: 1 << 15 };
const COSTLY = new Set<PrimitiveName>(['exp', 'log', 'tanh', 'erf', 'geluForward', 'sin', 'cos', 'cosSin']);

/**
 * Runs `piece(start, end)` over [0, n) split across the pool when n reaches the op's threshold
 * (boundaries on multiples of 16 elements: whole vectors, and cache-line aligned outputs).
 * Returns false when the caller should run the op on this thread.
 */
function splitElements(ctx: WasmContext, name: PrimitiveName, n: number, out: View, outBytes: number, piece: (s: number, e: number) => Chunk): boolean {
  const min = COSTLY.has(name) ? EW_THREADING.costly : EW_THREADING.cheap;
  if (n < min || n < 32 || !ctx.parallel) return false;
  const threads = ctx.parallel.threads();
  if (threads < 2) return false;
  const chunks = splitRange(n, pieceCount(n, threads, Math.max(16, min / 4), 1024, 2), 16).map(([s, e]) => piece(s, e));
  const po = ptr(ctx, out);
  ctx.parallel.run(name, chunks, { out: [po, po + outBytes * n] });
  return true;
}

// Primitive -> export of assembly/elementwise.as.
const UNARY = {
  neg: 'unaryNeg', abs: 'unaryAbs', sqrt: 'unarySqrt', exp: 'unaryExp', log: 'unaryLog', tanh: 'unaryTanh', sign: 'unarySign', erf: 'unaryErf', geluForward: 'unaryGelu', sin: 'unarySin', cos: 'unaryCos',
} as const satisfies Partial<Record<PrimitiveName, keyof KernelExports>>;
const BINARY = {
  add: 'binaryAdd', sub: 'binarySub', mul: 'binaryMul', div: 'binaryDiv', maximum: 'binaryMax', minimum: 'binaryMin',
  eq: 'compareEq', ne: 'compareNe', lt: 'compareLt', le: 'compareLe', gt: 'compareGt', ge: 'compareGe',
} as const satisfies Partial<Record<PrimitiveName, keyof KernelExports>>;
const COMPARISONS = new Set<PrimitiveName>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** Runs the primitive's reference kernel (other dtypes, or views outside the heap). */
function fallback(name: PrimitiveName, out: View, ins: readonly View[], attrs: unknown): void {
  getPrimitive(name).reference(out, ins, attrs);
}

function unaryKernel(ctx: WasmContext, name: keyof typeof UNARY): Kernel<unknown> {
  const fn: UnaryFn = ctx.wasm[UNARY[name]];
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const px = x.dtype === 'float32' ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (px < 0 || po < 0) return fallback(name, out, ins, attrs);
    const n = out.values.length;
    if (splitElements(ctx, name, n, out, 4, (s, e) => ({ fn: UNARY[name], args: [px + 4 * s, po + 4 * s, e - s], wsArg: -1 }))) return;
    fn(px, po, n);
  };
}

/** clamp: the bounds go to wasm as float32, which compares exactly like the reference (see the .as file). */
function clampKernel(ctx: WasmContext): Kernel<{ min: number; max: number }> {
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const px = x.dtype === 'float32' ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (px < 0 || po < 0) return fallback('clamp', out, ins, attrs);
    const n = out.values.length;
    // The bounds go through the descriptor as float64 and reach wasm as f32 exactly as here.
    if (splitElements(ctx, 'clamp', n, out, 4, (s, e) => ({ fn: 'unaryClamp', args: [px + 4 * s, po + 4 * s, e - s, attrs.min, attrs.max], wsArg: -1 }))) return;
    ctx.wasm.unaryClamp(px, po, n, attrs.min, attrs.max);
  };
}

/** Binary arithmetic and comparisons: same-shape and scalar fast paths, else a 2-D plan. */
function binaryKernel(ctx: WasmContext, name: keyof typeof BINARY): Kernel<unknown> {
  const run: BinaryFn = ctx.wasm[BINARY[name]];
  const outBytes = COMPARISONS.has(name) ? 1 : 4; // comparisons write bool bytes
  return (out, ins, attrs) => {
    const [a, b] = ins as [View, View];
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(name, out, ins, attrs);
    const pa = ptr(ctx, a);
    const pb = ptr(ctx, b);
    const po = ptr(ctx, out);
    if (pa < 0 || pb < 0 || po < 0) return fallback(name, out, ins, attrs);
    const n = out.values.length;
    const na = a.values.length;
    const nb = b.values.length;
    if ((na === n || na === 1) && (nb === n || nb === 1)) {
      const sa = na === n ? 1 : 0;
      const sb = nb === n ? 1 : 0;
      const piece = (s: number, e: number): Chunk => ({ fn: BINARY[name], args: [pa + 4 * s * sa, pb + 4 * s * sb, po + outBytes * s, 1, e - s, 0, sa, 0, sb], wsArg: -1 });
      if (splitElements(ctx, name, n, out, outBytes, piece)) return;
      run(pa, pb, po, 1, n, 0, sa, 0, sb);
      return;
    }
    const plan = plan2D(out.shape, [a.shape, b.shape]);
    const [[sa0, sa1], [sb0, sb1]] = plan.strides as [[number, number], [number, number]];
    if (plan.outer.length === 0 && plan.rows > 1) {
      // One 2-D call (a bias row, a softmax column): split its rows.
      const { rows, cols } = plan;
      const piece = (s: number, e: number): Chunk => ({ fn: BINARY[name], args: [pa + 4 * s * sa0, pb + 4 * s * sb0, po + outBytes * s * cols, e - s, cols, sa0, sa1, sb0, sb1], wsArg: -1 });
      if (splitRows(ctx, name, rows, cols, out, outBytes, piece)) return;
    }
    forEachOuter(plan, ([oa, ob], oo) => {
      run(pa + 4 * oa!, pb + 4 * ob!, po + outBytes * oo, plan.rows, plan.cols, sa0, sa1, sb0, sb1);
    });
  };
}

/** Like splitElements for a rows × cols op: pieces are row ranges. */
function splitRows(ctx: WasmContext, name: PrimitiveName, rows: number, cols: number, out: View, outBytes: number, piece: (s: number, e: number) => Chunk): boolean {
  const n = rows * cols;
  const min = COSTLY.has(name) ? EW_THREADING.costly : EW_THREADING.cheap;
  if (n < min || n < 32 || !ctx.parallel) return false;
  const threads = ctx.parallel.threads();
  if (threads < 2) return false;
  const pieces = pieceCount(n, threads, Math.max(16, min / 4), 1024, 2);
  const chunks = splitRange(rows, pieces, 1).map(([s, e]) => piece(s, e));
  const po = ptr(ctx, out);
  ctx.parallel.run(name, chunks, { out: [po, po + outBytes * n] });
  return true;
}

/**
 * cosSin (Fourier features): rows × m -> rows × 2m, [cos, sin] per row in one pass, split by rows
 * like the costly unary maps (it does the work of sin and cos together).
 */
function cosSinKernel(ctx: WasmContext): Kernel<unknown> {
  return (out, ins, attrs) => {
    const p = ins[0]!;
    const pp = p.dtype === 'float32' ? ptr(ctx, p) : -1;
    const po = ptr(ctx, out);
    if (pp < 0 || po < 0) return fallback('cosSin', out, ins, attrs);
    const m = p.shape[p.shape.length - 1]!;
    const rows = m === 0 ? 0 : p.values.length / m;
    const piece = (s: number, e: number): Chunk => ({ fn: 'cosSinRows', args: [pp + 4 * s * m, po + 8 * s * m, e - s, m], wsArg: -1 });
    if (rows > 1 && splitRows(ctx, 'cosSin', rows, 2 * m, out, 4, piece)) return;
    ctx.wasm.cosSinRows(pp, po, rows, m);
  };
}

function whereKernel(ctx: WasmContext): Kernel<unknown> {
  return (out, ins, attrs) => {
    const [c, a, b] = ins as [View, View, View];
    const n = out.values.length;
    const ok = (v: View): boolean => v.values.length === n || v.values.length === 1;
    const bits32 = a.dtype === 'float32' || a.dtype === 'int32';
    if (!bits32 || !ok(c) || !ok(a) || !ok(b)) return fallback('where', out, ins, attrs);
    const [pc, pa, pb, po] = [ptr(ctx, c), ptr(ctx, a), ptr(ctx, b), ptr(ctx, out)];
    if (pc < 0 || pa < 0 || pb < 0 || po < 0) return fallback('where', out, ins, attrs);
    const s = (v: View): number => (v.values.length === n ? 1 : 0);
    const [sc, sa, sb] = [s(c), s(a), s(b)];
    // a, b and out hold 4-byte elements, cond 1-byte bools.
    const piece = (i: number, e: number): Chunk => ({ fn: 'select', args: [pc + i * sc, pa + 4 * i * sa, pb + 4 * i * sb, po + 4 * i, e - i, sc, sa, sb], wsArg: -1 });
    if (splitElements(ctx, 'where', n, out, 4, piece)) return;
    ctx.wasm.select(pc, pa, pb, po, n, sc, sa, sb);
  };
}

export function elementwiseKernels(ctx: WasmContext): KernelTable {
  const table: KernelTable = { clamp: clampKernel(ctx) as Kernel<never>, where: whereKernel(ctx), cosSin: cosSinKernel(ctx) };
  for (const name of Object.keys(UNARY) as (keyof typeof UNARY)[]) table[name] = unaryKernel(ctx, name);
  for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) table[name] = binaryKernel(ctx, name);
  return table;
}

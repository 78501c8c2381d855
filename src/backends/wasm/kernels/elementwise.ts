/**
 * @file Elementwise kernels of the wasm backend: float32 unary maps, binary arithmetic and
 * comparisons with broadcasting, and `where`. Anything else (other dtypes, pow, sin, ...) runs the
 * primitive's reference loops on the same heap views.
 */
import type { KernelTable } from '../../../core/backend.js';
import { getPrimitive, type Kernel, type PrimitiveName, type View } from '../../../core/primitive.js';
import { type WasmContext, ptr } from '../context.js';
import type { BinaryFn, KernelExports, UnaryFn } from '../module.js';
import { forEachOuter, plan2D } from './broadcast.js';

// Primitive -> export of assembly/elementwise.as.
const UNARY = {
  neg: 'unaryNeg', abs: 'unaryAbs', sqrt: 'unarySqrt', exp: 'unaryExp', log: 'unaryLog', tanh: 'unaryTanh', sign: 'unarySign',
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
    fn(px, po, out.values.length);
  };
}

/** clamp: the bounds go to wasm as float32, which compares exactly like the reference (see the .as file). */
function clampKernel(ctx: WasmContext): Kernel<{ min: number; max: number }> {
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const px = x.dtype === 'float32' ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (px < 0 || po < 0) return fallback('clamp', out, ins, attrs);
    ctx.wasm.unaryClamp(px, po, out.values.length, attrs.min, attrs.max);
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
      run(pa, pb, po, 1, n, 0, na === n ? 1 : 0, 0, nb === n ? 1 : 0);
      return;
    }
    const plan = plan2D(out.shape, [a.shape, b.shape]);
    const [[sa0, sa1], [sb0, sb1]] = plan.strides as [[number, number], [number, number]];
    forEachOuter(plan, ([oa, ob], oo) => {
      run(pa + 4 * oa!, pb + 4 * ob!, po + outBytes * oo, plan.rows, plan.cols, sa0, sa1, sb0, sb1);
    });
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
    ctx.wasm.select(pc, pa, pb, po, n, s(c), s(a), s(b));
  };
}

export function elementwiseKernels(ctx: WasmContext): KernelTable {
  const table: KernelTable = { clamp: clampKernel(ctx) as Kernel<never>, where: whereKernel(ctx) };
  for (const name of Object.keys(UNARY) as (keyof typeof UNARY)[]) table[name] = unaryKernel(ctx, name);
  for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) table[name] = binaryKernel(ctx, name);
  return table;
}

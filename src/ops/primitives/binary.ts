/**
 * @file Elementwise binary primitives with NumPy broadcasting, and `where`. Wrappers promote the
 * operands to one dtype first (so kernels see equal dtypes); vjps return gradients in the output's
 * broadcast shape and autograd sums them back to each input's shape.
 */
import { type DType, isFloat } from '../../core/dtype.js';
import { DTypeError } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { type Meta, type Primitive, type PrimitiveName, registerPrimitive } from '../../core/primitive.js';
import { broadcastShapes } from '../../core/shape.js';
import { getDefaultDType } from '../../core/dtype.js';
import { Tensor } from '../../core/tensor.js';
import { badArgument, checkArgCount, describe } from '../../core/args.js';
import { mapKernel } from './kernel-util.js';
import { log, neg } from './unary.js';
import { type TensorLike, asTensor, castTo, commonOperands } from '../tensor-like.js';

type Vjp = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];

function inferBinary(name: string, [a, b]: readonly Meta[], out?: DType): Meta {
  if (a!.dtype !== b!.dtype) throw new DTypeError(`${name}: operand dtypes differ (${a!.dtype} vs ${b!.dtype})`);
  return { shape: broadcastShapes(name, a!.shape, b!.shape), dtype: out ?? a!.dtype };
}

function arithmetic(name: PrimitiveName, f: (a: number, b: number) => number, vjp: Vjp): Primitive<unknown> {
  return registerPrimitive<unknown>({
    name,
    infer: (ins) => {
      if (ins[0]!.dtype === 'bool') throw new DTypeError(`${name}: bool operands are not supported, cast to int32 or a float first`);
      return inferBinary(name, ins);
    },
    reference: mapKernel(f),
    vjp: (g, [a, b], out) => (isFloat(a!.dtype) ? vjp(g, a!, b!, out) : [null, null]),
  });
}

function comparison(name: PrimitiveName, f: (a: number, b: number) => boolean): Primitive<unknown> {
  return registerPrimitive<unknown>({
    name,
    infer: (ins) => inferBinary(name, ins, 'bool'),
    reference: mapKernel((a, b) => (f(a, b) ? 1 : 0)),
  });
}

// Ties in maximum/minimum split the gradient evenly, as PyTorch does.
function pickGrad(g: Tensor, win: Tensor, tie: Tensor): Tensor {
  return mul(g, add(castTo(win, g.dtype), mul(castTo(tie, g.dtype), 0.5)));
}

export const ADD = arithmetic('add', (a, b) => a + b, (g) => [g, g]);
export const SUB = arithmetic('sub', (a, b) => a - b, (g) => [g, neg(g)]);
export const MUL = arithmetic('mul', (a, b) => a * b, (g, a, b) => [mul(g, b), mul(g, a)]);
// d(a/b) = da/b - a db/b^2 = (da - out db)/b
export const DIV = arithmetic('div', (a, b) => a / b, (g, _a, b, out) => [div(g, b), neg(div(mul(g, out), b))]);
// d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a, taken as 0 where a <= 0 (PyTorch gives 0 at a = 0).
export const POW = arithmetic('pow', Math.pow, (g, a, b, out) => [
  mul(g, mul(b, pow(a, sub(b, 1)))),
  mul(g, where(gt(a, 0), mul(out, log(where(gt(a, 0), a, 1))), 0)),
]);
export const MAXIMUM = arithmetic('maximum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), (g, a, b) => [
  pickGrad(g, gt(a, b), eq(a, b)),
  pickGrad(g, lt(a, b), eq(a, b)),
]);
export const MINIMUM = arithmetic('minimum', (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), (g, a, b) => [
  pickGrad(g, lt(a, b), eq(a, b)),
  pickGrad(g, gt(a, b), eq(a, b)),
]);
export const EQ = comparison('eq', (a, b) => a === b);
export const NE = comparison('ne', (a, b) => a !== b);
export const LT = comparison('lt', (a, b) => a < b);
export const LE = comparison('le', (a, b) => a <= b);
export const GT = comparison('gt', (a, b) => a > b);
export const GE = comparison('ge', (a, b) => a >= b);

function operand(op: string, name: string, v: unknown): void {
  if (!(v instanceof Tensor) && typeof v !== 'number' && typeof v !== 'boolean') {
    throw badArgument(`${op}: ${name} must be a Tensor or a number, got ${describe(v)}`);
  }
}

function bin(p: Primitive<unknown>, argc: number, a: TensorLike, b: TensorLike, min?: DType): Tensor {
  checkArgCount(p.name, argc, 2, `${p.name}(input, other)`);
  operand(p.name, 'input', a);
  operand(p.name, 'other', b);
  return apply(p, commonOperands(a, b, min), {});
}

export function add(a: TensorLike, b: TensorLike): Tensor { return bin(ADD, arguments.length, a, b, 'int32'); }
export function sub(a: TensorLike, b: TensorLike): Tensor { return bin(SUB, arguments.length, a, b, 'int32'); }
export function mul(a: TensorLike, b: TensorLike): Tensor { return bin(MUL, arguments.length, a, b, 'int32'); }
/** True division: integer operands give the default float dtype (PyTorch). */
export function div(a: TensorLike, b: TensorLike): Tensor { return bin(DIV, arguments.length, a, b, getDefaultDType()); }
export function pow(a: TensorLike, b: TensorLike): Tensor { return bin(POW, arguments.length, a, b, 'int32'); }
export function maximum(a: TensorLike, b: TensorLike): Tensor { return bin(MAXIMUM, arguments.length, a, b, 'int32'); }
export function minimum(a: TensorLike, b: TensorLike): Tensor { return bin(MINIMUM, arguments.length, a, b, 'int32'); }
export function eq(a: TensorLike, b: TensorLike): Tensor { return bin(EQ, arguments.length, a, b); }
export function ne(a: TensorLike, b: TensorLike): Tensor { return bin(NE, arguments.length, a, b); }
export function lt(a: TensorLike, b: TensorLike): Tensor { return bin(LT, arguments.length, a, b); }
export function le(a: TensorLike, b: TensorLike): Tensor { return bin(LE, arguments.length, a, b); }
export function gt(a: TensorLike, b: TensorLike): Tensor { return bin(GT, arguments.length, a, b); }
export function ge(a: TensorLike, b: TensorLike): Tensor { return bin(GE, arguments.length, a, b); }

export const WHERE = registerPrimitive<unknown>({
  name: 'where',
  infer: ([c, a, b]) => {
    if (c!.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${c!.dtype}`);
    if (a!.dtype !== b!.dtype) throw new DTypeError(`where: branch dtypes differ (${a!.dtype} vs ${b!.dtype})`);
    return { shape: broadcastShapes('where', broadcastShapes('where', c!.shape, a!.shape), b!.shape), dtype: a!.dtype };
  },
  reference: mapKernel((c, a, b) => (c ? a : b)),
  // The unselected branch gets an exact 0, so a NaN/Inf there never leaks into the gradient.
  vjp: (g, [c, a]) => (isFloat(a!.dtype) ? [null, where(c!, g, 0), where(c!, 0, g)] : [null, null, null]),
});

/** Elementwise `cond ? a : b` with broadcasting; a non-bool condition means `!= 0`. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  checkArgCount('where', arguments.length, 3, 'where(condition, input, other)');
  operand('where', 'condition', cond);
  operand('where', 'input', a);
  operand('where', 'other', b);
  const c = asTensor(cond, 'bool');
  const [x, y] = commonOperands(a, b);
  return apply(WHERE, [c.dtype === 'bool' ? c : ne(c, 0), x, y], {});
}

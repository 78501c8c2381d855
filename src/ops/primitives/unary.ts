/**
 * @file Elementwise unary primitives. Each: shape rule (same shape), float64 reference, vjp with ops.
 */
import { type DType, isDType, isFloat, requireFloat } from '../../core/dtype.js';
import { checkArgCount, checkNumberArg, describe, tensorArg } from '../../core/args.js';
import { unaryArgs } from '../args.js';
import { DTypeError, ValueError } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { type Meta, type Primitive, type PrimitiveName, registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { unaryKernel } from './kernel-util.js';
import { erfScalar } from '../../core/special.js';
import { add, div, ge, le, mul, sub, where } from './binary.js';
import { asTensor, castTo } from '../tensor-like.js';

type Vjp = (g: Tensor, x: Tensor, out: Tensor) => Tensor | null;

function floatUnary(name: PrimitiveName, f: (x: number) => number, vjp: Vjp): Primitive<unknown> {
  return registerPrimitive<unknown>({
    name,
    infer: ([x]: readonly Meta[]) => {
      requireFloat(name, x!.dtype);
      return x!;
    },
    reference: unaryKernel(f),
    vjp: (g, [x], out) => [vjp(g, x!, out)],
  });
}

/** Unary ops that also take int32 (neg, abs, sign). */
function numericUnary(name: PrimitiveName, f: (x: number) => number, vjp: Vjp): Primitive<unknown> {
  return registerPrimitive<unknown>({
    name,
    infer: ([x]: readonly Meta[]) => {
      if (x!.dtype === 'bool') throw new DTypeError(`${name}: bool tensors are not supported, cast to int32 or a float first`);
      return x!;
    },
    reference: unaryKernel(f),
    vjp: (g, [x], out) => [isFloat(x!.dtype) ? vjp(g, x!, out) : null],
  });
}

const SQRT_2_OVER_PI = 2 / Math.sqrt(Math.PI);

export const NEG = numericUnary('neg', (x) => -x, (g) => neg(g));
export const EXP = floatUnary('exp', Math.exp, (g, _x, out) => mul(g, out)); // d/dx e^x = e^x
export const LOG = floatUnary('log', Math.log, (g, x) => div(g, x)); // 1/x
export const LOG1P = floatUnary('log1p', Math.log1p, (g, x) => div(g, add(x, 1))); // 1/(1+x)
export const SQRT = floatUnary('sqrt', Math.sqrt, (g, _x, out) => div(g, mul(out, 2))); // 1/(2 sqrt x)
export const ABS = numericUnary('abs', Math.abs, (g, x) => mul(g, sign(x))); // sign(x), 0 at 0
export const SIN = floatUnary('sin', Math.sin, (g, x) => mul(g, cos(x)));
export const COS = floatUnary('cos', Math.cos, (g, x) => neg(mul(g, sin(x))));
export const TANH = floatUnary('tanh', Math.tanh, (g, _x, out) => mul(g, sub(1, mul(out, out)))); // 1 - tanh^2
export const SIGN = numericUnary('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x), () => null); // NaN stays NaN
export const ERF = floatUnary('erf', erfScalar, (g, x) => mul(g, mul(exp(neg(mul(x, x))), SQRT_2_OVER_PI))); // 2/sqrt(pi) e^{-x^2}

/** The public wrapper of a one-input primitive, named after it. */
function unaryOp(p: Primitive<unknown>): (x: Tensor) => Tensor {
  const name = p.name;
  return {
    [name](x: Tensor): Tensor {
      unaryArgs(name, x, arguments.length);
      return apply(p, [x], {});
    },
  }[name]!;
}

/** -x; also takes a number (a rank-0 result). */
export function neg(x: Tensor | number): Tensor {
  checkArgCount('neg', arguments.length, 1, 'neg(x)');
  if (typeof x !== 'number') tensorArg('neg', 'input', x);
  return apply(NEG, [asTensor(x)], {});
}
export const exp = unaryOp(EXP);
export const log = unaryOp(LOG);
export const log1p = unaryOp(LOG1P);
export const sqrt = unaryOp(SQRT);
export const abs = unaryOp(ABS);
export const sin = unaryOp(SIN);
export const cos = unaryOp(COS);
export const tanh = unaryOp(TANH);
export const sign = unaryOp(SIGN);
export const erf = unaryOp(ERF);

export interface CastAttrs {
  dtype: DType;
}

function castValue(to: DType): (x: number) => number {
  switch (to) {
    case 'bool': return (x) => (x !== 0 ? 1 : 0);
    case 'int32': return (x) => Math.trunc(x) | 0; // toward zero, as PyTorch
    default: return (x) => x;
  }
}

export const CAST = registerPrimitive<CastAttrs>({
  name: 'cast',
  infer: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  reference: (out, [x], { dtype }) => unaryKernel(castValue(dtype))(out, [x!], undefined),
  vjp: (g, [x]) => [isFloat(x!.dtype) ? castTo(g, x!.dtype) : null],
});

/** Converts to `dtype` (float -> int truncates toward zero; nonzero -> true). */
export function cast(x: Tensor, dtype: DType): Tensor {
  unaryArgs('cast', x, arguments.length, 2, 'cast(x, dtype)');
  if (!isDType(dtype)) throw new DTypeError(`cast: unknown dtype ${describe(dtype)}; expected float32, float64, int32 or bool`, 'INVALID_DTYPE');
  return apply(CAST, [x], { dtype });
}

export interface ClampAttrs {
  min: number;
  max: number;
}

export const CLAMP = registerPrimitive<ClampAttrs>({
  name: 'clamp',
  infer: ([x], { min, max }) => {
    if (x!.dtype === 'bool') throw new DTypeError('clamp: bool tensors are not supported');
    if (Number.isNaN(min) || Number.isNaN(max)) throw new ValueError(`clamp: bounds must not be NaN, got min=${min}, max=${max}`);
    return x!;
  },
  reference: (out, [x], { min, max }) => unaryKernel((v) => (v < min ? min : v > max ? max : v))(out, [x!], undefined),
  // Gradient passes where min <= x <= max (PyTorch's convention at the bounds).
  vjp: (g, [x], _out, { min, max }) => [where(ge(x!, min), where(le(x!, max), g, 0), 0)],
});

/** Limits values to [min, max]; either bound may be omitted. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  unaryArgs('clamp', x, arguments.length, 3, 'clamp(x, min?, max?)');
  if (min != null) checkNumberArg('clamp', 'min', min, true);
  if (max != null) checkNumberArg('clamp', 'max', max, true);
  return apply(CLAMP, [x], { min: min ?? -Infinity, max: max ?? Infinity });
}

/** PyTorch's alias of `clamp`. */
export const clip = clamp;

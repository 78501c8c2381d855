/**
 * @file Turning JS numbers into tensors for mixed tensor/number calls, with PyTorch's "weak scalar"
 * rule: a number takes the tensor's dtype unless that would lose it (2.5 with an int tensor).
 */
import { type DType, getDefaultDType, isFloat, promote } from '../core/dtype.js';
import { tensor } from '../core/create.js';
import { Tensor } from '../core/tensor.js';
import { ValueError } from '../core/errors.js';
import { apply } from '../core/dispatch.js';
import { getPrimitive } from '../core/primitive.js';

export type TensorLike = Tensor | number | boolean;

function scalarDType(x: number | boolean, like: DType | undefined): DType {
  if (typeof x === 'boolean') return like ?? 'bool';
  if (like === undefined) return getDefaultDType();
  if (isFloat(like)) return like;
  return Number.isInteger(x) ? (like === 'bool' ? 'int32' : like) : getDefaultDType();
}

/** `x` as a tensor; a number becomes rank 0 with a dtype compatible with `like`. */
export function asTensor(x: TensorLike, like?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new ValueError(`expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`, 'INVALID_ARGUMENT');
  }
  return tensor(x, { dtype: scalarDType(x, like) });
}

/** Converts the operands of a binary op to tensors of one common dtype. */
export function commonOperands(a: TensorLike, b: TensorLike, minDType?: DType): [Tensor, Tensor] {
  const ta = a instanceof Tensor ? a : undefined;
  const tb = b instanceof Tensor ? b : undefined;
  const x = asTensor(a, tb?.dtype);
  const y = asTensor(b, ta?.dtype ?? x.dtype);
  let d = promote(x.dtype, y.dtype);
  if (minDType) d = promote(d, minDType);
  return [castTo(x, d), castTo(y, d)];
}

/** `cast` only when needed (the cast primitive itself lives in primitives/unary.ts). */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : apply(getPrimitive('cast'), [x], { dtype });
}

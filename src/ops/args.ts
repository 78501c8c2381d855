/**
 * @file The entry checks of the public ops (not re-exported by the public entry): the reduction
 * convention, one-tensor ops, tensor lists and index arguments. The generic checks live in
 * core/args.ts; these need ops-level types or tensor creation.
 */
import { PlexusError, ShapeError } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { tensor } from '../core/create.js';
import {
  axesArg, badArgument, checkArgCount, checkBoolArg, checkOptions, describe, isPlainObject, tensorArg,
} from '../core/args.js';

/** Options of every reduction (PyTorch's keyword `keepdim`); var/std add `correction`. */
export interface ReduceOptions {
  /** Keep the reduced dims as size 1 (default false). */
  keepDims?: boolean;
}

/**
 * The one calling convention of every reduction: `op(x, dim?, { keepDims, ... })`, where `dim` is an
 * integer, an array of them, or omitted/null for all dims, and the options object may take the place
 * of `dim`. A bare boolean where the options go is refused rather than read as keepDims, because
 * PyTorch's own `var(x, 1, True)` means unbiased=True there (docs/api-conventions.md).
 */
export function reduceArgs<O extends ReduceOptions>(
  op: string, x: unknown, axes: unknown, opts: unknown, keys: readonly string[], argc: number,
): { x: Tensor; axes: number[]; keepDims: boolean; opts: O } {
  checkArgCount(op, argc, 3, `${op}(x, dim?, { ${keys.join(', ')} })`);
  const t = tensorArg(op, 'input', x);
  if (isPlainObject(axes) && opts === undefined) [axes, opts] = [undefined, axes];
  if (typeof opts === 'boolean') {
    throw badArgument(`${op}: a bare boolean is not taken as keepDims; write ${op}(x, dim, { keepDims: ${opts} })`);
  }
  const o = checkOptions(op, opts as O | undefined, keys);
  const keepDims = o.keepDims === undefined ? false : checkBoolArg(op, 'keepDims', o.keepDims);
  return { x: t, axes: axesArg(op, axes, t.rank, t.shape), keepDims, opts: o };
}

/**
 * The entry check of an op whose first argument is a tensor: at most `max` arguments (JS drops
 * extras silently; `relu(x, true)` must not look like it did something) and a Tensor input.
 */
export function unaryArgs(op: string, x: unknown, argc: number, max = 1, signature = `${op}(x)`): Tensor {
  checkArgCount(op, argc, max, signature);
  return tensorArg(op, 'input', x);
}

/** A non-empty array of Tensors (concat/cat/stack's first argument). */
export function tensorList(op: string, xs: unknown): Tensor[] {
  if (!Array.isArray(xs)) throw badArgument(`${op}: tensors must be an array of Tensors, got ${describe(xs)}`);
  if (xs.length === 0) throw new ShapeError(`${op}: needs at least one tensor`);
  xs.forEach((x, i) => tensorArg(op, `tensors[${i}]`, x));
  return xs as Tensor[];
}

/** An index: an int32 Tensor, or (nested) plain arrays of integers, converted once to int32. */
export type IndexLike = Tensor | readonly number[] | readonly (readonly number[])[];

/** The index argument of `op` as an int32 tensor; a float tensor stays a DTypeError (as PyTorch). */
export function indexArg(op: string, index: unknown): Tensor {
  if (index instanceof Tensor) return index;
  if (Array.isArray(index)) {
    try {
      return tensor(index as number[], { dtype: 'int32' });
    } catch (e) {
      if (e instanceof PlexusError) throw badArgument(`${op}: index array must hold integers: ${e.message}`);
      throw e;
    }
  }
  throw badArgument(`${op}: index must be an int32 Tensor or an array of integers, got ${describe(index)}`);
}


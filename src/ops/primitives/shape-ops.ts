/**
 * @file Shape-changing primitives without data movement rules of their own: reshape (a view that
 * shares storage), permute and expand (copies). All tensors are contiguous row-major.
 */
import { ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { registerPrimitive } from '../../core/primitive.js';
import { type Shape, broadcastsTo, checkShape, normalizeAxis, numel, stridesOf } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { axisArg, checkArgCount, shapeArgs, tensorArg } from '../../core/args.js';
import { broadcastIndex } from './kernel-util.js';

export interface ReshapeAttrs {
  shape: Shape;
}

export const RESHAPE = registerPrimitive<ReshapeAttrs>({
  name: 'reshape',
  view: true,
  infer: ([x], { shape }) => {
    checkShape('reshape', shape);
    if (numel(shape) !== numel(x!.shape)) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x!.shape)} (${numel(x!.shape)} elements) to ${fmtShape(shape)} (${numel(shape)} elements)`);
    }
    return { shape, dtype: x!.dtype };
  },
  reference: (out, [x]) => (out.values as Float64Array).set(x!.values as Float64Array),
  vjp: (g, [x]) => [reshape(g, x!.shape)],
});

/** Resolves one -1 in a requested shape. */
export function resolveShape(op: string, from: Shape, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} to ${fmtShape(shape)}: only one dimension can be -1`);
  for (const d of shape) {
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} to ${fmtShape(shape)}: invalid dimension ${d}`, 'INVALID_SHAPE');
  }
  if (!free) return [...shape];
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const total = numel(from);
  if (known === 0 || total % known !== 0) {
    throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} (${total} elements) to ${fmtShape(shape)}`);
  }
  return shape.map((d) => (d === -1 ? total / known : d));
}

/**
 * Same data, new shape (one dim may be -1). Shares storage: no copy. The shape is one array or
 * varargs, as PyTorch's `x.reshape(2, 3)`. @example reshape(x, [2, -1]); reshape(x, 2, -1)
 */
export function reshape(x: Tensor, ...shape: readonly number[] | [readonly number[]]): Tensor {
  tensorArg('reshape', 'input', x);
  return apply(RESHAPE, [x], { shape: resolveShape('reshape', x.shape, shapeArgs('reshape', shape)) });
}

export interface PermuteAttrs {
  perm: readonly number[];
}

export const PERMUTE = registerPrimitive<PermuteAttrs>({
  name: 'permute',
  infer: ([x], { perm }) => {
    const r = x!.shape.length;
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== r || sorted.some((v, i) => v !== i)) {
      throw new ShapeError(`permute: [${perm.join(',')}] is not a permutation of the ${r} dims of ${fmtShape(x!.shape)}`);
    }
    return { shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  },
  reference: (out, [x], { perm }) => {
    const o = out.values;
    const xs = x!.values;
    const inStrides = stridesOf(x!.shape);
    const st = perm.map((p) => inStrides[p]!);
    const shape = out.shape;
    const counter = new Array<number>(shape.length).fill(0);
    let off = 0;
    for (let i = 0; i < o.length; i++) {
      o[i] = xs[off]!;
      for (let d = shape.length - 1; d >= 0; d--) {
        counter[d]!++;
        off += st[d]!;
        if (counter[d]! < shape[d]!) break;
        off -= st[d]! * shape[d]!;
        counter[d] = 0;
      }
    }
  },
  vjp: (g, _x, _out, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [permute(g, inv)];
  },
});

/**
 * Reorders dims: out.shape[i] = x.shape[dims[i]]. Negative entries count from the end. The dims are
 * one array or varargs, as PyTorch's `x.permute(1, 0)`. @example permute(x, 1, 0); permute(x, [1, 0])
 */
export function permute(x: Tensor, ...dims: readonly number[] | [readonly number[]]): Tensor {
  tensorArg('permute', 'input', x);
  const perm = shapeArgs('permute', dims, 'dims');
  return apply(PERMUTE, [x], { perm: perm.map((p) => normalizeAxis('permute', p, x.rank, x.shape)) });
}

/** Swaps two dims (default: the last two, the matrix transpose; a no-op below rank 2). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkArgCount('transpose', arguments.length, 3, 'transpose(x, dim0?, dim1?)');
  tensorArg('transpose', 'input', x);
  if (x.rank < 2 && arguments.length === 1) return x;
  const a = axisArg('transpose', dim0, x.rank, x.shape, 'dim0');
  const b = axisArg('transpose', dim1, x.rank, x.shape, 'dim1');
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** PyTorch's `t`: the transpose of a matrix; 0-D and 1-D tensors are returned as they are. */
export function t(x: Tensor): Tensor {
  checkArgCount('t', arguments.length, 1, 't(x)');
  tensorArg('t', 'input', x);
  if (x.rank > 2) throw new ShapeError(`t: expects a tensor of rank <= 2, got ${fmtShape(x.shape)}; use transpose(x, dim0, dim1)`);
  return x.rank < 2 ? x : permute(x, [1, 0]);
}

export interface ExpandAttrs {
  shape: Shape;
}

export const EXPAND = registerPrimitive<ExpandAttrs>({
  name: 'expand',
  infer: ([x], { shape }) => {
    checkShape('expand', shape);
    if (!broadcastsTo(x!.shape, shape)) throw new ShapeError(`expand: cannot expand ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
    return { shape, dtype: x!.dtype };
  },
  reference: (out, [x]) => {
    const o = out.values;
    const xs = x!.values;
    const idx = broadcastIndex(x!.shape, out.shape);
    for (let i = 0; i < o.length; i++) o[i] = xs[idx[i]!]!;
  },
  // Autograd sums the gradient back over the broadcast dims, so the rule is the identity.
  vjp: (g) => [g],
});

/** Broadcasts to `shape` (a copy; -1 keeps a dim); one array or varargs. @example expand(x, 4, -1) */
export function expand(x: Tensor, ...sizes: readonly number[] | [readonly number[]]): Tensor {
  tensorArg('expand', 'input', x);
  const shape = shapeArgs('expand', sizes, 'sizes');
  const off = shape.length - x.rank;
  const full = shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off]! : d));
  return apply(EXPAND, [x], { shape: full });
}

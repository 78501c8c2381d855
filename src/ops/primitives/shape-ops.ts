/**
 * @file Shape-changing primitives without data movement rules of their own: reshape (a view that
 * shares storage), permute and expand (copies). All tensors are contiguous row-major.
 */
import { ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { registerPrimitive } from '../../core/primitive.js';
import { type Shape, broadcastsTo, checkShape, normalizeAxis, numel, stridesOf } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
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

/** Same data, new shape (one dim may be -1). Shares storage: no copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return apply(RESHAPE, [x], { shape: resolveShape('reshape', x.shape, shape) });
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

/** Reorders dims: out.shape[i] = x.shape[perm[i]]. Negative entries count from the end. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  return apply(PERMUTE, [x], { perm: perm.map((p) => normalizeAxis('permute', p, x.rank)) });
}

/** Swaps two dims (default: the last two, the matrix transpose). */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.rank < 2) return x;
  const a = normalizeAxis('transpose', dim0, x.rank);
  const b = normalizeAxis('transpose', dim1, x.rank);
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
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

/** Broadcasts to `shape` (a copy; -1 keeps a dim). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const off = shape.length - x.rank;
  const full = shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off]! : d));
  return apply(EXPAND, [x], { shape: full });
}

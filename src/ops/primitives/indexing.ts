/**
 * @file Indexing primitives in pairs whose vjps are each other: gather <-> scatterAdd (per-element
 * indices along an axis) and indexSelect <-> indexAdd (whole slices picked by a 1-D index), plus
 * oneHot. Index values are checked by the wrappers before anything is allocated. The wrappers take
 * PyTorch's argument order (x, dim, index[, src]) and accept a plain array of integers as the index.
 */
import { type DType, getDefaultDType, isDType } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { type Meta, registerPrimitive } from '../../core/primitive.js';
import { stridesOf } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import { zeros } from '../../core/create.js';
import { axisArg, badArgument, checkArgCount, describe, tensorArg } from '../../core/args.js';
import { type IndexLike, indexArg } from '../args.js';

export type { IndexLike };

export interface AxisAttrs {
  axis: number;
}

/** The input tensor and its dim; a tensor or array where the dim goes is the pre-PyTorch order. */
function dimArg(op: string, x: unknown, dim: unknown, signature: string): number {
  const t = tensorArg(op, 'input', x);
  if (dim instanceof Tensor || Array.isArray(dim)) {
    throw badArgument(`${op}: dim must be an integer, got ${describe(dim)}; the argument order is PyTorch's, ${signature}`);
  }
  return axisArg(op, dim, t.rank, t.shape);
}

function requireIndex(op: string, index: Meta): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
}

/** Throws a ValueError naming the first index outside [0, limit) (negative indices are not wrapped). */
export function checkIndices(op: string, index: Tensor, limit: number): void {
  const v = index.values;
  for (let i = 0; i < v.length; i++) {
    const k = v[i]!;
    if (k < 0 || k >= limit) throw new ValueError(`${op}: index ${k} at position ${i} is out of range [0, ${limit})`, 'INDEX_OUT_OF_RANGE');
  }
}

/** Decomposes a flat index of `shape` into (outer, k along axis, inner). */
function splitAxis(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return { outer, len: shape[axis]!, inner };
}

/** For gather/scatterAdd: where element i of `index` (shape idxShape) lands in a tensor of `shape`. */
function gatherOffsets(idxShape: readonly number[], shape: readonly number[], axis: number, index: ArrayLike<number>): Int32Array {
  const st = stridesOf(shape);
  const rank = idxShape.length;
  const counter = new Array<number>(rank).fill(0);
  const n = index.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += (d === axis ? index[i]! : counter[d]!) * st[d]!;
    out[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d]! < idxShape[d]!) break;
      counter[d] = 0;
    }
  }
  return out;
}

function checkGatherShapes(op: string, x: Meta, index: Meta, axis: number): void {
  requireIndex(op, index);
  if (index.shape.length !== x.shape.length || index.shape.some((d, i) => i !== axis && d > x.shape[i]!)) {
    throw new ShapeError(`${op}: index shape ${fmtShape(index.shape)} does not fit input ${fmtShape(x.shape)} along axis ${axis} (same rank, index dims <= input dims off the axis)`);
  }
}

export const GATHER = registerPrimitive<AxisAttrs>({
  name: 'gather',
  infer: ([x, index], { axis }) => {
    checkGatherShapes('gather', x!, index!, axis);
    return { shape: index!.shape, dtype: x!.dtype };
  },
  reference: (out, [x, index], { axis }) => {
    const offs = gatherOffsets(index!.shape, x!.shape, axis, index!.values);
    const o = out.values;
    const xs = x!.values;
    for (let i = 0; i < o.length; i++) o[i] = xs[offs[i]!]!;
  },
  vjp: (g, [x, index], _out, { axis }) => [scatterAdd(zeros(x!.shape, { dtype: g.dtype }), axis, index!, g), null],
});

/**
 * out[..., i, ...] = x[..., index[..., i, ...], ...] along `dim` (torch.gather, same argument order).
 * @example gather(x, 1, [[0], [2]])
 */
export function gather(x: Tensor, dim: number, index: IndexLike): Tensor {
  checkArgCount('gather', arguments.length, 3, 'gather(x, dim, index)');
  const a = dimArg('gather', x, dim, 'gather(x, dim, index)');
  index = indexArg('gather', index);
  checkGatherShapes('gather', x, index, a);
  checkIndices('gather', index, x.shape[a]!);
  return apply(GATHER, [x, index], { axis: a });
}

export const SCATTER_ADD = registerPrimitive<AxisAttrs>({
  name: 'scatterAdd',
  infer: ([base, index, src], { axis }) => {
    checkGatherShapes('scatterAdd', base!, index!, axis);
    if (src!.shape.length !== index!.shape.length || src!.shape.some((d, i) => d !== index!.shape[i])) {
      throw new ShapeError(`scatterAdd: src shape ${fmtShape(src!.shape)} must equal index shape ${fmtShape(index!.shape)}`);
    }
    if (src!.dtype !== base!.dtype) throw new DTypeError(`scatterAdd: src dtype ${src!.dtype} differs from base ${base!.dtype}`);
    return base!;
  },
  reference: (out, [base, index, src], { axis }) => {
    const o = out.values;
    o.set(base!.values as Float64Array);
    const offs = gatherOffsets(index!.shape, base!.shape, axis, index!.values);
    const s = src!.values;
    for (let i = 0; i < offs.length; i++) o[offs[i]!] = o[offs[i]!]! + s[i]!;
  },
  vjp: (g, [, index], _out, { axis }) => [g, null, gather(g, axis, index!)],
});

/** A copy of `base` with `src` added at the positions `index` names along `dim` (torch.scatter_add). */
export function scatterAdd(base: Tensor, dim: number, index: IndexLike, src: Tensor): Tensor {
  checkArgCount('scatterAdd', arguments.length, 4, 'scatterAdd(x, dim, index, src)');
  const a = dimArg('scatterAdd', base, dim, 'scatterAdd(x, dim, index, src)');
  index = indexArg('scatterAdd', index);
  tensorArg('scatterAdd', 'src', src);
  checkGatherShapes('scatterAdd', base, index, a);
  checkIndices('scatterAdd', index, base.shape[a]!);
  return apply(SCATTER_ADD, [base, index, src], { axis: a });
}

function checkSelectIndex(op: string, index: Meta): void {
  requireIndex(op, index);
  if (index.shape.length !== 1) throw new ShapeError(`${op}: index must be 1-D, got shape ${fmtShape(index.shape)}`);
}

export const INDEX_SELECT = registerPrimitive<AxisAttrs>({
  name: 'indexSelect',
  infer: ([x, index], { axis }) => {
    checkSelectIndex('indexSelect', index!);
    return { shape: x!.shape.map((d, i) => (i === axis ? index!.shape[0]! : d)), dtype: x!.dtype };
  },
  reference: (out, [x, index], { axis }) => {
    const { outer, len, inner } = splitAxis(x!.shape, axis);
    const idx = index!.values;
    const o = out.values;
    const xs = x!.values;
    const m = idx.length;
    for (let r = 0; r < outer; r++) {
      for (let j = 0; j < m; j++) {
        const src = (r * len + idx[j]!) * inner;
        const dst = (r * m + j) * inner;
        for (let c = 0; c < inner; c++) o[dst + c] = xs[src + c]!;
      }
    }
  },
  vjp: (g, [x, index], _out, { axis }) => [indexAdd(zeros(x!.shape, { dtype: g.dtype }), axis, index!, g), null],
});

/**
 * Slices of `x` along `dim` picked by a 1-D int32 index or a plain array of integers
 * (torch.index_select, same argument order; embedding lookup). @example indexSelect(x, 0, [2, 0])
 */
export function indexSelect(x: Tensor, dim: number, index: IndexLike): Tensor {
  checkArgCount('indexSelect', arguments.length, 3, 'indexSelect(x, dim, index)');
  const a = dimArg('indexSelect', x, dim, 'indexSelect(x, dim, index)');
  index = indexArg('indexSelect', index);
  checkSelectIndex('indexSelect', index);
  checkIndices('indexSelect', index, x.shape[a]!);
  return apply(INDEX_SELECT, [x, index], { axis: a });
}

export const INDEX_ADD = registerPrimitive<AxisAttrs>({
  name: 'indexAdd',
  infer: ([base, index, src], { axis }) => {
    checkSelectIndex('indexAdd', index!);
    const want = base!.shape.map((d, i) => (i === axis ? index!.shape[0]! : d));
    if (src!.shape.length !== want.length || src!.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(`indexAdd: src shape ${fmtShape(src!.shape)} must be ${fmtShape(want)} for base ${fmtShape(base!.shape)} and ${index!.shape[0]} indices`);
    }
    if (src!.dtype !== base!.dtype) throw new DTypeError(`indexAdd: src dtype ${src!.dtype} differs from base ${base!.dtype}`);
    return base!;
  },
  reference: (out, [base, index, src], { axis }) => {
    const o = out.values;
    o.set(base!.values as Float64Array);
    const { outer, len, inner } = splitAxis(base!.shape, axis);
    const idx = index!.values;
    const s = src!.values;
    const m = idx.length;
    for (let r = 0; r < outer; r++) {
      for (let j = 0; j < m; j++) {
        const dst = (r * len + idx[j]!) * inner;
        const from = (r * m + j) * inner;
        for (let c = 0; c < inner; c++) o[dst + c] = o[dst + c]! + s[from + c]!;
      }
    }
  },
  vjp: (g, [, index], _out, { axis }) => [g, null, indexSelect(g, axis, index!)],
});

/** A copy of `base` with slice j of `source` added to slice index[j] along `dim` (torch.index_add). */
export function indexAdd(base: Tensor, dim: number, index: IndexLike, src: Tensor): Tensor {
  checkArgCount('indexAdd', arguments.length, 4, 'indexAdd(x, dim, index, source)');
  const a = dimArg('indexAdd', base, dim, 'indexAdd(x, dim, index, source)');
  index = indexArg('indexAdd', index);
  tensorArg('indexAdd', 'source', src);
  checkSelectIndex('indexAdd', index);
  checkIndices('indexAdd', index, base.shape[a]!);
  return apply(INDEX_ADD, [base, index, src], { axis: a });
}

export interface OneHotAttrs {
  numClasses: number;
  dtype: DType;
}

export const ONE_HOT = registerPrimitive<OneHotAttrs>({
  name: 'oneHot',
  infer: ([index], { numClasses, dtype }) => {
    requireIndex('oneHot', index!);
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
    return { shape: [...index!.shape, numClasses], dtype };
  },
  reference: (out, [index], { numClasses }) => {
    const o = out.values;
    o.fill(0);
    const idx = index!.values;
    for (let i = 0; i < idx.length; i++) o[i * numClasses + idx[i]!] = 1;
  },
});

/** One-hot rows of length `numClasses` for int32 class indices (default float dtype output). */
export function oneHot(index: IndexLike, numClasses: number, dtype: DType = getDefaultDType()): Tensor {
  checkArgCount('oneHot', arguments.length, 3, 'oneHot(index, numClasses, dtype?)');
  index = indexArg('oneHot', index);
  if (!isDType(dtype)) throw new DTypeError(`oneHot: unknown dtype ${describe(dtype)}; expected float32, float64, int32 or bool`, 'INVALID_DTYPE');
  requireIndex('oneHot', index);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  checkIndices('oneHot', index, numClasses);
  return apply(ONE_HOT, [index], { numClasses, dtype });
}

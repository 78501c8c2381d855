/**
 * @file Data movement primitives: slice (contiguous sub-block), pad (constant), concat. Each one's
 * vjp is another: slice <-> pad, concat -> slices.
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { registerPrimitive } from '../../core/primitive.js';
import { type Shape, stridesOf } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { axisArg, badArgument, checkArgCount, checkNumberArg, describe, tensorArg } from '../../core/args.js';
import { tensorList } from '../args.js';

/** Visits every index of `shape` in row-major order with the flat offset under `strides`. */
function forEachIndex(shape: Shape, strides: readonly number[], f: (i: number, off: number) => void): void {
  const rank = shape.length;
  let n = 1;
  for (const d of shape) n *= d;
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    f(i, off);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      off += strides[d]!;
      if (counter[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

export interface SliceAttrs {
  /** Per dim, inclusive start and exclusive end, already clamped to [0, dim]. */
  starts: readonly number[];
  ends: readonly number[];
}

export const SLICE = registerPrimitive<SliceAttrs>({
  name: 'slice',
  infer: ([x], { starts, ends }) => {
    const s = x!.shape;
    if (starts.length !== s.length || ends.length !== s.length) {
      throw new ShapeError(`slice: ${starts.length} starts / ${ends.length} ends for a tensor of shape ${fmtShape(s)}`);
    }
    for (let d = 0; d < s.length; d++) {
      if (!(starts[d]! >= 0 && starts[d]! <= ends[d]! && ends[d]! <= s[d]!)) {
        throw new ShapeError(`slice: range [${starts[d]}, ${ends[d]}) is invalid for dim ${d} of shape ${fmtShape(s)}`);
      }
    }
    return { shape: s.map((_, d) => ends[d]! - starts[d]!), dtype: x!.dtype };
  },
  reference: (out, [x], { starts }) => {
    const st = stridesOf(x!.shape);
    const base = starts.reduce((acc, v, d) => acc + v * st[d]!, 0);
    const o = out.values;
    const xs = x!.values;
    forEachIndex(out.shape, st, (i, off) => (o[i] = xs[base + off]!));
  },
  vjp: (g, [x], _out, { starts, ends }) => [pad(g, x!.shape.map((d, i) => [starts[i]!, d - ends[i]!] as [number, number]))],
});

/**
 * `slice(x, [[start, end], ...])` per leading dim (missing dims kept whole); negative indices count
 * from the end and out-of-range bounds are clamped, as Python slicing.
 */
export function slice(x: Tensor, ranges: readonly (readonly [number?, number?] | null | undefined)[]): Tensor {
  checkArgCount('slice', arguments.length, 2, 'slice(x, [[start, end], ...])');
  tensorArg('slice', 'input', x);
  if (!Array.isArray(ranges) || ranges.some((r) => r != null && !Array.isArray(r))) {
    throw badArgument(`slice: ranges must be an array of [start, end] pairs (null keeps a dim), got ${describe(ranges)}`);
  }
  if (ranges.length > x.rank) throw new ShapeError(`slice: ${ranges.length} ranges for a tensor of shape ${fmtShape(x.shape)}`);
  const starts: number[] = [];
  const ends: number[] = [];
  x.shape.forEach((dim, d) => {
    const r = ranges[d];
    const clampIdx = (v: number | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v)) throw new ShapeError(`slice: index ${v} for dim ${d} is not an integer`);
      return Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    };
    const s = clampIdx(r?.[0], 0);
    starts.push(s);
    ends.push(Math.max(s, clampIdx(r?.[1], dim)));
  });
  return apply(SLICE, [x], { starts, ends });
}

/** Elements [start, end) along one axis (PyTorch narrow, with end instead of length). */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number): Tensor {
  checkArgCount('sliceAxis', arguments.length, 4, 'sliceAxis(x, dim, start, end)');
  tensorArg('sliceAxis', 'input', x);
  const a = axisArg('sliceAxis', axis, x.rank, x.shape);
  const ranges: ([number, number] | null)[] = x.shape.map(() => null);
  ranges[a] = [start, end];
  return slice(x, ranges);
}

export interface PadAttrs {
  /** [before, after] for every dim. */
  pads: readonly (readonly [number, number])[];
  value: number;
}

export const PAD = registerPrimitive<PadAttrs>({
  name: 'pad',
  infer: ([x], { pads }) => {
    if (pads.length !== x!.shape.length || pads.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) {
      throw new ShapeError(`pad: padding ${JSON.stringify(pads)} does not give non-negative integer [before, after] pairs for shape ${fmtShape(x!.shape)}`);
    }
    return { shape: x!.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]), dtype: x!.dtype };
  },
  reference: (out, [x], { pads, value }) => {
    const o = out.values;
    o.fill(value);
    const st = stridesOf(out.shape);
    const base = pads.reduce((acc, [b], d) => acc + b * st[d]!, 0);
    const xs = x!.values;
    forEachIndex(x!.shape, st, (i, off) => (o[base + off] = xs[i]!));
  },
  vjp: (g, [x], _out, { pads }) => [slice(g, x!.shape.map((d, i) => [pads[i]![0], pads[i]![0] + d] as [number, number]))],
});

/** Pads with a constant; `pads` gives [before, after] for leading dims (missing dims unpadded). */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  checkArgCount('pad', arguments.length, 3, 'pad(x, [[before, after], ...], value?)');
  tensorArg('pad', 'input', x);
  if (!Array.isArray(pads) || pads.some((p) => !Array.isArray(p))) {
    throw badArgument(`pad: pads must be an array of [before, after] pairs, got ${describe(pads)}`);
  }
  checkNumberArg('pad', 'value', value, true);
  if (pads.length > x.rank) throw new ShapeError(`pad: ${pads.length} pad pairs for a tensor of shape ${fmtShape(x.shape)}`);
  const full = x.shape.map((_, d) => pads[d] ?? ([0, 0] as const));
  return apply(PAD, [x], { pads: full, value });
}

export interface ConcatAttrs {
  axis: number;
}

export const CONCAT = registerPrimitive<ConcatAttrs>({
  name: 'concat',
  infer: (xs, { axis }) => {
    if (xs.length === 0) throw new ShapeError('concat: needs at least one tensor');
    const first = xs[0]!;
    const shapes = xs.map((x) => fmtShape(x.shape)).join(', ');
    let total = 0;
    for (const x of xs) {
      if (x.dtype !== first.dtype) throw new DTypeError(`concat: dtypes differ (${first.dtype} vs ${x.dtype})`);
      if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeError(`concat: shapes ${shapes} differ outside axis ${axis}`);
      }
      total += x.shape[axis]!;
    }
    return { shape: first.shape.map((d, i) => (i === axis ? total : d)), dtype: first.dtype };
  },
  reference: (out, xs, { axis }) => {
    const o = out.values;
    const outer = out.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = out.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const rowLen = out.shape[axis]! * inner;
    let col = 0;
    for (const x of xs) {
      const w = x.shape[axis]! * inner;
      const v = x.values;
      for (let r = 0; r < outer; r++) for (let j = 0; j < w; j++) o[r * rowLen + col + j] = v[r * w + j]!;
      col += w;
    }
  },
  vjp: (g, xs, _out, { axis }) => {
    let at = 0;
    return xs.map((x) => {
      const part = sliceAxis(g, axis, at, at + x.shape[axis]!);
      at += x.shape[axis]!;
      return part;
    });
  },
});

/** Joins tensors along an existing dim (same dtype; equal shapes elsewhere). */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  checkArgCount('concat', arguments.length, 2, 'concat(tensors, dim?)');
  const list = tensorList('concat', xs);
  return apply(CONCAT, list, { axis: axisArg('concat', axis, list[0]!.rank, list[0]!.shape) });
}

/** PyTorch's name for `concat`. */
export function cat(xs: readonly Tensor[], axis = 0): Tensor {
  checkArgCount('cat', arguments.length, 2, 'cat(tensors, dim?)');
  const list = tensorList('cat', xs);
  return apply(CONCAT, list, { axis: axisArg('cat', axis, list[0]!.rank, list[0]!.shape) });
}

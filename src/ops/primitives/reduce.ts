/**
 * @file Reductions over any set of axes, with or without keepDims: sum, max, min, argmax, argmin.
 * Axes are normalised by the wrappers; the primitives take sorted, non-negative axes. The wrappers
 * share one calling convention, `op(x, dim?, { keepDims })` (reduceArgs).
 */
import { isFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { type Meta, type Primitive, type PrimitiveName, registerPrimitive } from '../../core/primitive.js';
import { reducedShape } from '../../core/shape.js';
import { badArgument, describe, isPlainObject } from '../../core/args.js';
import { type ReduceOptions, reduceArgs } from '../args.js';
import type { Tensor } from '../../core/tensor.js';
import { forEachReduced } from './kernel-util.js';
import { castTo } from '../tensor-like.js';
import { div, eq, mul } from './binary.js';
import { expand, reshape } from './shape-ops.js';

export interface ReduceAttrs {
  axes: readonly number[];
  keepDims: boolean;
}

function inferReduce(name: string, x: Meta, { axes, keepDims }: ReduceAttrs, needsElements: boolean): Meta {
  if (needsElements) {
    for (const a of axes) {
      if (x.shape[a] === 0) throw new ShapeError(`${name}: cannot reduce over zero-size axis ${a} of shape ${fmtShape(x.shape)}`, 'EMPTY_REDUCTION');
    }
  }
  if (x.dtype === 'bool' && name !== 'sum') throw new DTypeError(`${name}: bool tensors are not supported`);
  const dtype = name === 'sum' && x.dtype === 'bool' ? 'int32' : x.dtype;
  return { shape: reducedShape(x.shape, axes, keepDims), dtype };
}

/** The gradient reshaped so it broadcasts against the input (reduced dims back as 1). */
function keptShape(g: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return reshape(g, reducedShape(x.shape, axes, true));
}

export const SUM = registerPrimitive<ReduceAttrs>({
  name: 'sum',
  infer: ([x], a) => inferReduce('sum', x!, a, false),
  reference: (out, [x], { axes }) => {
    const o = out.values;
    o.fill(0);
    const xs = x!.values;
    // Accumulate in float64 (a JS number) per slot, then store: the reference is the oracle.
    const acc = new Float64Array(o.length);
    forEachReduced(x!.shape, axes, (oi, ii) => (acc[oi] = acc[oi]! + xs[ii]!));
    for (let i = 0; i < o.length; i++) o[i] = acc[i]!;
  },
  vjp: (g, [x], _out, { axes }) => [expand(keptShape(g, x!, axes), x!.shape)],
});

function extremum(name: PrimitiveName, better: (a: number, b: number) => boolean): Primitive<ReduceAttrs> {
  return registerPrimitive<ReduceAttrs>({
    name,
    infer: ([x], a) => inferReduce(name, x!, a, true),
    reference: (out, [x], { axes }) => {
      const o = out.values;
      const xs = x!.values;
      const seen = new Uint8Array(o.length);
      forEachReduced(x!.shape, axes, (oi, ii) => {
        const v = xs[ii]!;
        if (!seen[oi]) {
          o[oi] = v;
          seen[oi] = 1;
        } else if (!Number.isNaN(o[oi]!) && (Number.isNaN(v) || better(v, o[oi]!))) {
          o[oi] = v; // a NaN, once found, sticks (NumPy/PyTorch propagate NaN)
        }
      });
    },
    // The gradient is shared evenly among tied extrema (PyTorch amax/amin).
    vjp: (g, [x], out, { axes }) => {
      if (!isFloat(x!.dtype)) return [null];
      const mask = castTo(eq(x!, keptShape(out, x!, axes)), x!.dtype);
      const count = apply(SUM, [mask], { axes, keepDims: true });
      return [div(mul(mask, keptShape(g, x!, axes)), count)];
    },
  });
}

export const MAX = extremum('max', (a, b) => a > b);
export const MIN = extremum('min', (a, b) => a < b);

function argExtremum(name: PrimitiveName, better: (a: number, b: number) => boolean): Primitive<ReduceAttrs> {
  return registerPrimitive<ReduceAttrs>({
    name,
    infer: ([x], a) => ({ ...inferReduce(name, x!, a, true), dtype: 'int32' }),
    reference: (out, [x], { axes }) => {
      const o = out.values;
      const xs = x!.values;
      const best = new Float64Array(o.length);
      const pos = new Int32Array(o.length);
      const seen = new Uint8Array(o.length);
      const axis = axes[0]!;
      const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const len = x!.shape[axis]!;
      forEachReduced(x!.shape, axes, (oi, ii) => {
        const k = Math.floor(ii / inner) % len;
        const v = xs[ii]!;
        // First occurrence wins ties; a NaN counts as the extremum (NumPy).
        if (!seen[oi] || (!Number.isNaN(best[oi]!) && (Number.isNaN(v) || better(v, best[oi]!)))) {
          best[oi] = v;
          pos[oi] = k;
          seen[oi] = 1;
        }
      });
      for (let i = 0; i < o.length; i++) o[i] = pos[i]!;
    },
  });
}

export const ARGMAX = argExtremum('argmax', (a, b) => a > b);
export const ARGMIN = argExtremum('argmin', (a, b) => a < b);

export type Axes = number | readonly number[];
export type { ReduceOptions };

const KEEP = ['keepDims'] as const;

/** Sum over `dim` (all when omitted). Ints and bools sum to int32. @example sum(x, 1, { keepDims: true }) */
export function sum(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  const a = reduceArgs('sum', x, axes, opts, KEEP, arguments.length);
  return apply(SUM, [a.x], { axes: a.axes, keepDims: a.keepDims });
}

/** Largest value over `dim` (PyTorch amax: values only; for indices use argmax). */
export function max(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  const a = reduceArgs('max', x, axes, opts, KEEP, arguments.length);
  return apply(MAX, [a.x], { axes: a.axes, keepDims: a.keepDims });
}

/** Smallest value over `dim` (PyTorch amin: values only; for indices use argmin). */
export function min(x: Tensor, axes?: Axes | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  const a = reduceArgs('min', x, axes, opts, KEEP, arguments.length);
  return apply(MIN, [a.x], { axes: a.axes, keepDims: a.keepDims });
}

/** PyTorch's name for `max` over dims. */
export const amax = max;
/** PyTorch's name for `min` over dims. */
export const amin = min;

function argReduce(p: Primitive<ReduceAttrs>, x: unknown, axis: unknown, opts: unknown, argc: number): Tensor {
  const op = p.name;
  if (Array.isArray(axis)) throw badArgument(`${op}: dim must be one integer, got ${describe(axis)}`);
  const a = reduceArgs(op, x, axis, opts, KEEP, argc);
  if (axis === undefined || axis === null || isPlainObject(axis)) {
    // Over the flattened tensor, as PyTorch (keepDims then keeps every dim as 1).
    const flat = apply(p, [reshape(a.x, [a.x.size])], { axes: [0], keepDims: false });
    return a.keepDims ? reshape(flat, a.x.shape.map(() => 1)) : flat;
  }
  return apply(p, [a.x], { axes: a.axes, keepDims: a.keepDims });
}

/** Index of the largest value along `dim` (over the flattened tensor when omitted); int32. */
export function argmax(x: Tensor, axis?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return argReduce(ARGMAX, x, axis, opts, arguments.length);
}

/** Index of the smallest value along `dim` (over the flattened tensor when omitted); int32. */
export function argmin(x: Tensor, axis?: number | null | ReduceOptions, opts?: ReduceOptions): Tensor {
  return argReduce(ARGMIN, x, axis, opts, arguments.length);
}

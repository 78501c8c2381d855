/**
 * @file Reductions over any set of axes, with or without keepDims: sum, max, min, argmax, argmin.
 * Axes are normalised by the wrappers; the primitives take sorted, non-negative axes.
 */
import { isFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { type Meta, type Primitive, type PrimitiveName, registerPrimitive } from '../../core/primitive.js';
import { normalizeAxes, normalizeAxis, reducedShape } from '../../core/shape.js';
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

function reduce(p: Primitive<ReduceAttrs>, x: Tensor, axes: Axes | undefined, keepDims: boolean): Tensor {
  return apply(p, [x], { axes: normalizeAxes(p.name, axes, x.rank, x.shape), keepDims });
}

/** Sum over `axes` (all when omitted). Ints and bools sum to int32. */
export const sum = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce(SUM, x, axes, keepDims);
/** Largest value over `axes` (PyTorch amax). */
export const max = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce(MAX, x, axes, keepDims);
/** Smallest value over `axes` (PyTorch amin). */
export const min = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce(MIN, x, axes, keepDims);

function argReduce(p: Primitive<ReduceAttrs>, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis === undefined) return apply(p, [reshape(x, [x.size])], { axes: [0], keepDims: false });
  return apply(p, [x], { axes: [normalizeAxis(p.name, axis, x.rank, x.shape)], keepDims });
}

/** Index of the largest value along `axis` (over the flattened tensor when omitted); int32. */
export const argmax = (x: Tensor, axis?: number, keepDims = false): Tensor => argReduce(ARGMAX, x, axis, keepDims);
export const argmin = (x: Tensor, axis?: number, keepDims = false): Tensor => argReduce(ARGMIN, x, axis, keepDims);

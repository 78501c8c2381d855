/**
 * @file B-spline basis functions as one fused primitive, for Kolmogorov-Arnold layers
 * (Liu et al. 2024, arXiv 2404.19756; the "basis expansion + matmul" shape of efficient-kan).
 *
 * Shape contract: x [..., F] (float), grid [F, G + 2k + 1] knots per feature (ascending; G intervals
 * extended by k knots each side), attrs {k} -> [..., F, G + k]: B_{j,k}(x_f) for each feature f.
 * Outside [t_0, t_last) every basis is 0 (efficient-kan's convention; layers that must not
 * extrapolate check their inputs).
 *
 * Backward: d/dx B_{j,k} = k/(t_{j+k} - t_j) B_{j,k-1} - k/(t_{j+k+1} - t_{j+1}) B_{j+1,k-1}, i.e. a
 * fixed linear map of the order-(k-1) bases. Written with ops (splineBasis of order k-1, slices,
 * products with grid-derived constants), so it is differentiable again down to order 0, whose
 * bases are piecewise constant. The grid gets no gradient.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { badArgument, checkArgCount, checkEnum, describe, tensorArg } from '../../core/args.js';
import { registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { isFloat } from '../../core/dtype.js';
import { tensor } from '../../core/create.js';
import { bsplineTable } from '../../core/special.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { sliceAxis } from './movement.js';
import { reshape } from './shape-ops.js';

export interface SplineAttrs {
  /** Spline order (3 = cubic). */
  k: number;
}

function checkSpline(x: { shape: readonly number[]; dtype: string }, grid: { shape: readonly number[]; dtype: string }, k: number): number {
  if (!Number.isInteger(k) || k < 0) throw new ValueError(`splineBasis: order k must be a non-negative integer, got ${k}`);
  if (!isFloat(x.dtype as never)) throw new DTypeError(`splineBasis: x must be float32 or float64, got ${x.dtype}`);
  if (grid.dtype !== x.dtype) throw new DTypeError(`splineBasis: grid dtype ${grid.dtype} differs from x dtype ${x.dtype}`);
  const F = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || grid.shape.length !== 2 || grid.shape[0] !== F) {
    throw new ShapeError(`splineBasis: x ${fmtShape(x.shape)} needs a grid of shape [${F ?? 'F'}, knots], got ${fmtShape(grid.shape)}`);
  }
  const nb = grid.shape[1]! - k - 1;
  if (nb < 1) throw new ShapeError(`splineBasis: a grid of ${grid.shape[1]} knots has no order-${k} bases (needs at least ${k + 2} knots)`);
  return nb;
}

export const SPLINE_BASIS = registerPrimitive<SplineAttrs>({
  name: 'splineBasis',
  infer: ([x, grid], { k }) => {
    const nb = checkSpline(x!, grid!, k);
    return { shape: [...x!.shape, nb], dtype: x!.dtype };
  },
  reference: (out, [x, grid], { k }) => {
    const F = x!.shape[x!.shape.length - 1]!;
    const K = grid!.shape[1]!;
    const nb = K - k - 1;
    const xs = x!.values;
    const t = grid!.values;
    const o = out.values;
    const b = new Float64Array(K - 1);
    for (let e = 0; e < xs.length; e++) {
      const f = e % F;
      const v = xs[e]!;
      bsplineTable(t, f * K, K, k, v, b);
      for (let j = 0; j < nb; j++) o[e * nb + j] = b[j]!;
    }
  },
  vjp: (g, [x, grid], _out, { k }) => {
    if (k === 0 || !x!.requiresGrad) return [null, null];
    const [left, right] = derivativeCoefficients(grid!, k);
    const lower = splineBasis(x!, grid!, k - 1); // [..., F, nb + 1]
    const nb = lower.shape[lower.shape.length - 1]! - 1;
    const axis = lower.rank - 1;
    const dB = sub(mul(sliceAxis(lower, axis, 0, nb), left), mul(sliceAxis(lower, axis, 1, nb + 1), right));
    return [sum(mul(g, dB), -1), null];
  },
});

/**
 * Constants of the derivative rule, [F, nb] each: k/(t_{j+k} - t_j) and k/(t_{j+k+1} - t_{j+1}).
 * Computed from the grid's values (the grid is data, not a differentiable input).
 */
function derivativeCoefficients(grid: Tensor, k: number): [Tensor, Tensor] {
  const [F, K] = [grid.shape[0]!, grid.shape[1]!];
  const nb = K - k - 1;
  const t = grid.values;
  const left = new Float64Array(F * nb);
  const right = new Float64Array(F * nb);
  for (let f = 0; f < F; f++) {
    for (let j = 0; j < nb; j++) {
      const g = f * K + j;
      left[f * nb + j] = k / (t[g + k]! - t[g]!);
      right[f * nb + j] = k / (t[g + k + 1]! - t[g + 1]!);
    }
  }
  const opts = { dtype: grid.dtype, shape: [F, nb] };
  return [tensor(left, opts), tensor(right, opts)];
}

/** B_{j,k}(x) for each feature's knot vector: x [..., F], grid [F, knots] -> [..., F, knots - k - 1]. */
export function splineBasis(x: Tensor, grid: Tensor, k = 3): Tensor {
  checkArgCount('splineBasis', arguments.length, 3, 'splineBasis(x, grid, k?)');
  tensorArg('splineBasis', 'input', x);
  tensorArg('splineBasis', 'grid', grid);
  checkSpline(x, grid, k);
  return apply(SPLINE_BASIS, [x, grid], { k });
}

/** A uniform knot grid [F, G + 2k + 1] on [lo, hi] with k extra knots each side (efficient-kan). */
export function uniformGrid(features: number, intervals: number, k = 3, range: readonly [number, number] = [-1, 1], dtype: 'float32' | 'float64' = 'float32'): Tensor {
  checkArgCount('uniformGrid', arguments.length, 5, 'uniformGrid(features, intervals, k?, range?, dtype?)');
  if (!Array.isArray(range) || range.length !== 2) throw badArgument(`uniformGrid: range must be a [lo, hi] pair, got ${describe(range)}`);
  checkEnum('uniformGrid', 'dtype', dtype, ['float32', 'float64']);
  if (!Number.isInteger(intervals) || intervals < 1) throw new ValueError(`uniformGrid: grid must have at least 1 interval, got ${intervals}`);
  if (!Number.isInteger(k) || k < 0) throw new ValueError(`uniformGrid: order k must be a non-negative integer, got ${k}`);
  const [lo, hi] = range;
  if (!(hi > lo)) throw new ValueError(`uniformGrid: range [${lo}, ${hi}] is empty`);
  const h = (hi - lo) / intervals;
  const K = intervals + 2 * k + 1;
  const row = Array.from({ length: K }, (_, i) => lo + (i - k) * h);
  return reshape(tensor(Array.from({ length: features }, () => row).flat(), { dtype }), [features, K]);
}

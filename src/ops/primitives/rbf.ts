/**
 * @file Gaussian radial basis functions as one fused primitive, for FastKAN (Li 2024,
 * arXiv 2405.06721: "Kolmogorov-Arnold Networks are Radial Basis Function Networks"), the
 * counterpart of `splineBasis`: one kernel instead of the composite's unsqueeze, sub, div, mul,
 * neg and exp (five [..., F, C] temporaries per layer and as many backward nodes).
 *
 * Shape contract: x [..., F] (float), centers [C] (same dtype, shared by every feature), attrs
 * {width: h > 0} -> [..., F, C]: phi_j(x_f) = exp(-((x_f - c_j)/h)²).
 * Composite oracle (ops/composite/oracles.ts): exp(neg(mul(z, z))) with z = (x[..., None] - c)/h.
 *
 * Backward, written with ops so it is differentiable again (z = (x - c)/h):
 *   d phi/dx = -2 z/h · phi = phi · (x - c)·(-2/h²),   d phi/dc = -d phi/dx,
 *   gx = Σ_j g·phi·(x - c_j)·(-2/h²),   gc = -Σ_{..., f} (the same products).
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { checkArgCount, tensorArg } from '../../core/args.js';
import { isFloat } from '../../core/dtype.js';
import { registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { reshape } from './shape-ops.js';

export interface RbfAttrs {
  /** The Gaussian's width h (> 0): phi = exp(-((x - c)/h)²). */
  width: number;
}

function checkRbf(x: { shape: readonly number[]; dtype: string }, centers: { shape: readonly number[]; dtype: string }, width: number): void {
  if (typeof width !== 'number' || !(width > 0) || !Number.isFinite(width)) throw new ValueError(`rbfBasis: width must be a finite number > 0, got ${String(width)}`);
  if (!isFloat(x.dtype as never)) throw new DTypeError(`rbfBasis: x must be float32 or float64, got ${x.dtype}`);
  if (centers.dtype !== x.dtype) throw new DTypeError(`rbfBasis: centers dtype ${centers.dtype} differs from x dtype ${x.dtype}`);
  if (x.shape.length < 1) throw new ShapeError(`rbfBasis: x must have rank >= 1 ([..., F]), got ${fmtShape(x.shape)}`);
  if (centers.shape.length !== 1 || centers.shape[0]! < 1) throw new ShapeError(`rbfBasis: centers must be [C] with C >= 1, got ${fmtShape(centers.shape)}`);
}

export const RBF_BASIS = registerPrimitive<RbfAttrs>({
  name: 'rbfBasis',
  infer: ([x, centers], { width }) => {
    checkRbf(x!, centers!, width);
    return { shape: [...x!.shape, centers!.shape[0]!], dtype: x!.dtype };
  },
  reference: (out, [x, centers], { width }) => {
    const xs = x!.values;
    const c = centers!.values;
    const C = c.length;
    const o = out.values;
    for (let e = 0; e < xs.length; e++) {
      for (let j = 0; j < C; j++) {
        const z = (xs[e]! - c[j]!) / width;
        o[e * C + j] = Math.exp(-(z * z));
      }
    }
  },
  vjp: (g, [x, centers], out, { width }) => {
    if (!x!.requiresGrad && !centers!.requiresGrad) return [null, null];
    const d = sub(reshape(x!, [...x!.shape, 1]), centers!);
    // g·phi·(x - c), [..., F, C]; the constant -2/h² is applied after the sums, on the smaller tensors.
    const t = mul(mul(g, out), d);
    const k = -2 / (width * width);
    const gx = x!.requiresGrad ? mul(sum(t, -1), k) : null;
    const lead = Array.from({ length: t.rank - 1 }, (_, i) => i);
    const gc = centers!.requiresGrad ? mul(lead.length ? sum(t, lead) : t, -k) : null;
    return [gx, gc];
  },
});

/**
 * Gaussian RBF bases exp(-((x_f - c_j)/h)²) of every feature against shared centres:
 * x [..., F], centers [C], width h > 0 -> [..., F, C] (FastKAN's basis).
 */
export function rbfBasis(x: Tensor, centers: Tensor, width: number): Tensor {
  checkArgCount('rbfBasis', arguments.length, 3, 'rbfBasis(x, centers, width)');
  tensorArg('rbfBasis', 'input', x);
  tensorArg('rbfBasis', 'centers', centers);
  checkRbf(x, centers, width);
  return apply(RBF_BASIS, [x, centers], { width });
}

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
 * Backward (z = (x - c)/h, k = -2/h²):
 *   d phi/dx = -2 z/h · phi = k·phi·(x - c),   d phi/dc = -d phi/dx,
 *   gx = k·Σ_j g·phi·(x - c_j)   (the fused `rbfBasisBackward` primitive, one pass over g and phi),
 *   gc = -k·Σ_{..., f} g·phi·(x - c)   (with ops: the centres are a buffer in FastKAN, rarely trained).
 * rbfBasisBackward(g, phi, x, centers) = k·Σ_j g_j·phi_j·(x - c_j) takes phi (the forward's output)
 * as an input instead of recomputing the exps, so its own vjp (written with ops, for grad of grad)
 * is the product rule over four independent inputs; the chain through phi -> x is autograd's.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { checkArgCount, tensorArg } from '../../core/args.js';
import { isFloat } from '../../core/dtype.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
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

export const RBF_BASIS: Primitive<RbfAttrs> = registerPrimitive<RbfAttrs>({
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
    const gx = x!.requiresGrad ? apply(RBF_BASIS_BACKWARD, [g, out, x!, centers!], { width }) : null;
    return [gx, centers!.requiresGrad ? centerGrad(g, out, x!, centers!, width) : null];
  },
});

/** -k·Σ_{..., f} g·phi·(x - c) -> [C], with ops (k = -2/h²; applied after the sum, on the smaller tensor). */
function centerGrad(g: Tensor, phi: Tensor, x: Tensor, centers: Tensor, width: number): Tensor {
  const t = mul(mul(g, phi), sub(reshape(x, [...x.shape, 1]), centers));
  const lead = Array.from({ length: t.rank - 1 }, (_, i) => i);
  return mul(lead.length ? sum(t, lead) : t, 2 / (width * width));
}

/** The float64 reference of rbfBasisBackward, row by row: o[e] = k·Σ_j g[e,j]·phi[e,j]·(x[e] - c[j]). */
function rbfBackwardLoops(o: { [i: number]: number; length: number }, gs: ArrayLike<number>, ps: ArrayLike<number>, xs: ArrayLike<number>, c: ArrayLike<number>, width: number): void {
  const C = c.length;
  const k = -2 / (width * width);
  for (let e = 0, b = 0; e < xs.length; e++, b += C) {
    const v = xs[e]!;
    let acc = 0;
    for (let j = 0; j < C; j++) acc += gs[b + j]! * ps[b + j]! * (v - c[j]!);
    o[e] = k * acc;
  }
}

export const RBF_BASIS_BACKWARD: Primitive<RbfAttrs> = registerPrimitive<RbfAttrs>({
  name: 'rbfBasisBackward',
  infer: ([g, phi, x, centers], { width }) => {
    checkRbf(x!, centers!, width);
    const want = [...x!.shape, centers!.shape[0]!];
    for (const [name, t] of [['g', g!], ['phi', phi!]] as const) {
      if (t.dtype !== x!.dtype || t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`rbfBasisBackward: ${name} ${fmtShape(t.shape)} ${t.dtype} must be ${fmtShape(want)} ${x!.dtype}`);
      }
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  reference: (out, [g, phi, x, centers], { width }) => rbfBackwardLoops(out.values, g!.values, phi!.values, x!.values, centers!.values, width),
  // f = k·Σ_j g_j·phi_j·(x - c_j), each input independent: the product rule, with ops.
  vjp: (gg, [g, phi, x, centers], _out, { width }) => {
    const k = -2 / (width * width);
    const ge = reshape(gg, [...gg.shape, 1]);
    const need = g!.requiresGrad || phi!.requiresGrad;
    const d = need ? sub(reshape(x!, [...x!.shape, 1]), centers!) : null;
    const dg = g!.requiresGrad ? mul(mul(mul(phi!, d!), ge), k) : null;
    const dphi = phi!.requiresGrad ? mul(mul(mul(g!, d!), ge), k) : null;
    const gp = x!.requiresGrad || centers!.requiresGrad ? mul(g!, phi!) : null;
    const dx = x!.requiresGrad ? mul(mul(sum(gp!, -1), gg), k) : null;
    let dc: Tensor | null = null;
    if (centers!.requiresGrad) {
      const t = mul(gp!, ge);
      const lead = Array.from({ length: t.rank - 1 }, (_, i) => i);
      dc = mul(lead.length ? sum(t, lead) : t, -k);
    }
    return [dg, dphi, dx, dc];
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

/**
 * @file `geluBackward`: the input gradient of the exact GELU (Hendrycks & Gimpel 2016, arXiv
 * 1606.08415) as one fused primitive, g·GELU'(z) = g·(Φ(z) + z·φ(z)), so `linear(..., 'gelu')`'s
 * backward is one pass over g and z instead of erf, exp and five multiply/add temporaries.
 * Library-internal (linear's vjp uses it); its composite oracle is that erf/exp expression.
 *
 * Shape contract: g and z the same shape and float dtype -> that shape.
 * Differentiable again (φ'(z) = -z·φ(z), so GELU''(z) = φ(z)·(2 - z²)):
 *   d/dg = geluBackward(g2, z),  d/dz = g2·g·φ(z)·(2 - z²).
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
import { geluGradScalar } from '../../core/special.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sub } from './binary.js';
import { exp } from './unary.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const GELU_BACKWARD: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'geluBackward',
  infer: ([g, z]) => {
    if (!isFloat(z!.dtype)) throw new DTypeError(`geluBackward: z must be float32 or float64, got ${z!.dtype}`);
    if (g!.dtype !== z!.dtype || g!.shape.length !== z!.shape.length || g!.shape.some((d, i) => d !== z!.shape[i])) {
      throw new ShapeError(`geluBackward: g ${fmtShape(g!.shape)} ${g!.dtype} must match z ${fmtShape(z!.shape)} ${z!.dtype}`);
    }
    return { shape: z!.shape, dtype: z!.dtype };
  },
  reference: (out, [g, z]) => {
    const gs = g!.values;
    const zs = z!.values;
    const o = out.values;
    for (let i = 0; i < o.length; i++) o[i] = gs[i]! * geluGradScalar(zs[i]!);
  },
  vjp: (g2, [g, z]) => {
    const gg: Tensor | null = g!.requiresGrad ? apply(GELU_BACKWARD, [g2, z!], {}) : null;
    if (!z!.requiresGrad) return [gg, null];
    const pdf = mul(exp(mul(mul(z!, z!), -0.5)), INV_SQRT_2PI);
    return [gg, mul(mul(g2, g!), mul(pdf, sub(2, mul(z!, z!))))];
  },
});

/** g·GELU'(z) for the exact GELU (library-internal: linear's backward). */
export function geluBackward(g: Tensor, z: Tensor): Tensor {
  return apply(GELU_BACKWARD, [g, z], {});
}

/**
 * @file The exact GELU (Hendrycks & Gimpel 2016, arXiv 1606.08415) as two fused primitives:
 * `geluForward` z·Φ(z) and `geluBackward` g·GELU'(z) = g·(Φ(z) + z·φ(z)), each one pass instead of
 * erf, exp and several multiply/add temporaries. Library-internal: `linear(..., 'gelu')` runs as
 * geluForward(linear(...)) when it records a graph, so the backward reads the saved z instead of
 * recomputing x·Wᵀ + b (a GEMM); its vjp and the fused epilogue's use geluBackward. Composite
 * oracle: the erf/exp expressions (px.gelu).
 *
 * Shape contract: geluForward z -> same shape; geluBackward g and z the same shape and float dtype -> that shape.
 * Differentiable again (φ'(z) = -z·φ(z), so GELU''(z) = φ(z)·(2 - z²)):
 *   d/dg = geluBackward(g2, z),  d/dz = g2·g·φ(z)·(2 - z²).
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
import { geluGradScalar, geluScalar } from '../../core/special.js';
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

export const GELU_FORWARD: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'geluForward',
  infer: ([z]) => {
    if (!isFloat(z!.dtype)) throw new DTypeError(`geluForward: z must be float32 or float64, got ${z!.dtype}`);
    return { shape: z!.shape, dtype: z!.dtype };
  },
  reference: (out, [z]) => {
    const zs = z!.values;
    const o = out.values;
    for (let i = 0; i < o.length; i++) o[i] = geluScalar(zs[i]!);
  },
  vjp: (g, [z]) => [z!.requiresGrad ? apply(GELU_BACKWARD, [g, z!], {}) : null],
});

/** z·Φ(z), the exact GELU (library-internal: linear's training path). */
export function geluForward(z: Tensor): Tensor {
  return apply(GELU_FORWARD, [z], {});
}

/** g·GELU'(z) for the exact GELU (library-internal: linear's backward). */
export function geluBackward(g: Tensor, z: Tensor): Tensor {
  return apply(GELU_BACKWARD, [g, z], {});
}

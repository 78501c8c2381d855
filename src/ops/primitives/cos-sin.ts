/**
 * @file `cosSin`: p [..., m] -> [cos p, sin p] along the last dim ([..., 2m]), the feature layout of
 * Fourier feature mappings (Tancik et al. 2020, https://arxiv.org/abs/2006.10739; nn/encoding/fourier.ts)
 * as one fused pass: one argument reduction serves both functions and the halves are written in place,
 * instead of cos, sin and a concat of two [..., m] temporaries. Library-internal. Composite oracle:
 * cat([cos(p), sin(p)], -1).
 *
 * vjp, with c and s the halves of the output: dL/dp = g_s·c - g_c·s (differentiable again, as it is
 * written with ops on the output).
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sub } from './binary.js';
import { sliceAxis } from './movement.js';

export const COS_SIN: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'cosSin',
  infer: ([p]) => {
    if (!isFloat(p!.dtype)) throw new DTypeError(`cosSin: p must be float32 or float64, got ${p!.dtype}`);
    if (p!.shape.length === 0) throw new ShapeError(`cosSin: p needs at least one dim (the frequencies), got ${fmtShape(p!.shape)}`);
    const shape = [...p!.shape];
    shape[shape.length - 1] = 2 * shape[shape.length - 1]!;
    return { shape, dtype: p!.dtype };
  },
  reference: (out, [p]) => {
    const m = p!.shape[p!.shape.length - 1]!;
    const ps = p!.values;
    const o = out.values;
    for (let r = 0, rows = m === 0 ? 0 : ps.length / m; r < rows; r++) {
      for (let j = 0; j < m; j++) {
        const v = ps[r * m + j]!;
        o[2 * r * m + j] = Math.cos(v);
        o[2 * r * m + m + j] = Math.sin(v);
      }
    }
  },
  vjp: (g, [p], out) => {
    if (!p!.requiresGrad) return [null];
    const axis = p!.rank - 1;
    const m = p!.shape[axis]!;
    const half = (t: Tensor, k: number): Tensor => sliceAxis(t, axis, k * m, (k + 1) * m);
    return [sub(mul(half(g, 1), half(out, 0)), mul(half(g, 0), half(out, 1)))];
  },
});

/** cat([cos(p), sin(p)], -1) in one pass (library-internal: FourierFeatures' forward). */
export function cosSin(p: Tensor): Tensor {
  return apply(COS_SIN, [p], {});
}

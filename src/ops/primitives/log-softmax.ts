/**
 * @file `logSoftmax` along one axis as a fused primitive: the composite (shift by the max, exp, sum,
 * log, subtract: five kernels and four temporaries) was the hot spot of every classifier's loss.
 * The composite stays as the oracle (ops/composite/oracles.ts, test/fused.test.ts) and this
 * primitive reproduces its every special case:
 *   shift = max over the slice if finite, else 0;  z = x - shift;  s = Σ exp(z);
 *   out = z - log(s == 0 ? 1 : s)
 * so a fully -Inf (masked) slice gives -Inf, +Inf gives NaN, NaN propagates.
 *
 * Shape contract: any x (rank 0 is a slice of length 1), attrs {axis} normalised -> x's shape.
 * Backward (with ops, so differentiable again): gx = g - exp(out)·Σ_axis g. In a fully masked slice
 * exp(out) = 0 and gx = g, as the composite gives.
 */
import { requireFloat } from '../../core/dtype.js';
import { apply } from '../../core/dispatch.js';
import { registerPrimitive } from '../../core/primitive.js';
import type { Shape } from '../../core/shape.js';
import { axisArg, checkArgCount, tensorArg } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sub } from './binary.js';
import { exp } from './unary.js';
import { sum } from './reduce.js';

export interface LogSoftmaxAttrs {
  /** Non-negative axis (0 for rank 0). */
  axis: number;
}

/** [outer, len, inner]: the slices along `axis` are len elements inner apart. */
export function axisLayout(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, shape.length === 0 ? 1 : shape[axis]!, inner];
}

export const LOG_SOFTMAX = registerPrimitive<LogSoftmaxAttrs>({
  name: 'logSoftmax',
  infer: ([x]) => {
    requireFloat('logSoftmax', x!.dtype);
    return x!;
  },
  reference: (out, [x], { axis }) => {
    const [outer, len, inner] = axisLayout(x!.shape, axis);
    const xv = x!.values;
    const o = out.values;
    for (let a = 0; a < outer; a++) {
      for (let c = 0; c < inner; c++) {
        const base = a * len * inner + c;
        let m = -Infinity;
        for (let j = 0; j < len; j++) {
          const v = xv[base + j * inner]!;
          if (v !== v) {
            m = NaN;
            break;
          }
          if (v > m) m = v;
        }
        const shift = Number.isFinite(m) ? m : 0;
        let s = 0;
        for (let j = 0; j < len; j++) s += Math.exp(xv[base + j * inner]! - shift);
        const lse = Math.log(s === 0 ? 1 : s);
        for (let j = 0; j < len; j++) o[base + j * inner] = xv[base + j * inner]! - shift - lse;
      }
    }
  },
  vjp: (g, _inputs, out, { axis }) => [sub(g, mul(exp(out), sum(g, axis, { keepDims: true })))],
});

/**
 * log(softmax(x)) along `axis`, computed stably in one kernel; a fully masked (-Inf) slice gives
 * -Infinity, with the upstream gradient passed through unchanged.
 * @example px.logSoftmax(logits, -1)
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkArgCount('logSoftmax', arguments.length, 2, 'logSoftmax(x, dim?)');
  tensorArg('logSoftmax', 'input', x);
  requireFloat('logSoftmax', x.dtype);
  return apply(LOG_SOFTMAX, [x], { axis: axisArg('logSoftmax', axis, x.rank, x.shape) });
}

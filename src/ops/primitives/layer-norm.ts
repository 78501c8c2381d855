/**
 * @file Layer normalisation (Ba et al. 2016, arXiv 1607.06450) as two fused primitives, so that
 * F.layer_norm is one forward and one backward kernel instead of the composite's ~10 ops each way.
 *
 * Shape contract: x [..., n] where n is the product of the trailing `dims` dims; rows of n
 * contiguous elements are normalised independently.
 *   layerNormForward(x) = x̂ = (x - mean) · r,   r = 1/sqrt(biased var + eps)        (same shape)
 *   layerNormBackward(g, x) = Jᵀg = r·(g - mean(g) - x̂·mean(g·x̂))                  (same shape)
 * Composite oracle: `standardize` in ops/composite/norm.ts (test/fused.test.ts).
 *
 * Differentiable to any order: the forward's vjp is the backward primitive; the backward's
 * Jacobian in g is J itself (J = r(I - 11ᵀ/n - x̂x̂ᵀ/n) is symmetric), so d/dg is again
 * layerNormBackward; d/dx (only needed for grad of grad) is written with ops:
 *   h = -(r²x̂/n)(C - PQ/n) - (r/n)(Q·Jg + P·Jg2),  P = Σg·x̂, Q = Σg2·x̂, C = Σg·g2 - Σg·Σg2/n.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, sub } from './binary.js';
import { sqrt } from './unary.js';
import { sum } from './reduce.js';

export interface LayerNormAttrs {
  /** How many trailing dims form one normalised row. */
  dims: number;
  /** Added to the biased variance (>= 0). */
  eps: number;
}

function check(op: string, x: { shape: readonly number[]; dtype: string }, { dims, eps }: LayerNormAttrs): void {
  if (!Number.isInteger(dims) || dims < 1 || dims > x.shape.length) throw new ShapeError(`${op}: dims must be an integer in [1, rank], got ${String(dims)} for shape ${fmtShape(x.shape)}`);
  if (typeof eps !== 'number' || !(eps >= 0)) throw new ValueError(`${op}: eps must be a number >= 0, got ${String(eps)}`);
  if (!isFloat(x.dtype as never)) throw new DTypeError(`${op}: x must be float32 or float64, got ${x.dtype}`);
}

const rowSize = (shape: readonly number[], dims: number): number => shape.slice(shape.length - dims).reduce((p, d) => p * d, 1);

/** Mean and r = 1/sqrt(biased var + eps) of xs[s, s + n), two passes (as the composite: mean, then squared deviations). */
function rowStats(xs: ArrayLike<number>, s: number, n: number, eps: number): [number, number] {
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[s + i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[s + i]! - m;
    v += d * d;
  }
  return [m, 1 / Math.sqrt(v / n + eps)];
}

export const LAYER_NORM_FORWARD: Primitive<LayerNormAttrs> = registerPrimitive<LayerNormAttrs>({
  name: 'layerNormForward',
  infer: ([x], a) => {
    check('layerNormForward', x!, a);
    return { shape: x!.shape, dtype: x!.dtype };
  },
  reference: (out, [x], { dims, eps }) => layerNormForwardLoops(out.values, x!.values, rowSize(x!.shape, dims), eps),
  vjp: (g, [x], _out, a) => [x!.requiresGrad ? apply(LAYER_NORM_BACKWARD, [g, x!], a) : null],
});

export const LAYER_NORM_BACKWARD: Primitive<LayerNormAttrs> = registerPrimitive<LayerNormAttrs>({
  name: 'layerNormBackward',
  infer: ([g, x], a) => {
    check('layerNormBackward', x!, a);
    if (g!.dtype !== x!.dtype || g!.shape.length !== x!.shape.length || g!.shape.some((d, i) => d !== x!.shape[i])) {
      throw new ShapeError(`layerNormBackward: g ${fmtShape(g!.shape)} ${g!.dtype} must match x ${fmtShape(x!.shape)} ${x!.dtype}`);
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  reference: (out, [g, x], { dims, eps }) => layerNormBackwardLoops(out.values, g!.values, x!.values, rowSize(x!.shape, dims), eps),
  vjp: (g2, [g, x], out, a) => {
    if (!g!.requiresGrad && !x!.requiresGrad) return [null, null];
    const jg2: Tensor = apply(LAYER_NORM_BACKWARD, [g2, x!], a);
    if (!x!.requiresGrad) return [jg2, null];
    const axes = Array.from({ length: a.dims }, (_, i) => x!.rank - a.dims + i);
    const n = rowSize(x!.shape, a.dims);
    const k = { keepDims: true };
    const d = sub(x!, div(sum(x!, axes, k), n));
    const r = div(1, sqrt(add(div(sum(mul(d, d), axes, k), n), a.eps)));
    const xh = mul(d, r);
    const P = sum(mul(g!, xh), axes, k);
    const Q = sum(mul(g2, xh), axes, k);
    const C = sub(sum(mul(g!, g2), axes, k), div(mul(sum(g!, axes, k), sum(g2, axes, k)), n));
    const t1 = mul(mul(mul(r, r), xh), div(sub(C, div(mul(P, Q), n)), -n));
    const t2 = mul(div(r, -n), add(mul(Q, out), mul(P, jg2)));
    return [g!.requiresGrad ? jg2 : null, add(t1, t2)];
  },
});

/** x̂ row by row (dtype-agnostic: doubles inside, `o` rounds on store). Also the js/wasm kernel. */
export function layerNormForwardLoops(o: { [i: number]: number; length: number }, xs: ArrayLike<number>, n: number, eps: number): void {
  for (let s = 0; s < xs.length; s += n) {
    const [m, r] = rowStats(xs, s, n, eps);
    for (let i = 0; i < n; i++) o[s + i] = (xs[s + i]! - m) * r;
  }
}

/** r·(g - mean(g) - x̂·mean(g·x̂)) row by row, the statistics recomputed from x (cheaper than saving them). */
export function layerNormBackwardLoops(o: { [i: number]: number; length: number }, gs: ArrayLike<number>, xs: ArrayLike<number>, n: number, eps: number): void {
  for (let s = 0; s < xs.length; s += n) {
    const [m, r] = rowStats(xs, s, n, eps);
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < n; i++) {
      const gi = gs[s + i]!;
      sg += gi;
      sgx += gi * (xs[s + i]! - m) * r;
    }
    sg /= n;
    sgx /= n;
    for (let i = 0; i < n; i++) o[s + i] = r * (gs[s + i]! - sg - (xs[s + i]! - m) * r * sgx);
  }
}

/** x̂ over the trailing `dims` dims (library-internal: F.layerNorm is the public form). */
export function layerNormForward(x: Tensor, dims: number, eps: number): Tensor {
  return apply(LAYER_NORM_FORWARD, [x], { dims, eps });
}

/** The input gradient of layerNormForward for the output gradient g (library-internal). */
export function layerNormBackward(g: Tensor, x: Tensor, dims: number, eps: number): Tensor {
  return apply(LAYER_NORM_BACKWARD, [g, x], { dims, eps });
}

/**
 * @file A fast rbfBasis kernel (shape contract in ops/primitives/rbf.ts): one pass writing
 * exp(-((x - c_j)/h)²) per element and centre, the centres read once into a local array. The
 * arithmetic is the reference's (same operations in float64), so results agree to the last bit on
 * float64 and to float32 rounding on float32. Dtype-agnostic, so the wasm backend uses it for
 * float64 and for operands outside its heap.
 */
import type { Kernel } from '../../core/primitive.js';

interface RbfAttrs { width: number }

export const rbfBasis: Kernel<RbfAttrs> = (out, [x, centers], { width }) => {
  const xs = x!.values;
  const c = Float64Array.from(centers!.values);
  const C = c.length;
  const o = out.values;
  for (let e = 0, b = 0; e < xs.length; e++, b += C) {
    const v = xs[e]!;
    for (let j = 0; j < C; j++) {
      const z = (v - c[j]!) / width;
      o[b + j] = Math.exp(-(z * z));
    }
  }
};

/**
 * rbfBasisBackward (contract in ops/primitives/rbf.ts): out[e] = k·Σ_j g[e,j]·phi[e,j]·(x[e] - c_j),
 * k = -2/h², one pass over g and phi. The reference's arithmetic in the same order, so float64
 * results agree to the last bit.
 */
export const rbfBasisBackward: Kernel<RbfAttrs> = (out, [g, phi, x, centers], { width }) => {
  const gs = g!.values;
  const ps = phi!.values;
  const xs = x!.values;
  const c = Float64Array.from(centers!.values);
  const C = c.length;
  const k = -2 / (width * width);
  const o = out.values;
  for (let e = 0, b = 0; e < xs.length; e++, b += C) {
    const v = xs[e]!;
    let acc = 0;
    for (let j = 0; j < C; j++) acc += gs[b + j]! * ps[b + j]! * (v - c[j]!);
    o[e] = k * acc;
  }
};

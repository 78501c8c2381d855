/**
 * @file FastKAN's Gaussian RBF bases in float32 (src/backends/wasm/kernels/rbf.ts): for elements
 * [s, e) of x and C shared centres, out[e·C + j] = exp(-((x_e - c_j)/h)²), four centres per f32x4
 * (vexp from vmath.as, <= a few ulp). The tail of C runs the same vector code on a splat, so every
 * output gets the same arithmetic whatever C is.
 */
import { vexp } from './vmath';

@inline
function phi(v: v128, c: v128, h: v128): v128 {
  const z = f32x4.div(f32x4.sub(v, c), h);
  return vexp(f32x4.neg(f32x4.mul(z, z)));
}

export function rbfGaussian(x: usize, centers: usize, C: i32, width: f32, out: usize, s: i32, e: i32): void {
  const h = f32x4.splat(width);
  const C4 = C & ~3;
  for (let i = s; i < e; i++) {
    const v = v128.load32_splat(x + (<usize>i << 2));
    const row = out + (<usize>(i * C) << 2);
    let j = 0;
    for (; j < C4; j += 4) v128.store(row + (<usize>j << 2), phi(v, v128.load(centers + (<usize>j << 2)), h));
    for (; j < C; j++) store<f32>(row + (<usize>j << 2), f32x4.extract_lane(phi(v, v128.load32_splat(centers + (<usize>j << 2)), h), 0));
  }
}

/**
 * @file FastKAN's Gaussian RBF bases in float32 (src/backends/wasm/kernels/rbf.ts): for elements
 * [s, e) of x and C shared centres, out[e·C + j] = exp(-((x_e - c_j)/h)²), four centres per f32x4
 * (vexp from vmath.as, <= a few ulp), computed as exp((x - c)²·(-1/h²)) with -1/h² rounded once by
 * the caller: a multiply instead of a divide and a negation (the divide was a third of the pass).
 * The tail of C runs the same vector code on a splat, so every output gets the same arithmetic
 * whatever C is. Also rbfBasisBackward's fused input gradient.
 */
import { vexp } from './vmath';

@inline
function phi(v: v128, c: v128, q: v128): v128 {
  const d = f32x4.sub(v, c);
  return vexp(f32x4.mul(f32x4.mul(d, d), q));
}

/** q = -1/h² (rounded to float32 once, by the caller). */
export function rbfGaussian(x: usize, centers: usize, C: i32, q: f32, out: usize, s: i32, e: i32): void {
  const qv = f32x4.splat(q);
  if (C == 8) {
    // FastKAN's default: both centre vectors stay in registers and the row loop is straight-line
    // (the general loop below ran at half this speed); the arithmetic per output is the same.
    const c0 = v128.load(centers);
    const c1 = v128.load(centers + 16);
    for (let i = s; i < e; i++) {
      const v = v128.load32_splat(x + (<usize>i << 2));
      const row = out + (<usize>i << 5);
      v128.store(row, phi(v, c0, qv));
      v128.store(row + 16, phi(v, c1, qv));
    }
    return;
  }
  const C4 = C & ~3;
  for (let i = s; i < e; i++) {
    const v = v128.load32_splat(x + (<usize>i << 2));
    const row = out + (<usize>(i * C) << 2);
    let j = 0;
    for (; j < C4; j += 4) v128.store(row + (<usize>j << 2), phi(v, v128.load(centers + (<usize>j << 2)), qv));
    for (; j < C; j++) store<f32>(row + (<usize>j << 2), f32x4.extract_lane(phi(v, v128.load32_splat(centers + (<usize>j << 2)), qv), 0));
  }
}

/**
 * rbfBasisBackward in float32 for elements [s, e): out[i] = k·Σ_j g[i·C + j]·phi[i·C + j]·(x_i - c_j),
 * k = -2/h² (passed in, rounded once). Four centres per f32x4 into a vector accumulator, summed
 * across lanes ((0 + 1) + (2 + 3)), then the scalar tail of C in order; the same arithmetic for every
 * element whatever the split.
 */
export function rbfGaussianBackward(g: usize, phi: usize, x: usize, centers: usize, C: i32, k: f32, out: usize, s: i32, e: i32): void {
  if (C == 8) {
    // FastKAN's default, straight-line with the centres in registers: the general loop's arithmetic
    // (block 0 then block 1 into the accumulator, the same lane sum), so results are identical.
    const c0 = v128.load(centers);
    const c1 = v128.load(centers + 16);
    for (let i = s; i < e; i++) {
      const v = v128.load32_splat(x + (<usize>i << 2));
      const o = <usize>i << 5;
      let acc = f32x4.add(f32x4.splat(0), f32x4.mul(f32x4.mul(v128.load(g + o), v128.load(phi + o)), f32x4.sub(v, c0)));
      acc = f32x4.add(acc, f32x4.mul(f32x4.mul(v128.load(g + o + 16), v128.load(phi + o + 16)), f32x4.sub(v, c1)));
      const t: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      store<f32>(out + (<usize>i << 2), k * t);
    }
    return;
  }
  const C4 = C & ~3;
  for (let i = s; i < e; i++) {
    const xi = load<f32>(x + (<usize>i << 2));
    const v = f32x4.splat(xi);
    const off = <usize>(i * C) << 2;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < C4; j += 4) {
      const o = off + (<usize>j << 2);
      const d = f32x4.sub(v, v128.load(centers + (<usize>j << 2)));
      acc = f32x4.add(acc, f32x4.mul(f32x4.mul(v128.load(g + o), v128.load(phi + o)), d));
    }
    let t: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    for (; j < C; j++) {
      const o = off + (<usize>j << 2);
      t += load<f32>(g + o) * load<f32>(phi + o) * (xi - load<f32>(centers + (<usize>j << 2)));
    }
    store<f32>(out + (<usize>i << 2), k * t);
  }
}

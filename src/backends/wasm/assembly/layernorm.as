/**
 * @file float32 layer-norm rows (src/backends/wasm/kernels/layernorm.ts; contract in
 * ops/primitives/layer-norm.ts): x̂ = (x - mean)·r with r = 1/sqrt(biased var + eps), and the input
 * gradient r·(g - mean(g) - x̂·mean(g·x̂)), over rows [s, e) of n contiguous floats.
 *
 * Everything is computed in float64 lanes (f64x2) and rounded once on store, the arithmetic of the
 * js kernel (two passes for the statistics, the same formulas), so results agree with it and with
 * the reference to float32 rounding; only the summation order differs (two lanes, then combined).
 * Pairs are loaded as 8 bytes and widened; an odd n ends in a scalar element done in the same way.
 */

@inline
function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

@inline
function ld1(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_zero(p));
}

@inline
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Mean and r of one row (two passes, as the js kernel). */
@inline
function rowMean(x: usize, n: i32): f64 {
  const n2 = n & ~1;
  let acc = f64x2.splat(0);
  for (let i = 0; i < n2; i += 2) acc = f64x2.add(acc, ld2(x + (<usize>i << 2)));
  let s = hsum(acc);
  if (n & 1) s += <f64>load<f32>(x + (<usize>n2 << 2));
  return s / <f64>n;
}

@inline
function rowR(x: usize, n: i32, m: f64, eps: f64): f64 {
  const n2 = n & ~1;
  const mv = f64x2.splat(m);
  let acc = f64x2.splat(0);
  for (let i = 0; i < n2; i += 2) {
    const d = f64x2.sub(ld2(x + (<usize>i << 2)), mv);
    acc = f64x2.add(acc, f64x2.mul(d, d));
  }
  let v = hsum(acc);
  if (n & 1) {
    const d = <f64>load<f32>(x + (<usize>n2 << 2)) - m;
    v += d * d;
  }
  return 1 / Math.sqrt(v / <f64>n + eps);
}

/** out = (x - mean)·r for rows [s, e) of n floats. */
export function layerNormRowsF32(x: usize, out: usize, n: i32, eps: f64, s: i32, e: i32): void {
  const n2 = n & ~1;
  for (let row = s; row < e; row++) {
    const xr = x + (<usize>(row * n) << 2);
    const or = out + (<usize>(row * n) << 2);
    const m = rowMean(xr, n);
    const r = rowR(xr, n, m, eps);
    const mv = f64x2.splat(m);
    const rv = f64x2.splat(r);
    for (let i = 0; i < n2; i += 2) {
      const o = <usize>i << 2;
      v128.store64_lane(or + o, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(ld2(xr + o), mv), rv)), 0);
    }
    if (n & 1) {
      const o = <usize>n2 << 2;
      v128.store32_lane(or + o, f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(ld1(xr + o), mv), rv)), 0);
    }
  }
}

/** out = r·(g - mean(g) - x̂·mean(g·x̂)) for rows [s, e) of n floats, the statistics recomputed from x. */
export function layerNormBackwardRowsF32(g: usize, x: usize, out: usize, n: i32, eps: f64, s: i32, e: i32): void {
  const n2 = n & ~1;
  for (let row = s; row < e; row++) {
    const off = <usize>(row * n) << 2;
    const xr = x + off;
    const gr = g + off;
    const or = out + off;
    const m = rowMean(xr, n);
    const r = rowR(xr, n, m, eps);
    const mv = f64x2.splat(m);
    const rv = f64x2.splat(r);
    let ag = f64x2.splat(0);
    let agx = f64x2.splat(0);
    for (let i = 0; i < n2; i += 2) {
      const o = <usize>i << 2;
      const gi = ld2(gr + o);
      ag = f64x2.add(ag, gi);
      agx = f64x2.add(agx, f64x2.mul(f64x2.mul(gi, f64x2.sub(ld2(xr + o), mv)), rv));
    }
    let sg = hsum(ag);
    let sgx = hsum(agx);
    if (n & 1) {
      const o = <usize>n2 << 2;
      const gi = <f64>load<f32>(gr + o);
      sg += gi;
      sgx += gi * (<f64>load<f32>(xr + o) - m) * r;
    }
    const sgv = f64x2.splat(sg / <f64>n);
    const sgxv = f64x2.splat(sgx / <f64>n);
    for (let i = 0; i < n2; i += 2) {
      const o = <usize>i << 2;
      const xh = f64x2.mul(f64x2.sub(ld2(xr + o), mv), rv);
      const v = f64x2.mul(rv, f64x2.sub(f64x2.sub(ld2(gr + o), sgv), f64x2.mul(xh, sgxv)));
      v128.store64_lane(or + o, f32x4.demote_f64x2_zero(v), 0);
    }
    if (n & 1) {
      const o = <usize>n2 << 2;
      const xh = f64x2.mul(f64x2.sub(ld1(xr + o), mv), rv);
      const v = f64x2.mul(rv, f64x2.sub(f64x2.sub(ld1(gr + o), sgv), f64x2.mul(xh, sgxv)));
      v128.store32_lane(or + o, f32x4.demote_f64x2_zero(v), 0);
    }
  }
}

/**
 * @file Fused float32 kernels for the training hot path (src/backends/wasm/kernels/fused.ts):
 * - the epilogue of `linear` (bias add + activation over the GEMM's output, one pass),
 * - `logSoftmax` over contiguous rows (max, Σ exp, log and subtract without temporaries),
 * - the Adam/AdamW and SGD parameter updates, one pass over p, g and the state buffers.
 *
 * SGD computes in float64 lanes (f64x2), rounding to float32 exactly where src/optim's sgdUpdate
 * stores to a Float32Array, in the same operation order, so its results are bit-identical to that
 * function. Adam computes in float32 lanes (see adamF32 for why) and agrees to float32 rounding.
 *
 * As in elementwise.as, each op gets its own export calling an @inline loop with a constant op
 * code (Binaryen would otherwise merge the loops and test the op inside them), and tails run the
 * same vector code on a splat so every element gets the same result in the body and the tail.
 */
import { vexp, vgelu, vgeluGrad, vtanh } from './vmath';

const A_NONE = 0;
const A_RELU = 1;
const A_TANH = 2;
const A_GELU = 3;

@inline
function act(op: i32, z: v128): v128 {
  if (op == A_RELU) {
    // z <= 0 ? 0 : z, so NaN passes through (and -0 becomes 0), as the reference.
    return v128.andnot(z, f32x4.le(z, f32x4.splat(0)));
  }
  if (op == A_TANH) return vtanh(z);
  if (op == A_GELU) return vgelu(z);
  return z;
}

/** out[r, c] = act(out[r, c] + bias[c]) over rows × cols (bias == 0: no bias). */
@inline
function epilogue(op: i32, out: usize, bias: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  const hasBias = bias != 0;
  for (let r = 0; r < rows; r++) {
    const row = out + (<usize>(r * cols) << 2);
    let c = 0;
    for (; c < cols4; c += 4) {
      const p = row + (<usize>c << 2);
      let z = v128.load(p);
      if (hasBias) z = f32x4.add(z, v128.load(bias + (<usize>c << 2)));
      v128.store(p, act(op, z));
    }
    for (; c < cols; c++) {
      const p = row + (<usize>c << 2);
      let z = v128.load32_splat(p);
      if (hasBias) z = f32x4.add(z, v128.load32_splat(bias + (<usize>c << 2)));
      store<f32>(p, f32x4.extract_lane(act(op, z), 0));
    }
  }
}

export function linearBias(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_NONE, out, bias, rows, cols);
}

export function linearRelu(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_RELU, out, bias, rows, cols);
}

export function linearTanh(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_TANH, out, bias, rows, cols);
}

export function linearGelu(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_GELU, out, bias, rows, cols);
}

/** out[i] = g[i]·GELU'(z[i]) = g·(Φ(z) + z·φ(z)) over n contiguous float32 (the geluBackward primitive). */
export function geluBackwardF32(g: usize, z: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(g + o), vgeluGrad(v128.load(z + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(f32x4.mul(v128.load32_splat(g + o), vgeluGrad(v128.load32_splat(z + o))), 0));
  }
}

/**
 * log-softmax of each of `rows` contiguous rows of `len` floats (len >= 1):
 * shift = row max if finite else 0; out = (x - shift) - log(Σ exp(x - shift), 1 when the sum is 0).
 */
export function logSoftmaxRows(x: usize, out: usize, rows: i32, len: i32): void {
  const len4 = len & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * len) << 2);
    const or = out + (<usize>(r * len) << 2);
    // Max with NaN propagation (f32x4.max returns NaN when either lane is NaN).
    let mv = f32x4.splat(-Infinity);
    let j = 0;
    for (; j < len4; j += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>j << 2)));
    for (; j < len; j++) mv = f32x4.max(mv, v128.load32_splat(xr + (<usize>j << 2)));
    mv = f32x4.max(mv, i32x4.shuffle(mv, mv, 2, 3, 0, 1));
    mv = f32x4.max(mv, i32x4.shuffle(mv, mv, 1, 0, 3, 2));
    let m = f32x4.extract_lane(mv, 0);
    if (!(m - m == 0)) m = 0; // ±Inf or NaN: no shift (NaN then flows through the sum)
    const shift = f32x4.splat(m);
    let sv = f32x4.splat(0);
    j = 0;
    for (; j < len4; j += 4) sv = f32x4.add(sv, vexp(f32x4.sub(v128.load(xr + (<usize>j << 2)), shift)));
    sv = f32x4.add(sv, i32x4.shuffle(sv, sv, 2, 3, 0, 1));
    sv = f32x4.add(sv, i32x4.shuffle(sv, sv, 1, 0, 3, 2));
    let s = f32x4.extract_lane(sv, 0);
    for (; j < len; j++) s += f32x4.extract_lane(vexp(f32x4.sub(v128.load32_splat(xr + (<usize>j << 2)), shift)), 0);
    const lse = f32x4.splat(<f32>Math.log(s == 0 ? 1.0 : <f64>s));
    j = 0;
    for (; j < len4; j += 4) {
      const o = <usize>j << 2;
      v128.store(or + o, f32x4.sub(f32x4.sub(v128.load(xr + o), shift), lse));
    }
    for (; j < len; j++) {
      const o = <usize>j << 2;
      store<f32>(or + o, f32x4.extract_lane(f32x4.sub(f32x4.sub(v128.load32_splat(xr + o), shift), lse), 0));
    }
  }
}

// ---- optimizer updates: float64 lanes, float32 storage -------------------------------------

/** Two (pair) or one float32 at `p`, widened to float64 lanes. */
@inline
function ld(p: usize, pair: bool): v128 {
  return f64x2.promote_low_f32x4(pair ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** Rounds float64 lanes to float32 and stores two (pair) or one; returns the rounded lanes. */
@inline
function st(p: usize, x: v128, pair: bool): v128 {
  const f = f32x4.demote_f64x2_zero(x);
  if (pair) v128.store64_lane(p, f, 0);
  else v128.store32_lane(p, f, 0);
  return f64x2.promote_low_f32x4(f);
}

/** Four float32 (full) or one (a tail element, computed on a splat: same result as in a vector). */
@inline
function ld4(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_splat(p);
}

@inline
function st4(p: usize, x: v128, full: bool): void {
  if (full) v128.store(p, x);
  else v128.store32_lane(p, x, 0);
}

@inline
function adamAt(
  o: usize, full: bool, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  decay: f32, l2: f32, beta1: f32, omb1: f32, beta2: f32, omb2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32, maximize: bool,
): void {
  let gi = ld4(g + o, full);
  if (maximize) gi = f32x4.neg(gi);
  let pi = ld4(p + o, full);
  // AdamW: p *= 1 - lr·wd. Adam: g += wd·p.
  if (decay != 1) pi = f32x4.mul(pi, f32x4.splat(decay));
  else if (l2 != 0) gi = f32x4.add(gi, f32x4.mul(f32x4.splat(l2), pi));
  const mi = f32x4.add(f32x4.mul(f32x4.splat(beta1), ld4(m + o, full)), f32x4.mul(f32x4.splat(omb1), gi));
  st4(m + o, mi, full);
  const vi = f32x4.add(f32x4.mul(f32x4.splat(beta2), ld4(v + o, full)), f32x4.mul(f32x4.mul(f32x4.splat(omb2), gi), gi));
  st4(v + o, vi, full);
  let second = vi;
  if (vmax != 0) {
    // vmax = vmax >= v ? vmax : v, so a NaN in either takes v (the JS `!(vmax >= v)` test).
    const old = ld4(vmax + o, full);
    second = v128.bitselect(old, vi, f32x4.ge(old, vi));
    st4(vmax + o, second, full);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(second), f32x4.splat(bc2Sqrt)), f32x4.splat(eps));
  st4(p + o, f32x4.sub(pi, f32x4.mul(f32x4.splat(stepSize), f32x4.div(mi, denom))), full);
}

/**
 * One Adam/AdamW step over n float32 parameters, in float32 arithmetic (as PyTorch does for float32
 * parameters) in the operation order of src/optim/adam.ts adamUpdate, which rounds only where it
 * stores; results agree with it to float32 rounding. Why not float64 lanes as in sgdF32: the two
 * divisions and the square root per element made an f64x2 version ~10% of a whole MLP training step.
 * omb1/omb2 are 1-β1 and 1-β2; vmax == 0 without AMSGrad.
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  decay: f32, l2: f32, beta1: f32, omb1: f32, beta2: f32, omb2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32, maximize: i32,
): void {
  const max = maximize != 0;
  const n4 = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let o: usize = 0;
  for (; o < n4; o += 16) adamAt(o, true, p, g, m, v, vmax, decay, l2, beta1, omb1, beta2, omb2, stepSize, bc2Sqrt, eps, max);
  for (; o < end; o += 4) adamAt(o, false, p, g, m, v, vmax, decay, l2, beta1, omb1, beta2, omb2, stepSize, bc2Sqrt, eps, max);
}

@inline
function sgdAt(
  o: usize, pair: bool, p: usize, g: usize, buf: usize,
  lr: f64, momentum: f64, omd: f64, wd: f64, nesterov: bool, maximize: bool, fresh: bool,
): void {
  let d = ld(g + o, pair);
  if (maximize) d = f64x2.neg(d);
  const pi = ld(p + o, pair);
  if (wd != 0.0) d = f64x2.add(d, f64x2.mul(f64x2.splat(wd), pi));
  if (buf != 0) {
    const b = fresh ? d : f64x2.add(f64x2.mul(f64x2.splat(momentum), ld(buf + o, pair)), f64x2.mul(f64x2.splat(omd), d));
    const br = st(buf + o, b, pair);
    d = nesterov ? f64x2.add(d, f64x2.mul(f64x2.splat(momentum), br)) : br;
  }
  st(p + o, f64x2.sub(pi, f64x2.mul(f64x2.splat(lr), d)), pair);
}

/** One SGD step over n float32 parameters (src/optim/sgd.ts sgdUpdate, bit for bit); buf == 0 without momentum. */
export function sgdF32(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f64, momentum: f64, omd: f64, wd: f64, nesterov: i32, maximize: i32, fresh: i32,
): void {
  const nes = nesterov != 0;
  const max = maximize != 0;
  const fr = fresh != 0;
  const n2 = <usize>(n & ~1) << 2;
  let o: usize = 0;
  for (; o < n2; o += 8) sgdAt(o, true, p, g, buf, lr, momentum, omd, wd, nes, max, fr);
  if (n & 1) sgdAt(o, false, p, g, buf, lr, momentum, omd, wd, nes, max, fr);
}

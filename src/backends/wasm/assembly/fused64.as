/**
 * @file Fused float64 kernels (src/backends/wasm/kernels/fused64.ts): the epilogue of `linear`
 * (bias add + activation over the GEMM's output, one pass) and the Adam/AdamW, SGD and LAMB
 * parameter updates over float64 parameters, f64x2 passes over p, g and the state buffers, in the
 * operation order of src/optim's adamUpdate, sgdUpdate and lambUpdate, so the results are theirs
 * bit for bit (every step is one correctly rounded IEEE operation on the same operands).
 *
 * tanh is vmath64.as's f64x2 one (~2 ulp): the scalar Math.tanh took as long as the GEMM in front
 * of it (4.4 ms of a 1024x256 layer, MLP 32-256-256-1 training step).
 */
import { vtanh64 } from './vmath64';

const A_NONE = 0;
const A_RELU = 1;
const A_TANH = 2;

/** out[r, c] = act(out[r, c] + bias[c]) over rows × cols (bias == 0: no bias). */
@inline
function epilogue(op: i32, out: usize, bias: usize, rows: i32, cols: i32): void {
  const cols2 = cols & ~1;
  const hasBias = bias != 0;
  for (let r = 0; r < rows; r++) {
    const row = out + (<usize>(r * cols) << 3);
    let c = 0;
    for (; c < cols2; c += 2) {
      const p = row + (<usize>c << 3);
      let z = v128.load(p);
      if (hasBias) z = f64x2.add(z, v128.load(bias + (<usize>c << 3)));
      // relu: z <= 0 ? 0 : z, so NaN passes through (and -0 becomes 0), as the reference.
      if (op == A_RELU) z = v128.andnot(z, f64x2.le(z, f64x2.splat(0)));
      if (op == A_TANH) z = vtanh64(z);
      v128.store(p, z);
    }
    if (c < cols) {
      const p = row + (<usize>c << 3);
      let z = v128.load64_splat(p);
      if (hasBias) z = f64x2.add(z, v128.load64_splat(bias + (<usize>c << 3)));
      if (op == A_RELU) z = v128.andnot(z, f64x2.le(z, f64x2.splat(0)));
      if (op == A_TANH) z = vtanh64(z);
      store<f64>(p, f64x2.extract_lane(z, 0));
    }
  }
}

export function linearBias64(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_NONE, out, bias, rows, cols);
}

export function linearRelu64(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_RELU, out, bias, rows, cols);
}

export function linearTanh64(out: usize, bias: usize, rows: i32, cols: i32): void {
  epilogue(A_TANH, out, bias, rows, cols);
}

/** Two (pair) or one float64 at `p` (a tail element is computed on a splat: same result as in a vector). */
@inline
function ld(p: usize, pair: bool): v128 {
  return pair ? v128.load(p) : v128.load64_splat(p);
}

@inline
function st(p: usize, x: v128, pair: bool): void {
  if (pair) v128.store(p, x);
  else v128.store64_lane(p, x, 0);
}

@inline
function adamAt(
  o: usize, pair: bool, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  decay: f64, l2: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64, maximize: bool,
): void {
  let gi = ld(g + o, pair);
  if (maximize) gi = f64x2.neg(gi);
  let pi = ld(p + o, pair);
  // AdamW: p *= 1 - lr·wd. Adam: g += wd·p.
  if (decay != 1) pi = f64x2.mul(pi, f64x2.splat(decay));
  else if (l2 != 0) gi = f64x2.add(gi, f64x2.mul(f64x2.splat(l2), pi));
  const mi = f64x2.add(f64x2.mul(f64x2.splat(beta1), ld(m + o, pair)), f64x2.mul(f64x2.splat(omb1), gi));
  st(m + o, mi, pair);
  const vi = f64x2.add(f64x2.mul(f64x2.splat(beta2), ld(v + o, pair)), f64x2.mul(f64x2.mul(f64x2.splat(omb2), gi), gi));
  st(v + o, vi, pair);
  let second = vi;
  if (vmax != 0) {
    // vmax = vmax >= v ? vmax : v, so a NaN in either takes v (the JS `!(vmax >= v)` test).
    const old = ld(vmax + o, pair);
    second = v128.bitselect(old, vi, f64x2.ge(old, vi));
    st(vmax + o, second, pair);
  }
  const denom = f64x2.add(f64x2.div(f64x2.sqrt(second), f64x2.splat(bc2Sqrt)), f64x2.splat(eps));
  st(p + o, f64x2.sub(pi, f64x2.mul(f64x2.splat(stepSize), f64x2.div(mi, denom))), pair);
}

/** One Adam/AdamW step over n float64 parameters (adamUpdate bit for bit); vmax == 0 without AMSGrad. */
export function adamF64(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  decay: f64, l2: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64, maximize: i32,
): void {
  const max = maximize != 0;
  const n2 = <usize>(n & ~1) << 3;
  let o: usize = 0;
  for (; o < n2; o += 16) adamAt(o, true, p, g, m, v, vmax, decay, l2, beta1, omb1, beta2, omb2, stepSize, bc2Sqrt, eps, max);
  if (n & 1) adamAt(o, false, p, g, m, v, vmax, decay, l2, beta1, omb1, beta2, omb2, stepSize, bc2Sqrt, eps, max);
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
    st(buf + o, b, pair);
    d = nesterov ? f64x2.add(d, f64x2.mul(f64x2.splat(momentum), b)) : b;
  }
  st(p + o, f64x2.sub(pi, f64x2.mul(f64x2.splat(lr), d)), pair);
}

/** One SGD step over n float64 parameters (sgdUpdate bit for bit); buf == 0 without momentum. */
export function sgdF64(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f64, momentum: f64, omd: f64, wd: f64, nesterov: i32, maximize: i32, fresh: i32,
): void {
  const nes = nesterov != 0;
  const max = maximize != 0;
  const fr = fresh != 0;
  const n2 = <usize>(n & ~1) << 3;
  let o: usize = 0;
  for (; o < n2; o += 16) sgdAt(o, true, p, g, buf, lr, momentum, omd, wd, nes, max, fr);
  if (n & 1) sgdAt(o, false, p, g, buf, lr, momentum, omd, wd, nes, max, fr);
}

/** LAMB's direction r = m/bc1 / (√v/bc2Sqrt + ε) + λ·p, in lambUpdate's operation order. */
@inline
function lambDir(mi: v128, vi: v128, pi: v128, bc1: f64, bc2Sqrt: f64, eps: f64, wd: f64): v128 {
  const denom = f64x2.add(f64x2.div(f64x2.sqrt(vi), f64x2.splat(bc2Sqrt)), f64x2.splat(eps));
  return f64x2.add(f64x2.div(f64x2.div(mi, f64x2.splat(bc1)), denom), f64x2.mul(f64x2.splat(wd), pi));
}

/**
 * One LAMB step over n float64 parameters (src/optim/lamb.ts lambUpdate bit for bit). Pass 1
 * updates m and v and sums ‖p‖² and ‖r‖² sequentially in element order (as lambUpdate does: a
 * lane-split sum would round differently); pass 2 recomputes r from the stored m, v and the
 * not-yet-updated p (the same operations on the same values, so the same r, and no scratch
 * buffer) and applies p -= lr·ratio·r.
 */
export function lambF64(
  p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64, bc1: f64, bc2Sqrt: f64, eps: f64, wd: f64,
): void {
  let wSq: f64 = 0;
  let rSq: f64 = 0;
  const n2 = <usize>(n & ~1) << 3;
  const end = <usize>n << 3;
  let o: usize = 0;
  for (; o < end; o += 16) {
    const pair = o < n2;
    const gi = ld(g + o, pair);
    const pi = ld(p + o, pair);
    const mi = f64x2.add(f64x2.mul(f64x2.splat(beta1), ld(m + o, pair)), f64x2.mul(f64x2.splat(omb1), gi));
    st(m + o, mi, pair);
    const vi = f64x2.add(f64x2.mul(f64x2.splat(beta2), ld(v + o, pair)), f64x2.mul(f64x2.mul(f64x2.splat(omb2), gi), gi));
    st(v + o, vi, pair);
    const ri = lambDir(mi, vi, pi, bc1, bc2Sqrt, eps, wd);
    const p0 = f64x2.extract_lane(pi, 0);
    const r0 = f64x2.extract_lane(ri, 0);
    wSq += p0 * p0;
    rSq += r0 * r0;
    if (pair) {
      const p1 = f64x2.extract_lane(pi, 1);
      const r1 = f64x2.extract_lane(ri, 1);
      wSq += p1 * p1;
      rSq += r1 * r1;
    }
  }
  const wNorm = Math.sqrt(wSq);
  const rNorm = Math.sqrt(rSq);
  const ratio = wNorm > 0 && rNorm > 0 ? wNorm / rNorm : 1;
  const step = f64x2.splat(lr * ratio);
  for (o = 0; o < end; o += 16) {
    const pair = o < n2;
    const pi = ld(p + o, pair);
    const ri = lambDir(ld(m + o, pair), ld(v + o, pair), pi, bc1, bc2Sqrt, eps, wd);
    st(p + o, f64x2.sub(pi, f64x2.mul(step, ri)), pair);
  }
}

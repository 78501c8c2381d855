/**
 * @file Small-M float32 products without packing: C[i, j] = act(Σ_p A[i, p]·B[j, p] + bias[j]),
 * i.e. C = A·Bᵀ with both operands read in place, row-major with k contiguous. This is `linear`'s
 * layout (x [rows, in] times weight [out, in]ᵀ), so a single sample or a small batch streams each
 * weight row once, straight from where it lives, instead of packing the whole weight into panels
 * first (the packed GEMM of gemm.as re-packs B on every call: for one input row that copy costs as
 * much as the product, and the 4-row micro-kernel wastes three quarters of its lanes).
 *
 * Why dot products: with k contiguous in both operands, the natural vector loop runs along k, one
 * f32x4 accumulator per output, reduced horizontally once at the end (four accumulators at a time
 * with two shuffle rounds, so the reduction costs ~3 instructions per output). Tiles: 2 rows of A
 * × 4 rows of B (8 accumulators, 6 loads per 8 multiply-adds, 14 live xmm registers: V8 hoists a
 * block's loads, and 15 is its limit), or for a single row of A, 1 × 4 with two accumulator sets
 * (two k steps in separate basic blocks) so the adds do not wait on each other's latency.
 * The loop nest keeps a 4-row B block (4·k floats) in L1 while every A tile passes over it, so B
 * is read from memory exactly once per call.
 *
 * Each output is computed by the same instruction sequence whatever the range of j a call covers,
 * so splitting the j range across threads gives bitwise identical results.
 */

const ACT_NONE = 0;
const ACT_RELU = 1;

@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** [Σ a0, Σ a1, Σ a2, Σ a3]: the lane sums of four accumulators in one vector. */
@inline
function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const u01 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const u23 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(u01, u23, 0, 1, 4, 5), i32x4.shuffle(u01, u23, 2, 3, 6, 7));
}

/**
 * The k tail (k % 4 elements after byte offset `p`) of row `a` against rows b0..b3, added to `s`,
 * then bias and activation; stores the first `nb` lanes at `c`.
 */
@inline
function finish(s: v128, a: usize, b0: usize, b1: usize, b2: usize, b3: usize, p: usize, kBytes: usize, c: usize, nb: i32, bias: usize, act: i32): void {
  for (; p < kBytes; p += 4) {
    let bv = f32x4.splat(load<f32>(b0 + p));
    bv = f32x4.replace_lane(bv, 1, load<f32>(b1 + p));
    bv = f32x4.replace_lane(bv, 2, load<f32>(b2 + p));
    bv = f32x4.replace_lane(bv, 3, load<f32>(b3 + p));
    s = madd(v128.load32_splat(a + p), bv, s);
  }
  if (bias != 0) {
    if (nb == 4) s = f32x4.add(s, v128.load(bias));
    else {
      let bb = f32x4.splat(load<f32>(bias));
      if (nb > 1) bb = f32x4.replace_lane(bb, 1, load<f32>(bias, 4));
      if (nb > 2) bb = f32x4.replace_lane(bb, 2, load<f32>(bias, 8));
      s = f32x4.add(s, bb);
    }
  }
  // z <= 0 ? 0 : z, so NaN passes through, as the reference and fused.as's epilogue.
  if (act == ACT_RELU) s = v128.andnot(s, f32x4.le(s, f32x4.splat(0)));
  if (nb == 4) {
    v128.store(c, s);
    return;
  }
  store<f32>(c, f32x4.extract_lane(s, 0));
  if (nb > 1) store<f32>(c, f32x4.extract_lane(s, 1), 4);
  if (nb > 2) store<f32>(c, f32x4.extract_lane(s, 2), 8);
}

/** Two rows of A (a0, a1) against four rows of B: 8 accumulators over the vector part of k. */
@inline
function tile2x4(a0: usize, a1: usize, b0: usize, b1: usize, b2: usize, b3: usize, kBytes: usize, c0: usize, c1: usize, nb: i32, bias: usize, act: i32): void {
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s02 = f32x4.splat(0);
  let s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s12 = f32x4.splat(0);
  let s13 = f32x4.splat(0);
  const kv = kBytes & ~(<usize>15);
  let p: usize = 0;
  for (; p < kv; p += 16) {
    const w0 = v128.load(b0 + p);
    const w1 = v128.load(b1 + p);
    const w2 = v128.load(b2 + p);
    const w3 = v128.load(b3 + p);
    const x0 = v128.load(a0 + p);
    s00 = madd(x0, w0, s00);
    s01 = madd(x0, w1, s01);
    s02 = madd(x0, w2, s02);
    s03 = madd(x0, w3, s03);
    const x1 = v128.load(a1 + p);
    s10 = madd(x1, w0, s10);
    s11 = madd(x1, w1, s11);
    s12 = madd(x1, w2, s12);
    s13 = madd(x1, w3, s13);
  }
  finish(hsum4(s00, s01, s02, s03), a0, b0, b1, b2, b3, p, kBytes, c0, nb, bias, act);
  finish(hsum4(s10, s11, s12, s13), a1, b0, b1, b2, b3, p, kBytes, c1, nb, bias, act);
}

/**
 * One row of A against four rows of B; two accumulator sets over alternate k steps. The row and
 * the block advance as pointers (x, q) and the other three B rows sit at fixed byte distances
 * (d1..d3; 0 for a short block's repeated row).
 */
@inline
function tile1x4(a0: usize, b0: usize, b1: usize, b2: usize, b3: usize, kBytes: usize, c0: usize, nb: i32, bias: usize, act: i32): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let t0 = f32x4.splat(0);
  let t1 = f32x4.splat(0);
  let t2 = f32x4.splat(0);
  let t3 = f32x4.splat(0);
  const kv = kBytes & ~(<usize>15);
  const d1 = b1 - b0;
  const d2 = b2 - b0;
  const d3 = b3 - b0;
  const xe = a0 + kv;
  let x = a0;
  let q = b0;
  while (x < xe) {
    const xv = v128.load(x);
    s0 = madd(xv, v128.load(q), s0);
    s1 = madd(xv, v128.load(q + d1), s1);
    s2 = madd(xv, v128.load(q + d2), s2);
    s3 = madd(xv, v128.load(q + d3), s3);
    x += 16;
    q += 16;
    // Its own basic block (see gemm.as's kernel4x8): V8 hoists a block's loads, and one block with
    // both steps would need 10 loaded vectors live beside the 8 accumulators.
    if (x < xe) {
      const y = v128.load(x);
      t0 = madd(y, v128.load(q), t0);
      t1 = madd(y, v128.load(q + d1), t1);
      t2 = madd(y, v128.load(q + d2), t2);
      t3 = madd(y, v128.load(q + d3), t3);
      x += 16;
      q += 16;
    }
  }
  finish(hsum4(f32x4.add(s0, t0), f32x4.add(s1, t1), f32x4.add(s2, t2), f32x4.add(s3, t3)), a0, b0, b1, b2, b3, kv, kBytes, c0, nb, bias, act);
}

/**
 * One row of A (a single sample) against all n rows of B: gemmSmallNT's tile1x4 column loop in a
 * function of its own. Why not inlined: in gemmSmallNT's body (both tiles, the row loop) V8 ran
 * out of registers and re-derived the row pointers from the stack inside the k loop; alone, the
 * loop stays in registers. Measured 1 x 4 at k = 784 (1 thread, Zen 4, Node 20): 41 -> 47 GFLOPS.
 * Every output is computed exactly as tile1x4 computes it in gemmSmallNT.
 */
function rowNT(n: i32, kBytes: usize, a: usize, b: usize, ldbB: usize, c: usize, bias: usize, act: i32): void {
  for (let j = 0; j < n; j += 4) {
    const nb = min(4, n - j);
    const b0 = b + <usize>j * ldbB;
    const b1 = nb > 1 ? b0 + ldbB : b0;
    const b2 = nb > 2 ? b1 + ldbB : b1;
    const b3 = nb > 3 ? b2 + ldbB : b2;
    tile1x4(a, b0, b1, b2, b3, kBytes, c + (<usize>j << 2), nb, bias != 0 ? bias + (<usize>j << 2) : 0, act);
  }
}

/**
 * C[i, j] = act(Σ_p A[i·lda + p]·B[j·ldb + p] + bias[j]) for i < m, j < n (all strides in
 * elements; bias == 0: none; act 0 none, 1 relu). Any m works; it is meant for small m, where it
 * beats packing (see kernels/matmul.ts for the crossover).
 */
export function gemmSmallNT(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, act: i32): void {
  const kBytes = <usize>max(k, 0) << 2;
  if (m == 1) {
    rowNT(n, kBytes, a, b, <usize>ldb << 2, c, bias, act == ACT_RELU ? ACT_RELU : ACT_NONE);
    return;
  }
  const ldaB = <usize>lda << 2;
  const ldbB = <usize>ldb << 2;
  const ldcB = <usize>ldc << 2;
  const act1 = act == ACT_RELU ? ACT_RELU : ACT_NONE;
  for (let j = 0; j < n; j += 4) {
    const nb = min(4, n - j);
    // A short block repeats its last row (computed, never stored): one code path for every n.
    const b0 = b + <usize>j * ldbB;
    const b1 = nb > 1 ? b0 + ldbB : b0;
    const b2 = nb > 2 ? b1 + ldbB : b1;
    const b3 = nb > 3 ? b2 + ldbB : b2;
    const bj = bias != 0 ? bias + (<usize>j << 2) : 0;
    const cj = c + (<usize>j << 2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = a + <usize>i * ldaB;
      const c0 = cj + <usize>i * ldcB;
      tile2x4(a0, a0 + ldaB, b0, b1, b2, b3, kBytes, c0, c0 + ldcB, nb, bj, act1);
    }
    if (i < m) tile1x4(a + <usize>i * ldaB, b0, b1, b2, b3, kBytes, cj + <usize>i * ldcB, nb, bj, act1);
  }
}

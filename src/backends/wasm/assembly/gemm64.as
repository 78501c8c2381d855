/**
 * @file Double-precision GEMM, C = op(A)·op(B): gemm.as's BLIS-style scheme with f64x2 lanes. B is
 * packed into 4-column panels (kc×nc, kept in L2), A into 4-row panels of 16-byte splats, and a
 * 4×4 register-blocked micro-kernel (8 f64x2 accumulators) runs over them. The byte layout of the
 * packed panels is gemm.as's exactly (an A step is 4 splats = 64 bytes, a B step 4 doubles = 32
 * bytes), so the micro-kernel is gemm.as's 4×8 float32 kernel with f64x2 arithmetic, and the
 * reasons given there (splat-packed A, 15 live xmm registers, the nested-if 8-deep unroll) carry
 * over unchanged. Transposes are folded into the packing through element strides.
 *
 * The ceiling: 128-bit SIMD holds 2 doubles, so a k step is 16 flops per 8 mul + 8 add (or 8
 * relaxed FMAs) where the float32 kernel does 32: half its peak (bench/f64-peak.ts measures it).
 *
 * Thread-ready like gemm.as: `gemm64` works on any sub-block of C with its own workspace.
 */

const MR: i32 = 4;
const NR: i32 = 4;

/** c + a·b on f64x2: one FMA with relaxed SIMD, else a mul and an add (see gemm.as). */
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/**
 * C[0:4, 0:4] (+)= Σ_p Ap[p]·Bp[p] over kc steps. `pa`: kc×4 f64 splats, `pb`: kc×4 doubles,
 * `ldc` in bytes. `acc` != 0 adds to C (later k blocks), otherwise overwrites it.
 */
function kernel4x4(kc: i32, pa: usize, pb: usize, pc: usize, ldc: usize, acc: i32): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  // Four k steps per iteration, each after the first in its own nested `if`: the branches are
  // (almost) always taken, but they end basic blocks, and V8 hoists loads only within a block, so
  // each step keeps its 6 loaded vectors in registers without spilling. The ifs also handle kc % 4.
  const end = pb + (<usize>kc << 5);
  // Precomputed bounds: each step's test is one fused cmp+jcc (addresses are far above 224, no wrap).
  const e1 = end - 32;
  const e2 = end - 64;
  const e3 = end - 96;
  const e4 = end - 128;
  const e5 = end - 160;
  const e6 = end - 192;
  const e7 = end - 224;
  while (pb < end) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load(pa, 0);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load(pa, 16);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load(pa, 32);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load(pa, 48);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    if (pb < e1) {
      const b0 = v128.load(pb, 32);
      const b1 = v128.load(pb, 48);
      const a0 = v128.load(pa, 64);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      const a1 = v128.load(pa, 80);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      const a2 = v128.load(pa, 96);
      c20 = madd(a2, b0, c20);
      c21 = madd(a2, b1, c21);
      const a3 = v128.load(pa, 112);
      c30 = madd(a3, b0, c30);
      c31 = madd(a3, b1, c31);
      if (pb < e2) {
        const b0 = v128.load(pb, 64);
        const b1 = v128.load(pb, 80);
        const a0 = v128.load(pa, 128);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        const a1 = v128.load(pa, 144);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        const a2 = v128.load(pa, 160);
        c20 = madd(a2, b0, c20);
        c21 = madd(a2, b1, c21);
        const a3 = v128.load(pa, 176);
        c30 = madd(a3, b0, c30);
        c31 = madd(a3, b1, c31);
        if (pb < e3) {
          const b0 = v128.load(pb, 96);
          const b1 = v128.load(pb, 112);
          const a0 = v128.load(pa, 192);
          c00 = madd(a0, b0, c00);
          c01 = madd(a0, b1, c01);
          const a1 = v128.load(pa, 208);
          c10 = madd(a1, b0, c10);
          c11 = madd(a1, b1, c11);
          const a2 = v128.load(pa, 224);
          c20 = madd(a2, b0, c20);
          c21 = madd(a2, b1, c21);
          const a3 = v128.load(pa, 240);
          c30 = madd(a3, b0, c30);
          c31 = madd(a3, b1, c31);
          if (pb < e4) {
            const b0 = v128.load(pb, 128);
            const b1 = v128.load(pb, 144);
            const a0 = v128.load(pa, 256);
            c00 = madd(a0, b0, c00);
            c01 = madd(a0, b1, c01);
            const a1 = v128.load(pa, 272);
            c10 = madd(a1, b0, c10);
            c11 = madd(a1, b1, c11);
            const a2 = v128.load(pa, 288);
            c20 = madd(a2, b0, c20);
            c21 = madd(a2, b1, c21);
            const a3 = v128.load(pa, 304);
            c30 = madd(a3, b0, c30);
            c31 = madd(a3, b1, c31);
            if (pb < e5) {
              const b0 = v128.load(pb, 160);
              const b1 = v128.load(pb, 176);
              const a0 = v128.load(pa, 320);
              c00 = madd(a0, b0, c00);
              c01 = madd(a0, b1, c01);
              const a1 = v128.load(pa, 336);
              c10 = madd(a1, b0, c10);
              c11 = madd(a1, b1, c11);
              const a2 = v128.load(pa, 352);
              c20 = madd(a2, b0, c20);
              c21 = madd(a2, b1, c21);
              const a3 = v128.load(pa, 368);
              c30 = madd(a3, b0, c30);
              c31 = madd(a3, b1, c31);
              if (pb < e6) {
                const b0 = v128.load(pb, 192);
                const b1 = v128.load(pb, 208);
                const a0 = v128.load(pa, 384);
                c00 = madd(a0, b0, c00);
                c01 = madd(a0, b1, c01);
                const a1 = v128.load(pa, 400);
                c10 = madd(a1, b0, c10);
                c11 = madd(a1, b1, c11);
                const a2 = v128.load(pa, 416);
                c20 = madd(a2, b0, c20);
                c21 = madd(a2, b1, c21);
                const a3 = v128.load(pa, 432);
                c30 = madd(a3, b0, c30);
                c31 = madd(a3, b1, c31);
                if (pb < e7) {
                  const b0 = v128.load(pb, 224);
                  const b1 = v128.load(pb, 240);
                  const a0 = v128.load(pa, 448);
                  c00 = madd(a0, b0, c00);
                  c01 = madd(a0, b1, c01);
                  const a1 = v128.load(pa, 464);
                  c10 = madd(a1, b0, c10);
                  c11 = madd(a1, b1, c11);
                  const a2 = v128.load(pa, 480);
                  c20 = madd(a2, b0, c20);
                  c21 = madd(a2, b1, c21);
                  const a3 = v128.load(pa, 496);
                  c30 = madd(a3, b0, c30);
                  c31 = madd(a3, b1, c31);
                }
              }
            }
          }
        }
      }
    }
    pa += 512;
    pb += 256;
  }
  const r1 = pc + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (acc) {
    c00 = f64x2.add(c00, v128.load(pc));
    c01 = f64x2.add(c01, v128.load(pc, 16));
    c10 = f64x2.add(c10, v128.load(r1));
    c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2));
    c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3));
    c31 = f64x2.add(c31, v128.load(r3, 16));
  }
  v128.store(pc, c00);
  v128.store(pc, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/** Copies the valid mr×nr corner of a 4×4 tile into C (adding when `acc`). */
function storeEdge(tile: usize, pc: usize, ldc: i32, mr: i32, nr: i32, acc: i32): void {
  for (let r = 0; r < mr; r++) {
    const src = tile + (<usize>(r * NR) << 3);
    const dst = pc + (<usize>(r * ldc) << 3);
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 3;
      const v = load<f64>(src + o);
      store<f64>(dst + o, acc ? load<f64>(dst + o) + v : v);
    }
  }
}

/**
 * Packs rows [0, mc) × cols [0, kc) of A (element (i,p) at a + 8·(i·rs + p·cs)) into MR-row panels
 * of splats: panel q holds, for each p, A(4q..4q+3, p) as four f64x2 splats. Rows past mc are zero.
 */
function packA(a: usize, rs: i32, cs: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const base = a + (<usize>(i0 * rs) << 3);
    if (rows == MR && cs == 1) {
      const s = <usize>rs << 3;
      let p0 = base;
      let p1 = base + s;
      let p2 = p1 + s;
      let p3 = p2 + s;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load64_splat(p0));
        v128.store(dst, v128.load64_splat(p1), 16);
        v128.store(dst, v128.load64_splat(p2), 32);
        v128.store(dst, v128.load64_splat(p3), 48);
        p0 += 8;
        p1 += 8;
        p2 += 8;
        p3 += 8;
        dst += 64;
      }
    } else if (rows == MR && rs == 1) {
      // Transposed A: the four rows' elements at step p are contiguous (32 bytes).
      const step = <usize>cs << 3;
      let src = base;
      for (let p = 0; p < kc; p++) {
        const v0 = v128.load(src);
        const v1 = v128.load(src, 16);
        v128.store(dst, i64x2.shuffle(v0, v0, 0, 0));
        v128.store(dst, i64x2.shuffle(v0, v0, 1, 1), 16);
        v128.store(dst, i64x2.shuffle(v1, v1, 0, 0), 32);
        v128.store(dst, i64x2.shuffle(v1, v1, 1, 1), 48);
        src += step;
        dst += 64;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          const v: f64 = r < rows ? load<f64>(base + (<usize>(r * rs + p * cs) << 3)) : 0;
          v128.store(dst, f64x2.splat(v));
          dst += 16;
        }
      }
    }
  }
}

/**
 * Packs rows [0, kc) × cols [0, nc) of B (element (p,j) at b + 8·(p·rs + j·cs)) into NR-column
 * panels: panel q holds, for each p, B(p, 4q..4q+3). Columns past nc are zero.
 */
function packB(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const base = b + (<usize>(j0 * cs) << 3);
    if (cols == NR && cs == 1) {
      const step = <usize>rs << 3;
      let src = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else if (cols == NR && rs == 1) {
      // Transposed B: columns are contiguous along p; 2×2 transposes of (p, p+1) × column pairs.
      const s = <usize>cs << 3;
      let p = 0;
      for (; p + 2 <= kc; p += 2) {
        const c0 = base + (<usize>p << 3);
        const x0 = v128.load(c0);
        const x1 = v128.load(c0 + s);
        const x2 = v128.load(c0 + 2 * s);
        const x3 = v128.load(c0 + 3 * s);
        v128.store(dst, i64x2.shuffle(x0, x1, 0, 2));
        v128.store(dst, i64x2.shuffle(x2, x3, 0, 2), 16);
        v128.store(dst, i64x2.shuffle(x0, x1, 1, 3), 32);
        v128.store(dst, i64x2.shuffle(x2, x3, 1, 3), 48);
        dst += 64;
      }
      for (; p < kc; p++) {
        const c0 = base + (<usize>p << 3);
        for (let j = 0; j < NR; j++) store<f64>(dst + (<usize>j << 3), load<f64>(c0 + <usize>j * s));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          const v: f64 = j < cols ? load<f64>(base + (<usize>(p * rs + j * cs) << 3)) : 0;
          store<f64>(dst + (<usize>j << 3), v);
        }
        dst += 32;
      }
    }
  }
}

/** Runs the micro-kernel over a packed mc×kc A block and kc×nc B block into C. */
function macroKernel(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, acc: i32, tile: usize): void {
  const ldcBytes = <usize>ldc << 3;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const pa = ap + (<usize>(ir * kc) << 4);
    const crow = c + <usize>ir * ldcBytes;
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const pb = bp + (<usize>(jr * kc) << 3);
      const pc = crow + (<usize>jr << 3);
      if (mr == MR && nr == NR) {
        kernel4x4(kc, pa, pb, pc, ldcBytes, acc);
      } else {
        kernel4x4(kc, pa, pb, tile, 32, 0);
        storeEdge(tile, pc, ldc, mr, nr, acc);
      }
    }
  }
}

@inline
function balanced(len: i32, limit: i32, unit: i32): i32 {
  const blocks = (len + limit - 1) / limit;
  const size = (len + blocks - 1) / blocks;
  return min(limit, (size + unit - 1) / unit * unit);
}

/** Bytes of workspace `gemm64` needs for the given block sizes. */
export function gemm64WorkspaceBytes(kcB: i32, mcB: i32, ncB: i32): usize {
  const mcR = (mcB + MR - 1) / MR * MR;
  const ncR = (ncB + NR - 1) / NR * NR;
  return (<usize>(mcR * kcB) << 4) + (<usize>(kcB * ncR) << 3) + <usize>(MR * NR * 8);
}

/**
 * C (m×n, row stride ldc) = op(A)·op(B) in float64. Element (i,p) of op(A) is at
 * a + 8·(i·ars + p·acs) and (p,j) of op(B) at b + 8·(p·brs + j·bcs). `ws` must hold
 * gemm64WorkspaceBytes(kcB, mcB, ncB) bytes.
 */
export function gemm64(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32,
  ws: usize, kcB: i32, mcB: i32, ncB: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 3), 0, <usize>n << 3);
    return;
  }
  const mcR = (mcB + MR - 1) / MR * MR;
  const ncR = (ncB + NR - 1) / NR * NR;
  const ap = ws;
  const bp = ap + (<usize>(mcR * kcB) << 4);
  const tile = bp + (<usize>(kcB * ncR) << 3);
  const kcE = balanced(k, kcB, 1);
  const mcE = balanced(m, mcR, MR);
  const ncE = balanced(n, ncR, NR);
  for (let jc = 0; jc < n; jc += ncE) {
    const nc = min(ncE, n - jc);
    for (let pc = 0; pc < k; pc += kcE) {
      const kc = min(kcE, k - pc);
      packB(b + (<usize>(pc * brs + jc * bcs) << 3), brs, bcs, kc, nc, bp);
      for (let ic = 0; ic < m; ic += mcE) {
        const mc = min(mcE, m - ic);
        packA(a + (<usize>(ic * ars + pc * acs) << 3), ars, acs, mc, kc, ap);
        macroKernel(mc, nc, kc, ap, bp, c + (<usize>(ic * ldc + jc) << 3), ldc, pc > 0 ? 1 : 0, tile);
      }
    }
  }
}

/**
 * The f64x2 ceiling, for bench/f64.ts: `iters` steps of the micro-kernel's arithmetic alone, 8
 * independent accumulators each taking one madd per step (32 flops per step: 8 × 2 lanes × mul +
 * add) on operands held in registers, no loads or stores. Reads its 9 inputs from `x` (so nothing
 * folds away) and returns the accumulators' sum.
 */
export function gemm64Peak(x: usize, iters: i32): f64 {
  const b = v128.load(x);
  let c0 = v128.load(x, 16);
  let c1 = c0;
  let c2 = c0;
  let c3 = c0;
  let c4 = c0;
  let c5 = c0;
  let c6 = c0;
  let c7 = c0;
  const a0 = v128.load(x, 32);
  const a1 = v128.load(x, 48);
  for (let i = 0; i < iters; i++) {
    c0 = madd(a0, b, c0);
    c1 = madd(a1, b, c1);
    c2 = madd(a0, b, c2);
    c3 = madd(a1, b, c3);
    c4 = madd(a0, b, c4);
    c5 = madd(a1, b, c5);
    c6 = madd(a0, b, c6);
    c7 = madd(a1, b, c7);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(c0, c1), f64x2.add(c2, c3)), f64x2.add(f64x2.add(c4, c5), f64x2.add(c6, c7)));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * @file Single-precision GEMM, C = op(A)·op(B), BLIS-style: B is packed into NR-column panels
 * (kc×nc, kept in L2), A into MR-row panels (kc×MR), and a 4×8 register-blocked f32x4
 * micro-kernel runs over the packed panels. Transposes are folded into the packing routines
 * through element strides, so no operand is ever transposed explicitly.
 *
 * Why A is packed pre-broadcast (each element stored as a 16-byte splat): V8 (11.x) does not fold
 * the immediate offset of `v128.load32_splat` into the address, so every splat costs an extra
 * `lea`; a plain `v128.load` folds it. The micro-kernel is front-end bound (no FMA in baseline
 * wasm SIMD: one mul + one add per 4 multiply-adds), so removing those instructions is worth the
 * 4x larger A panel. The A micro-panel (kc×4×16 bytes = 16 KiB at kc 256) stays in L1 while the
 * loop streams B micro-panels from L2.
 *
 * Why 4×8: V8 schedules all loads of a basic block before the arithmetic, so the tile's live
 * registers are 8 accumulators + 6 loaded vectors + 1 temporary = 15, exactly the xmm registers
 * V8 allocates (xmm15 is its scratch). Bigger tiles spill; the k loop is unrolled 4x with each
 * step in its own basic block (see kernel4x8), which saves loop overhead without spilling.
 * Unrolling 8 deep with precomputed bounds measured +2-3% over 4 (64×256×512 from L2).
 * Why ~35 GFLOPS is about the ceiling here (AMD EPYC, Node 20): the kernel with every madd turned
 * into two adds (or two muls) runs at 21 "GFLOPS", i.e. 16 adds per k step on 2 add pipes = 8
 * cycles; so the mul+add kernel's FP peak (8 muls and 8 adds on separate pipe pairs, 4 cycles) is
 * ~42 GFLOPS, and it reaches 34-36 (~83%), the rest going to the 6 loads + loop per step. More
 * flops per load needs > 15 live xmm registers (V8 hoists a block's loads) and spills. With relaxed
 * SIMD (8 FMAs per step) it measures 6-14% faster (~38 GFLOPS); a 5×8 FMA tile (10 accumulators,
 * each step split in two blocks to stay within 15 registers) measured 5-8% slower than 4×8.
 * Measured (Zen 4, Node 20, noisy shared VM): ~35-38 GFLOPS for the micro-kernel from L1.
 *
 * Thread-ready: `gemm` works on any sub-block of C given its own workspace, so a worker pool can
 * split the n (or m) range without sharing mutable state.
 */

const MR: i32 = 4;
const NR: i32 = 8;

/**
 * c + a·b. With relaxed SIMD (a separate build, picked where the engine validates it: Node >= 22,
 * Node 20 with V8's flag, which module.ts turns on, current browsers) this is one FMA; baseline SIMD
 * has no FMA, so it is a mul and an add.
 */
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * C[0:4, 0:8] (+)= Σ_p Ap[p]·Bp[p] over kc steps. `pa`: kc×4 splat vectors, `pb`: kc×8 floats,
 * `ldc` in bytes. `acc` != 0 adds to C (later k blocks), otherwise overwrites it.
 */
function kernel4x8(kc: i32, pa: usize, pb: usize, pc: usize, ldc: usize, acc: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
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
    c00 = f32x4.add(c00, v128.load(pc));
    c01 = f32x4.add(c01, v128.load(pc, 16));
    c10 = f32x4.add(c10, v128.load(r1));
    c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2));
    c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3));
    c31 = f32x4.add(c31, v128.load(r3, 16));
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

/** Copies the valid mr×nr corner of a 4×8 tile into C (adding when `acc`). */
function storeEdge(tile: usize, pc: usize, ldc: i32, mr: i32, nr: i32, acc: i32): void {
  for (let r = 0; r < mr; r++) {
    const src = tile + (<usize>(r * NR) << 2);
    const dst = pc + (<usize>(r * ldc) << 2);
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc ? load<f32>(dst + o) + v : v);
    }
  }
}

/**
 * Packs rows [0, mc) × cols [0, kc) of A (element (i,p) at a + 4·(i·rs + p·cs)) into MR-row
 * panels of splat vectors: panel q holds, for each p, A(4q..4q+3, p) as four f32x4 splats.
 * Rows past mc are zero so the micro-kernel can always compute a full tile.
 */
function packA(a: usize, rs: i32, cs: i32, mc: i32, kc: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const base = a + (<usize>(i0 * rs) << 2);
    if (rows == MR && cs == 1) {
      // Row-major A: four rows walked side by side.
      const s = <usize>rs << 2;
      let p0 = base;
      let p1 = base + s;
      let p2 = p1 + s;
      let p3 = p2 + s;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load32_splat(p0));
        v128.store(dst, v128.load32_splat(p1), 16);
        v128.store(dst, v128.load32_splat(p2), 32);
        v128.store(dst, v128.load32_splat(p3), 48);
        p0 += 4;
        p1 += 4;
        p2 += 4;
        p3 += 4;
        dst += 64;
      }
    } else if (rows == MR && rs == 1) {
      // Transposed A: the four rows' elements at step p are contiguous.
      const step = <usize>cs << 2;
      let src = base;
      for (let p = 0; p < kc; p++) {
        const v = v128.load(src);
        v128.store(dst, i32x4.shuffle(v, v, 0, 0, 0, 0));
        v128.store(dst, i32x4.shuffle(v, v, 1, 1, 1, 1), 16);
        v128.store(dst, i32x4.shuffle(v, v, 2, 2, 2, 2), 32);
        v128.store(dst, i32x4.shuffle(v, v, 3, 3, 3, 3), 48);
        src += step;
        dst += 64;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          const v: f32 = r < rows ? load<f32>(base + (<usize>(r * rs + p * cs) << 2)) : 0;
          v128.store(dst, f32x4.splat(v));
          dst += 16;
        }
      }
    }
  }
}

/** The 4×4 transpose of rows x0..x3, stored at dst, dst+32, dst+64, dst+96 (rows of a packed 8-wide B panel). */
@inline
function transpose4Store(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
  v128.store(dst, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
  v128.store(dst, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
}

/**
 * Packs rows [0, kc) × cols [0, nc) of B (element (p,j) at b + 4·(p·rs + j·cs)) into NR-column
 * panels: panel q holds, for each p, B(p, 8q..8q+7). Columns past nc are zero.
 */
function packB(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const base = b + (<usize>(j0 * cs) << 2);
    if (cols == NR && cs == 1) {
      // Row-major B: each step is 8 contiguous floats.
      const step = <usize>rs << 2;
      let src = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else if (cols == NR && rs == 1) {
      // Transposed B (a row of op(B) is a column in memory): 4×4 SIMD transposes.
      const s = <usize>cs << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const c0 = base + (<usize>p << 2);
        const c4 = c0 + 4 * s;
        transpose4Store(v128.load(c0), v128.load(c0 + s), v128.load(c0 + 2 * s), v128.load(c0 + 3 * s), dst);
        transpose4Store(v128.load(c4), v128.load(c4 + s), v128.load(c4 + 2 * s), v128.load(c4 + 3 * s), dst + 16);
        dst += 128;
      }
      for (; p < kc; p++) {
        const c0 = base + (<usize>p << 2);
        for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), load<f32>(c0 + <usize>j * s));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          const v: f32 = j < cols ? load<f32>(base + (<usize>(p * rs + j * cs) << 2)) : 0;
          store<f32>(dst + (<usize>j << 2), v);
        }
        dst += 32;
      }
    }
  }
}

/** Runs the micro-kernel over a packed mc×kc A block and kc×nc B block into C. */
function macroKernel(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, acc: i32, tile: usize): void {
  const ldcBytes = <usize>ldc << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const pa = ap + (<usize>(ir * kc) << 4);
    const crow = c + <usize>ir * ldcBytes;
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const pb = bp + (<usize>(jr * kc) << 2);
      const pc = crow + (<usize>jr << 2);
      if (mr == MR && nr == NR) {
        kernel4x8(kc, pa, pb, pc, ldcBytes, acc);
      } else {
        kernel4x8(kc, pa, pb, tile, 32, 0);
        storeEdge(tile, pc, ldc, mr, nr, acc);
      }
    }
  }
}

/** The size of ceil(len / limit) equal blocks covering len, rounded up to a multiple of `unit` (<= limit). */
@inline
function balanced(len: i32, limit: i32, unit: i32): i32 {
  const blocks = (len + limit - 1) / limit;
  const size = (len + blocks - 1) / blocks;
  return min(limit, (size + unit - 1) / unit * unit);
}

/** Bytes of workspace `gemm` needs for the given block sizes. */
export function gemmWorkspaceBytes(kcB: i32, mcB: i32, ncB: i32): usize {
  const mcR = (mcB + MR - 1) / MR * MR;
  const ncR = (ncB + NR - 1) / NR * NR;
  return (<usize>(mcR * kcB) << 4) + (<usize>(kcB * ncR) << 2) + <usize>(MR * NR * 4);
}

/**
 * C (m×n, row stride ldc) = op(A)·op(B). Element (i,p) of op(A) is at a + 4·(i·ars + p·acs) and
 * (p,j) of op(B) at b + 4·(p·brs + j·bcs), so a transpose is just swapped strides. `ws` must hold
 * gemmWorkspaceBytes(kcB, mcB, ncB) bytes; kcB/mcB/ncB are the cache block sizes.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32,
  ws: usize, kcB: i32, mcB: i32, ncB: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const mcR = (mcB + MR - 1) / MR * MR;
  const ncR = (ncB + NR - 1) / NR * NR;
  const ap = ws;
  const bp = ap + (<usize>(mcR * kcB) << 4);
  const tile = bp + (<usize>(kcB * ncR) << 2);
  // Equal blocks no larger than the limits: k = 784 runs as 4 × 196, not 3 × 256 + 16 (a 16-deep
  // block spends as long on its C update and call overhead as on arithmetic).
  const kcE = balanced(k, kcB, 1);
  const mcE = balanced(m, mcR, MR);
  const ncE = balanced(n, ncR, NR);
  for (let jc = 0; jc < n; jc += ncE) {
    const nc = min(ncE, n - jc);
    for (let pc = 0; pc < k; pc += kcE) {
      const kc = min(kcE, k - pc);
      packB(b + (<usize>(pc * brs + jc * bcs) << 2), brs, bcs, kc, nc, bp);
      for (let ic = 0; ic < m; ic += mcE) {
        const mc = min(mcE, m - ic);
        packA(a + (<usize>(ic * ars + pc * acs) << 2), ars, acs, mc, kc, ap);
        macroKernel(mc, nc, kc, ap, bp, c + (<usize>(ic * ldc + jc) << 2), ldc, pc > 0 ? 1 : 0, tile);
      }
    }
  }
}

/**
 * The f32x4 ceiling, for bench/gemm.ts (workload a): `iters` steps of the 4×8 micro-kernel's
 * arithmetic alone, 8 independent accumulators each taking one madd per step (64 flops per step:
 * 8 × 4 lanes × mul + add) on operands held in registers, no loads or stores. Reads its inputs from
 * `x` (so nothing folds away) and returns the accumulators' sum. The GEMM figure over this one is
 * the kernel's share of what 128-bit SIMD allows on the core.
 */
export function gemmPeak(x: usize, iters: i32): f32 {
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
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

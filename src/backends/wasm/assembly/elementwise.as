/**
 * @file Elementwise float32 kernels: unary maps, binary arithmetic and comparisons over a 2-D
 * broadcast pattern, and `where`. The JS side collapses any broadcast into rows × cols where each
 * operand's column stride is 0 (broadcast) or 1 (contiguous) and its row stride is arbitrary, which
 * covers same-shape, scalar, row-vector (bias) and column-vector (softmax shift) operands.
 *
 * Each loop is written once as an @inline function taking the op code; one export per op calls it
 * with a constant, so the compiler emits one specialised loop per op (see unaryNeg for why not a
 * switch). Tails use the same vector op on a splat and take lane 0, so every element gets the
 * same result whether it falls in the vector body or the tail.
 */
import { verf, vexp, vgelu, vlog, vtanh } from './vmath';
import { vcos, vcosSinStore, vsin } from './vtrig';

// Op codes; must match the tables in src/backends/wasm/kernels/elementwise.ts.
const U_NEG = 0;
const U_ABS = 1;
const U_SQRT = 2;
const U_EXP = 3;
const U_LOG = 4;
const U_TANH = 5;
const U_CLAMP = 6;
const U_SIGN = 7;
const U_ERF = 8;
const U_GELU = 9;
const U_SIN = 10;
const U_COS = 11;

const B_ADD = 0;
const B_SUB = 1;
const B_MUL = 2;
const B_DIV = 3;
const B_MAX = 4;
const B_MIN = 5;

const C_EQ = 0;
const C_NE = 1;
const C_LT = 2;
const C_LE = 3;
const C_GT = 4;
const C_GE = 5;

@inline
function unaryOp(op: i32, x: v128, lo: v128, hi: v128): v128 {
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_ABS) return f32x4.abs(x);
  if (op == U_SQRT) return f32x4.sqrt(x);
  if (op == U_EXP) return vexp(x);
  if (op == U_LOG) return vlog(x);
  if (op == U_TANH) return vtanh(x);
  if (op == U_ERF) return verf(x);
  if (op == U_GELU) return vgelu(x);
  if (op == U_SIN) return vsin(x);
  if (op == U_COS) return vcos(x);
  if (op == U_CLAMP) {
    // x < lo ? lo : x > hi ? hi : x  (NaN compares false and passes through, as the reference)
    return v128.bitselect(lo, v128.bitselect(hi, x, f32x4.gt(x, hi)), f32x4.lt(x, lo));
  }
  // U_SIGN: 1, -1, or x itself for ±0 and NaN.
  const one = f32x4.splat(1);
  return v128.bitselect(one, v128.bitselect(f32x4.neg(one), x, f32x4.lt(x, f32x4.splat(0))), f32x4.gt(x, f32x4.splat(0)));
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32, p0: f32, p1: f32): void {
  const lo = f32x4.splat(p0);
  const hi = f32x4.splat(p1);
  const end = out + (<usize>n << 2);
  const v8end = out + (<usize>(n & ~7) << 2);
  // Two vectors per step: exp/log/tanh are long dependency chains, two give the core some overlap.
  while (out < v8end) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    v128.store(out, unaryOp(op, a, lo, hi));
    v128.store(out, unaryOp(op, b, lo, hi), 16);
    x += 32;
    out += 32;
  }
  while (out < end) {
    store<f32>(out, f32x4.extract_lane(unaryOp(op, f32x4.splat(load<f32>(x)), lo, hi), 0));
    x += 4;
    out += 4;
  }
}

// One export per op (rather than a switch over an op code): Binaryen folds the cases of such a
// switch back into a single loop that tests the op code on every element.
/** out[i] = op(x[i]) for n contiguous float32. */
export function unaryNeg(x: usize, out: usize, n: i32): void { unaryLoop(U_NEG, x, out, n, 0, 0); }
export function unaryAbs(x: usize, out: usize, n: i32): void { unaryLoop(U_ABS, x, out, n, 0, 0); }
export function unarySqrt(x: usize, out: usize, n: i32): void { unaryLoop(U_SQRT, x, out, n, 0, 0); }
export function unaryExp(x: usize, out: usize, n: i32): void { unaryLoop(U_EXP, x, out, n, 0, 0); }
export function unaryLog(x: usize, out: usize, n: i32): void { unaryLoop(U_LOG, x, out, n, 0, 0); }
export function unaryTanh(x: usize, out: usize, n: i32): void { unaryLoop(U_TANH, x, out, n, 0, 0); }
export function unarySign(x: usize, out: usize, n: i32): void { unaryLoop(U_SIGN, x, out, n, 0, 0); }
export function unaryErf(x: usize, out: usize, n: i32): void { unaryLoop(U_ERF, x, out, n, 0, 0); }
export function unaryGelu(x: usize, out: usize, n: i32): void { unaryLoop(U_GELU, x, out, n, 0, 0); }
export function unarySin(x: usize, out: usize, n: i32): void { unaryLoop(U_SIN, x, out, n, 0, 0); }
export function unaryCos(x: usize, out: usize, n: i32): void { unaryLoop(U_COS, x, out, n, 0, 0); }
/**
 * Fourier features: p is rows × m, out rows × 2m with out[r, j] = cos p[r, j] and out[r, m + j] =
 * sin p[r, j] (the cosSin primitive). Row tails go through the vector code on a splat, as above.
 */
export function cosSinRows(p: usize, out: usize, rows: i32, m: i32): void {
  const m4 = m & ~3;
  const half = <usize>m << 2;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j < m4; j += 4) vcosSinStore(v128.load(p + (<usize>j << 2)), out + (<usize>j << 2), out + half + (<usize>j << 2), true);
    for (; j < m; j++) vcosSinStore(v128.load32_splat(p + (<usize>j << 2)), out + (<usize>j << 2), out + half + (<usize>j << 2), false);
    p += half;
    out += half << 1;
  }
}
/** out[i] = clamp(x[i], lo, hi) with the reference's comparison order (NaN passes through). */
export function unaryClamp(x: usize, out: usize, n: i32, lo: f32, hi: f32): void { unaryLoop(U_CLAMP, x, out, n, lo, hi); }

@inline
function binaryOp(op: i32, a: v128, b: v128): v128 {
  if (op == B_ADD) return f32x4.add(a, b);
  if (op == B_SUB) return f32x4.sub(a, b);
  if (op == B_MUL) return f32x4.mul(a, b);
  if (op == B_DIV) return f32x4.div(a, b);
  // f32x4.max/min propagate NaN and order -0 < +0, exactly like Math.max/min.
  if (op == B_MAX) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

/** One row: out[j] = op(a[j·sa], b[j·sb]) with sa, sb in {0, 1}. */
@inline
function binaryRow(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  const end = out + (<usize>n << 2);
  const vend = out + (<usize>(n & ~3) << 2);
  if (sa && sb) {
    while (out < vend) {
      v128.store(out, binaryOp(op, v128.load(a), v128.load(b)));
      a += 16;
      b += 16;
      out += 16;
    }
  } else if (sa) {
    const vb = v128.load32_splat(b);
    while (out < vend) {
      v128.store(out, binaryOp(op, v128.load(a), vb));
      a += 16;
      out += 16;
    }
  } else if (sb) {
    const va = v128.load32_splat(a);
    while (out < vend) {
      v128.store(out, binaryOp(op, va, v128.load(b)));
      b += 16;
      out += 16;
    }
  } else {
    const v = binaryOp(op, v128.load32_splat(a), v128.load32_splat(b));
    while (out < vend) {
      v128.store(out, v);
      out += 16;
    }
  }
  const da = <usize>(sa << 2);
  const db = <usize>(sb << 2);
  while (out < end) {
    store<f32>(out, f32x4.extract_lane(binaryOp(op, v128.load32_splat(a), v128.load32_splat(b)), 0));
    a += da;
    b += db;
    out += 4;
  }
}

@inline
function binaryLoop(op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + (<usize>(r * sa0) << 2), b + (<usize>(r * sb0) << 2), out + (<usize>(r * cols) << 2), cols, sa1, sb1);
  }
}

/**
 * out[r, c] = op(a[r·sa0 + c·sa1], b[r·sb0 + c·sb1]) over a rows × cols output (float32,
 * element strides; sa1, sb1 in {0, 1}). One export per op, see unaryNeg.
 */
export function binaryAdd(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_ADD, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binarySub(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_SUB, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMul(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MUL, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryDiv(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_DIV, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMax(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MAX, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMin(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MIN, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}

@inline
function compareOp(op: i32, a: v128, b: v128): v128 {
  if (op == C_EQ) return f32x4.eq(a, b);
  if (op == C_NE) return f32x4.ne(a, b);
  if (op == C_LT) return f32x4.lt(a, b);
  if (op == C_LE) return f32x4.le(a, b);
  if (op == C_GT) return f32x4.gt(a, b);
  return f32x4.ge(a, b);
}

/** Four i32 masks narrowed to 16 bytes of 0/1. */
@inline
function packMasks(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
  return v128.and(bytes, i8x16.splat(1));
}

/** 16 comparisons from a (stride sa) and b (stride sb); a stride-0 operand is its splat `va`/`vb`. */
@inline
function compare16(op: i32, a: usize, b: usize, va: v128, vb: v128, sa: i32, sb: i32): v128 {
  const a0 = sa ? v128.load(a) : va;
  const a1 = sa ? v128.load(a, 16) : va;
  const a2 = sa ? v128.load(a, 32) : va;
  const a3 = sa ? v128.load(a, 48) : va;
  const b0 = sb ? v128.load(b) : vb;
  const b1 = sb ? v128.load(b, 16) : vb;
  const b2 = sb ? v128.load(b, 32) : vb;
  const b3 = sb ? v128.load(b, 48) : vb;
  return packMasks(compareOp(op, a0, b0), compareOp(op, a1, b1), compareOp(op, a2, b2), compareOp(op, a3, b3));
}

/** One row of bool bytes; the stride pattern is chosen outside the vector loop (sa, sb constant inside). */
@inline
function compareRow(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  const va = v128.load32_splat(a);
  const vb = v128.load32_splat(b);
  const n16 = n & ~15;
  let j = 0;
  if (sa && sb) {
    for (; j < n16; j += 16) v128.store(out + <usize>j, compare16(op, a + (<usize>j << 2), b + (<usize>j << 2), va, vb, 1, 1));
  } else if (sa) {
    for (; j < n16; j += 16) v128.store(out + <usize>j, compare16(op, a + (<usize>j << 2), b, va, vb, 1, 0));
  } else if (sb) {
    for (; j < n16; j += 16) v128.store(out + <usize>j, compare16(op, a, b + (<usize>j << 2), va, vb, 0, 1));
  }
  for (; j < n; j++) {
    const x = v128.load32_splat(a + (<usize>(j * sa) << 2));
    const y = v128.load32_splat(b + (<usize>(j * sb) << 2));
    store<u8>(out + <usize>j, <u8>(i32x4.extract_lane(compareOp(op, x, y), 0) & 1));
  }
}

@inline
function compareLoop(op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  for (let r = 0; r < rows; r++) {
    compareRow(op, a + (<usize>(r * sa0) << 2), b + (<usize>(r * sb0) << 2), out + <usize>(r * cols), cols, sa1, sb1);
  }
}

/** Like `binaryAdd` & co., but a float32 comparison writing bool bytes (0/1); NaN compares false except `ne`. */
export function compareEq(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_EQ, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function compareNe(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_NE, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function compareLt(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_LT, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function compareLe(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_LE, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function compareGt(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_GT, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function compareGe(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  compareLoop(C_GE, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}

/** 16 selections: bool bytes at c (stride sc) pick a (stride sa) or b (stride sb); stride 0 = splat. */
@inline
function select16(c: usize, a: usize, b: usize, out: usize, c0: v128, va: v128, vb: v128, sc: i32, sa: i32, sb: i32): void {
  const m = sc ? i8x16.ne(v128.load(c), i8x16.splat(0)) : c0;
  const lo = i16x8.extend_low_i8x16_s(m);
  const hi = i16x8.extend_high_i8x16_s(m);
  v128.store(out, v128.bitselect(sa ? v128.load(a) : va, sb ? v128.load(b) : vb, i32x4.extend_low_i16x8_s(lo)));
  v128.store(out, v128.bitselect(sa ? v128.load(a, 16) : va, sb ? v128.load(b, 16) : vb, i32x4.extend_high_i16x8_s(lo)), 16);
  v128.store(out, v128.bitselect(sa ? v128.load(a, 32) : va, sb ? v128.load(b, 32) : vb, i32x4.extend_low_i16x8_s(hi)), 32);
  v128.store(out, v128.bitselect(sa ? v128.load(a, 48) : va, sb ? v128.load(b, 48) : vb, i32x4.extend_high_i16x8_s(hi)), 48);
}

@inline
function selectLoop(cond: usize, a: usize, b: usize, out: usize, n: i32, sc: i32, sa: i32, sb: i32): void {
  const va = v128.load32_splat(a);
  const vb = v128.load32_splat(b);
  const c0 = i8x16.ne(i8x16.splat(load<u8>(cond)), i8x16.splat(0));
  const n16 = n & ~15;
  let j = 0;
  for (; j < n16; j += 16) {
    select16(cond + <usize>(j * sc), a + (<usize>(j * sa) << 2), b + (<usize>(j * sb) << 2), out + (<usize>j << 2), c0, va, vb, sc, sa, sb);
  }
  for (; j < n; j++) {
    const c = load<u8>(cond + <usize>(j * sc));
    const src = c ? a + (<usize>(j * sa) << 2) : b + (<usize>(j * sb) << 2);
    store<u32>(out + (<usize>j << 2), load<u32>(src));
  }
}

/**
 * out[i] = cond[i] ? a[i] : b[i] for 32-bit elements (float32 or int32: only bits move); cond is
 * bool bytes. Each operand is full (stride 1) or a scalar (stride 0); the common patterns get their
 * own loops (relu and its backward: a full, b scalar), the rest share one with the strides as data.
 */
export function select(cond: usize, a: usize, b: usize, out: usize, n: i32, sc: i32, sa: i32, sb: i32): void {
  if (sc && sa && sb) selectLoop(cond, a, b, out, n, 1, 1, 1);
  else if (sc && sa && !sb) selectLoop(cond, a, b, out, n, 1, 1, 0);
  else if (sc && !sa && sb) selectLoop(cond, a, b, out, n, 1, 0, 1);
  else selectLoop(cond, a, b, out, n, sc, sa, sb);
}

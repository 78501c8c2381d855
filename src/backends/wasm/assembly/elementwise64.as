/**
 * @file Elementwise float64 kernels (f64x2): unary neg/abs/sqrt, binary arithmetic over the same
 * 2-D broadcast pattern as elementwise.as (rows × cols, each operand's column stride 0 or 1, any
 * row stride), and `where` over 64-bit elements. Every one of these but tanh (vmath64.as, ~2 ulp)
 * is a single correctly rounded IEEE operation per element, so results equal the reference loops
 * bit for bit. One export per
 * op with an @inline loop taking a constant op code (see elementwise.as for why); tails run the
 * same vector op on a splat.
 */

import { vtanh64 } from './vmath64';

const U_NEG = 0;
const U_ABS = 1;
const U_SQRT = 2;
const U_TANH = 3;

const B_ADD = 0;
const B_SUB = 1;
const B_MUL = 2;
const B_DIV = 3;
const B_MAX = 4;
const B_MIN = 5;

@inline
function unaryOp(op: i32, x: v128): v128 {
  if (op == U_NEG) return f64x2.neg(x);
  if (op == U_ABS) return f64x2.abs(x);
  if (op == U_SQRT) return f64x2.sqrt(x);
  return vtanh64(x);
}

@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const end = out + (<usize>n << 3);
  const v4end = out + (<usize>(n & ~3) << 3);
  while (out < v4end) {
    v128.store(out, unaryOp(op, v128.load(x)));
    v128.store(out, unaryOp(op, v128.load(x, 16)), 16);
    x += 32;
    out += 32;
  }
  while (out < end) {
    store<f64>(out, f64x2.extract_lane(unaryOp(op, v128.load64_splat(x)), 0));
    x += 8;
    out += 8;
  }
}

/** out[i] = op(x[i]) for n contiguous float64. */
export function unaryNeg64(x: usize, out: usize, n: i32): void { unaryLoop(U_NEG, x, out, n); }
export function unaryAbs64(x: usize, out: usize, n: i32): void { unaryLoop(U_ABS, x, out, n); }
export function unarySqrt64(x: usize, out: usize, n: i32): void { unaryLoop(U_SQRT, x, out, n); }
/** tanh (vmath64.as: ~2 ulp, not correctly rounded like the others). */
export function unaryTanh64(x: usize, out: usize, n: i32): void { unaryLoop(U_TANH, x, out, n); }

@inline
function binaryOp(op: i32, a: v128, b: v128): v128 {
  if (op == B_ADD) return f64x2.add(a, b);
  if (op == B_SUB) return f64x2.sub(a, b);
  if (op == B_MUL) return f64x2.mul(a, b);
  if (op == B_DIV) return f64x2.div(a, b);
  // f64x2.max/min propagate NaN and order -0 < +0, like Math.max/min.
  if (op == B_MAX) return f64x2.max(a, b);
  return f64x2.min(a, b);
}

/** One row: out[j] = op(a[j·sa], b[j·sb]) with sa, sb in {0, 1}. */
@inline
function binaryRow(op: i32, a: usize, b: usize, out: usize, n: i32, sa: i32, sb: i32): void {
  const end = out + (<usize>n << 3);
  const vend = out + (<usize>(n & ~3) << 3);
  if (sa && sb) {
    while (out < vend) {
      v128.store(out, binaryOp(op, v128.load(a), v128.load(b)));
      v128.store(out, binaryOp(op, v128.load(a, 16), v128.load(b, 16)), 16);
      a += 32;
      b += 32;
      out += 32;
    }
  } else if (sa) {
    const vb = v128.load64_splat(b);
    while (out < vend) {
      v128.store(out, binaryOp(op, v128.load(a), vb));
      v128.store(out, binaryOp(op, v128.load(a, 16), vb), 16);
      a += 32;
      out += 32;
    }
  } else if (sb) {
    const va = v128.load64_splat(a);
    while (out < vend) {
      v128.store(out, binaryOp(op, va, v128.load(b)));
      v128.store(out, binaryOp(op, va, v128.load(b, 16)), 16);
      b += 32;
      out += 32;
    }
  } else {
    const v = binaryOp(op, v128.load64_splat(a), v128.load64_splat(b));
    while (out < vend) {
      v128.store(out, v);
      v128.store(out, v, 16);
      out += 32;
    }
  }
  const da = <usize>(sa << 3);
  const db = <usize>(sb << 3);
  while (out < end) {
    store<f64>(out, f64x2.extract_lane(binaryOp(op, v128.load64_splat(a), v128.load64_splat(b)), 0));
    a += da;
    b += db;
    out += 8;
  }
}

@inline
function binaryLoop(op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + (<usize>(r * sa0) << 3), b + (<usize>(r * sb0) << 3), out + (<usize>(r * cols) << 3), cols, sa1, sb1);
  }
}

/** out[r, c] = op(a[r·sa0 + c·sa1], b[r·sb0 + c·sb1]) over a rows × cols float64 output. */
export function binaryAdd64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_ADD, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binarySub64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_SUB, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMul64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MUL, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryDiv64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_DIV, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMax64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MAX, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}
export function binaryMin64(a: usize, b: usize, out: usize, rows: i32, cols: i32, sa0: i32, sa1: i32, sb0: i32, sb1: i32): void {
  binaryLoop(B_MIN, a, b, out, rows, cols, sa0, sa1, sb0, sb1);
}

/**
 * out[i] = cond[i] ? a[i] : b[i] for 64-bit elements; cond is bool bytes. Each operand is full
 * (stride 1) or a scalar (stride 0).
 */
export function select64(cond: usize, a: usize, b: usize, out: usize, n: i32, sc: i32, sa: i32, sb: i32): void {
  const da = <usize>(sa << 3);
  const db = <usize>(sb << 3);
  const dc = <usize>sc;
  for (let j = 0; j < n; j++) {
    store<u64>(out, load<u8>(cond) ? load<u64>(a) : load<u64>(b));
    cond += dc;
    a += da;
    b += db;
    out += 8;
  }
}

/**
 * @file float64 reductions (sum, max, min) over a contiguous run of axes, as reduce.as: the input
 * is [outer, len, inner]; `*Rows64` handle inner = 1, `*Cols64` the rest. Row sums use 8
 * independent lanes (4 f64x2 accumulators, a blocked order within the length-scaled bound of
 * docs/reliability.md "Tolerances"); column sums run sequentially down each column, in the
 * reference's order. max/min propagate NaN like the reference.
 */

const R_SUM = 0;
const R_MAX = 1;
const R_MIN = 2;

@inline
function combine(op: i32, a: v128, b: v128): v128 {
  if (op == R_SUM) return f64x2.add(a, b);
  if (op == R_MAX) return f64x2.max(a, b);
  return f64x2.min(a, b);
}

@inline
function rowLoop(op: i32, x: usize, out: usize, rows: i32, len: i32): void {
  const len8 = len & ~7;
  for (let r = 0; r < rows; r++) {
    const first = op == R_SUM ? f64x2.splat(0) : v128.load64_splat(x);
    let a0 = first;
    let a1 = first;
    let a2 = first;
    let a3 = first;
    let j = 0;
    for (; j < len8; j += 8) {
      const p = x + (<usize>j << 3);
      a0 = combine(op, a0, v128.load(p));
      a1 = combine(op, a1, v128.load(p, 16));
      a2 = combine(op, a2, v128.load(p, 32));
      a3 = combine(op, a3, v128.load(p, 48));
    }
    let acc = combine(op, combine(op, a0, a1), combine(op, a2, a3));
    acc = combine(op, acc, i64x2.shuffle(acc, acc, 1, 0));
    for (; j < len; j++) acc = combine(op, acc, v128.load64_splat(x + (<usize>j << 3)));
    store<f64>(out, f64x2.extract_lane(acc, 0));
    x += <usize>len << 3;
    out += 8;
  }
}

/** out[r] = op over x[r·len .. r·len + len) for r < rows (len >= 1 for max/min). */
export function sumRows64(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_SUM, x, out, rows, len); }
export function maxRows64(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_MAX, x, out, rows, len); }
export function minRows64(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_MIN, x, out, rows, len); }

@inline
function colLoop(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  const in2 = inner & ~1;
  const rowBytes = <usize>inner << 3;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * rowBytes;
    let src = x + <usize>(o * len) * rowBytes;
    if (op == R_SUM && len == 0) {
      memory.fill(dst, 0, rowBytes);
      continue;
    }
    memory.copy(dst, src, rowBytes);
    for (let l = 1; l < len; l++) {
      src += rowBytes;
      let j = 0;
      for (; j < in2; j += 2) {
        const q = <usize>j << 3;
        v128.store(dst + q, combine(op, v128.load(dst + q), v128.load(src + q)));
      }
      if (j < inner) {
        const q = <usize>j << 3;
        store<f64>(dst + q, f64x2.extract_lane(combine(op, v128.load64_splat(dst + q), v128.load64_splat(src + q)), 0));
      }
    }
  }
}

/** out[o, j] = op over l of x[o, l, j] for an [outer, len, inner] input. */
export function sumCols64(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_SUM, x, out, outer, len, inner); }
export function maxCols64(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_MAX, x, out, outer, len, inner); }
export function minCols64(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_MIN, x, out, outer, len, inner); }

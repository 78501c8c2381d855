/**
 * @file float32 reductions (sum, max, min) over a contiguous run of axes. The JS side views the
 * input as [outer, len, inner]: `sumRows` & co. handle inner = 1 (a row per output, e.g. softmax's
 * sum over the last axis), `sumCols` & co. the rest (e.g. a bias gradient summed over the batch axis).
 *
 * Sums accumulate in float32 with 16 independent lanes along a row (a blocked order, so the error
 * grows like len/16 rather than len) and sequentially down columns; both stay within the
 * length-scaled bound of docs/reliability.md "Tolerances". max/min propagate NaN like the reference.
 */

const R_SUM = 0;
const R_MAX = 1;
const R_MIN = 2;

@inline
function combine(op: i32, a: v128, b: v128): v128 {
  if (op == R_SUM) return f32x4.add(a, b);
  if (op == R_MAX) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

@inline
function rowLoop(op: i32, x: usize, out: usize, rows: i32, len: i32): void {
  const len16 = len & ~15;
  for (let r = 0; r < rows; r++) {
    const first = op == R_SUM ? f32x4.splat(0) : v128.load32_splat(x);
    let a0 = first;
    let a1 = first;
    let a2 = first;
    let a3 = first;
    let j = 0;
    for (; j < len16; j += 16) {
      const p = x + (<usize>j << 2);
      a0 = combine(op, a0, v128.load(p));
      a1 = combine(op, a1, v128.load(p, 16));
      a2 = combine(op, a2, v128.load(p, 32));
      a3 = combine(op, a3, v128.load(p, 48));
    }
    let acc = combine(op, combine(op, a0, a1), combine(op, a2, a3));
    acc = combine(op, acc, i32x4.shuffle(acc, acc, 2, 3, 0, 1));
    acc = combine(op, acc, i32x4.shuffle(acc, acc, 1, 0, 3, 2));
    for (; j < len; j++) acc = combine(op, acc, v128.load32_splat(x + (<usize>j << 2)));
    store<f32>(out, f32x4.extract_lane(acc, 0));
    x += <usize>len << 2;
    out += 4;
  }
}

// One export per op: Binaryen would fold an op-code switch back into one loop that tests the op.
/** out[r] = op over x[r·len .. r·len + len) for r < rows (len >= 1 for max/min). */
export function sumRows(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_SUM, x, out, rows, len); }
export function maxRows(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_MAX, x, out, rows, len); }
export function minRows(x: usize, out: usize, rows: i32, len: i32): void { rowLoop(R_MIN, x, out, rows, len); }

@inline
function colLoop(op: i32, x: usize, out: usize, outer: i32, len: i32, inner: i32): void {
  const in4 = inner & ~3;
  const rowBytes = <usize>inner << 2;
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
      for (; j < in4; j += 4) {
        const q = <usize>j << 2;
        v128.store(dst + q, combine(op, v128.load(dst + q), v128.load(src + q)));
      }
      for (; j < inner; j++) {
        const q = <usize>j << 2;
        store<f32>(dst + q, f32x4.extract_lane(combine(op, v128.load32_splat(dst + q), v128.load32_splat(src + q)), 0));
      }
    }
  }
}

/** out[o, j] = op over l of x[o, l, j] for an [outer, len, inner] input. */
export function sumCols(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_SUM, x, out, outer, len, inner); }
export function maxCols(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_MAX, x, out, outer, len, inner); }
export function minCols(x: usize, out: usize, outer: i32, len: i32, inner: i32): void { colLoop(R_MIN, x, out, outer, len, inner); }

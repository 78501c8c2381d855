/**
 * @file float32 LSTM / GRU cell updates and their input gradients (src/backends/wasm/kernels/recurrent.ts;
 * contract and formulas in ops/primitives/recurrent-cell.ts), over `rows` rows of H units, four
 * units per f32x4 step with vexp / vtanh (vmath.as, 1-2 ulp). The logistic is 1/(1 + e^-a): e^-a
 * overflows to +Inf for a < -88.7, giving exactly 0, and is < 1 ulp of 1 for large a.
 *
 * A tail of H % 4 units runs the same vector arithmetic on splatted lanes and stores lane 0, so
 * every unit gets the same instruction sequence whatever H is and wherever a row range starts
 * (the pool splits over rows: results do not depend on the thread count).
 *
 * Pointers are byte offsets; the gates of row b start at xg + 4·b·(k·H) for k gate blocks.
 */
import { vexp, vtanh } from './vmath';

@inline
function ld(p: usize, tail: bool): v128 {
  return tail ? v128.load32_splat(p) : v128.load(p);
}

@inline
function st(p: usize, v: v128, tail: bool): void {
  if (tail) store<f32>(p, f32x4.extract_lane(v, 0));
  else v128.store(p, v);
}

@inline
function vsig(a: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(a))));
}

/** 1 - v·v, the derivative of tanh at the point where it is v. */
@inline
function oneMinusSq(v: v128): v128 {
  return f32x4.sub(f32x4.splat(1), f32x4.mul(v, v));
}

/** v·(1 - v), the derivative of the logistic at the point where it is v. */
@inline
function sigD(v: v128): v128 {
  return f32x4.mul(v, f32x4.sub(f32x4.splat(1), v));
}

/** One step of four (or, `tail`, one) units of the LSTM forward; `hb` = H in bytes. */
@inline
function lstmAt(x: usize, y: usize, c: usize, oh: usize, oc: usize, hb: usize, tail: bool): void {
  const ig = vsig(f32x4.add(ld(x, tail), ld(y, tail)));
  const fg = vsig(f32x4.add(ld(x + hb, tail), ld(y + hb, tail)));
  const gg = vtanh(f32x4.add(ld(x + 2 * hb, tail), ld(y + 2 * hb, tail)));
  const og = vsig(f32x4.add(ld(x + 3 * hb, tail), ld(y + 3 * hb, tail)));
  const cn = f32x4.add(f32x4.mul(fg, ld(c, tail)), f32x4.mul(ig, gg));
  st(oh, f32x4.mul(og, vtanh(cn)), tail);
  st(oc, cn, tail);
}

/** h' (at oh) and c' (at oc), each [rows, H], from xg, hg [rows, 4H] and c [rows, H]. */
export function lstmCellF32(xg: usize, hg: usize, c: usize, oh: usize, oc: usize, rows: i32, H: i32): void {
  const hb = <usize>H << 2;
  const h4 = H & ~3;
  for (let b = 0; b < rows; b++) {
    const g0 = <usize>b * hb * 4;
    const s0 = <usize>b * hb;
    let j = 0;
    for (; j < h4; j += 4) {
      const o = <usize>j << 2;
      lstmAt(xg + g0 + o, hg + g0 + o, c + s0 + o, oh + s0 + o, oc + s0 + o, hb, false);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      lstmAt(xg + g0 + o, hg + g0 + o, c + s0 + o, oh + s0 + o, oc + s0 + o, hb, true);
    }
  }
}

@inline
function lstmBackAt(gh: usize, gc: usize, x: usize, y: usize, c: usize, out: usize, hb: usize, tail: bool): void {
  const ig = vsig(f32x4.add(ld(x, tail), ld(y, tail)));
  const fg = vsig(f32x4.add(ld(x + hb, tail), ld(y + hb, tail)));
  const gg = vtanh(f32x4.add(ld(x + 2 * hb, tail), ld(y + 2 * hb, tail)));
  const og = vsig(f32x4.add(ld(x + 3 * hb, tail), ld(y + 3 * hb, tail)));
  const cp = ld(c, tail);
  const tc = vtanh(f32x4.add(f32x4.mul(fg, cp), f32x4.mul(ig, gg)));
  const dh = ld(gh, tail);
  const dc = f32x4.add(ld(gc, tail), f32x4.mul(f32x4.mul(dh, og), oneMinusSq(tc)));
  st(out, f32x4.mul(f32x4.mul(dc, gg), sigD(ig)), tail);
  st(out + hb, f32x4.mul(f32x4.mul(dc, cp), sigD(fg)), tail);
  st(out + 2 * hb, f32x4.mul(f32x4.mul(dc, ig), oneMinusSq(gg)), tail);
  st(out + 3 * hb, f32x4.mul(f32x4.mul(dh, tc), sigD(og)), tail);
  st(out + 4 * hb, f32x4.mul(dc, fg), tail);
}

/**
 * [d a (4H) | d c (H)] per row into out [rows, 5H], from the upstream gradients of h' (gh) and c'
 * (gc), each [rows, H], and the forward's inputs xg, hg [rows, 4H], c [rows, H].
 */
export function lstmCellBackwardF32(gh: usize, gc: usize, xg: usize, hg: usize, c: usize, out: usize, rows: i32, H: i32): void {
  const hb = <usize>H << 2;
  const h4 = H & ~3;
  for (let b = 0; b < rows; b++) {
    const g0 = <usize>b * hb * 4;
    const s0 = <usize>b * hb;
    const w0 = <usize>b * hb * 5;
    let j = 0;
    for (; j < h4; j += 4) {
      const o = <usize>j << 2;
      lstmBackAt(gh + s0 + o, gc + s0 + o, xg + g0 + o, hg + g0 + o, c + s0 + o, out + w0 + o, hb, false);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      lstmBackAt(gh + s0 + o, gc + s0 + o, xg + g0 + o, hg + g0 + o, c + s0 + o, out + w0 + o, hb, true);
    }
  }
}

@inline
function gruAt(x: usize, y: usize, h: usize, out: usize, hb: usize, tail: bool): void {
  const rg = vsig(f32x4.add(ld(x, tail), ld(y, tail)));
  const zg = vsig(f32x4.add(ld(x + hb, tail), ld(y + hb, tail)));
  const ng = vtanh(f32x4.add(ld(x + 2 * hb, tail), f32x4.mul(rg, ld(y + 2 * hb, tail))));
  st(out, f32x4.add(ng, f32x4.mul(zg, f32x4.sub(ld(h, tail), ng))), tail);
}

/** h' [rows, H] from xg, hg [rows, 3H] and h [rows, H]. */
export function gruCellF32(xg: usize, hg: usize, h: usize, out: usize, rows: i32, H: i32): void {
  const hb = <usize>H << 2;
  const h4 = H & ~3;
  for (let b = 0; b < rows; b++) {
    const g0 = <usize>b * hb * 3;
    const s0 = <usize>b * hb;
    let j = 0;
    for (; j < h4; j += 4) {
      const o = <usize>j << 2;
      gruAt(xg + g0 + o, hg + g0 + o, h + s0 + o, out + s0 + o, hb, false);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      gruAt(xg + g0 + o, hg + g0 + o, h + s0 + o, out + s0 + o, hb, true);
    }
  }
}

@inline
function gruBackAt(g: usize, x: usize, y: usize, h: usize, out: usize, hb: usize, tail: bool): void {
  const rg = vsig(f32x4.add(ld(x, tail), ld(y, tail)));
  const zg = vsig(f32x4.add(ld(x + hb, tail), ld(y + hb, tail)));
  const hn = ld(y + 2 * hb, tail);
  const ng = vtanh(f32x4.add(ld(x + 2 * hb, tail), f32x4.mul(rg, hn)));
  const gh = ld(g, tail);
  const dan = f32x4.mul(f32x4.mul(gh, f32x4.sub(f32x4.splat(1), zg)), oneMinusSq(ng));
  const dar = f32x4.mul(f32x4.mul(dan, hn), sigD(rg));
  const daz = f32x4.mul(f32x4.mul(gh, f32x4.sub(ld(h, tail), ng)), sigD(zg));
  st(out, dar, tail);
  st(out + hb, daz, tail);
  st(out + 2 * hb, dan, tail);
  st(out + 3 * hb, dar, tail);
  st(out + 4 * hb, daz, tail);
  st(out + 5 * hb, f32x4.mul(dan, rg), tail);
  st(out + 6 * hb, f32x4.mul(gh, zg), tail);
}

/** [d xg (3H) | d hg (3H) | d h (H)] per row into out [rows, 7H], from g [rows, H] and the forward's inputs. */
export function gruCellBackwardF32(g: usize, xg: usize, hg: usize, h: usize, out: usize, rows: i32, H: i32): void {
  const hb = <usize>H << 2;
  const h4 = H & ~3;
  for (let b = 0; b < rows; b++) {
    const g0 = <usize>b * hb * 3;
    const s0 = <usize>b * hb;
    const w0 = <usize>b * hb * 7;
    let j = 0;
    for (; j < h4; j += 4) {
      const o = <usize>j << 2;
      gruBackAt(g + s0 + o, xg + g0 + o, hg + g0 + o, h + s0 + o, out + w0 + o, hb, false);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      gruBackAt(g + s0 + o, xg + g0 + o, hg + g0 + o, h + s0 + o, out + w0 + o, hb, true);
    }
  }
}

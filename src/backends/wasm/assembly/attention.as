/**
 * @file float32 scaled dot-product attention forward (src/backends/wasm/kernels/attention.ts;
 * contract in ops/primitives/attention.ts): per (batch, head) and block of RB query rows,
 * S = Q·Kᵀ with the packed GEMM (Kᵀ through strides, never transposed), then per row the scale, the
 * mask, the max-shifted f32x4 exp, the normalisation and the dropout multiplier, then O = P·V with
 * the GEMM again. Only a block of rows of scores exists at a time (RB·S floats), so it stays in L2.
 *
 * Causal: a block of rows [i0, i0 + rows) sees keys [0, min(S, i0 + rows)), so both products stop
 * there (about half the work of a full square); keys past a row's own limit get weight exactly 0.
 * A row with every key masked gives NaN (as the js kernel and PyTorch's math path).
 *
 * Every (batch, head) is computed the same way whichever thread runs it, so results do not depend
 * on how the kernel wrapper splits [bh0, bh1) across the pool.
 */
import { gemm, gemmWorkspaceBytes } from './gemm';
import { vexp } from './vmath';

/**
 * Bytes of workspace one call needs: a row block of scores (rb·s floats, 16-byte aligned) and the
 * GEMM's packing workspace for the given block sizes.
 */
export function attentionWorkspaceBytes(rb: i32, s: i32, kc: i32, mc: i32, nc: i32): usize {
  return ((<usize>(rb * s) << 2) + 15 & ~<usize>15) + gemmWorkspaceBytes(kc, mc, nc);
}

/** Horizontal max of four lanes (NaN propagates). */
@inline
function hmax(v: v128): f32 {
  v = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  v = f32x4.max(v, i32x4.shuffle(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

/** Horizontal sum of four lanes. */
@inline
function hsum(v: v128): f32 {
  v = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  v = f32x4.add(v, i32x4.shuffle(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

/**
 * One row of scores x[0, w) in place -> weights: the first n entries are the visible keys (scaled,
 * masked, softmaxed, times the dropout row if dp != 0), the rest [n, w) become 0.
 * kind 0: no mask; 1: bool bytes at mp (stride ms, 0 or 1); 2: additive float32 at mp (stride ms).
 */
function softmaxRow(x: usize, n: i32, w: i32, scale: f32, kind: i32, mp: usize, ms: i32, dp: usize): void {
  const n4 = n & ~3;
  const sv = f32x4.splat(scale);
  const ninf = f32x4.splat(-Infinity);
  let allMasked = false;
  // Pass 1: scale and mask, and the row max.
  let mv = ninf;
  let j = 0;
  if (kind == 0 || (kind == 2 && ms == 0)) {
    const add = f32x4.splat(kind == 2 ? load<f32>(mp) : 0);
    for (; j < n4; j += 4) {
      const p = x + (<usize>j << 2);
      const y = f32x4.add(f32x4.mul(v128.load(p), sv), add);
      v128.store(p, y);
      mv = f32x4.max(mv, y);
    }
    for (; j < n; j++) {
      const p = x + (<usize>j << 2);
      const y = f32x4.add(f32x4.mul(v128.load32_splat(p), sv), add);
      v128.store32_lane(p, y, 0);
      mv = f32x4.max(mv, y);
    }
  } else if (kind == 2) {
    for (; j < n4; j += 4) {
      const p = x + (<usize>j << 2);
      const y = f32x4.add(f32x4.mul(v128.load(p), sv), v128.load(mp + (<usize>j << 2)));
      v128.store(p, y);
      mv = f32x4.max(mv, y);
    }
    for (; j < n; j++) {
      const p = x + (<usize>j << 2);
      const y = f32x4.add(f32x4.mul(v128.load32_splat(p), sv), v128.load32_splat(mp + (<usize>j << 2)));
      v128.store32_lane(p, y, 0);
      mv = f32x4.max(mv, y);
    }
  } else if (ms == 0) {
    // One bool for the whole row.
    if (load<u8>(mp) == 0) allMasked = true;
    else {
      for (; j < n4; j += 4) {
        const p = x + (<usize>j << 2);
        const y = f32x4.mul(v128.load(p), sv);
        v128.store(p, y);
        mv = f32x4.max(mv, y);
      }
      for (; j < n; j++) {
        const p = x + (<usize>j << 2);
        const y = f32x4.mul(v128.load32_splat(p), sv);
        v128.store32_lane(p, y, 0);
        mv = f32x4.max(mv, y);
      }
    }
  } else {
    for (; j < n4; j += 4) {
      const p = x + (<usize>j << 2);
      // Four mask bytes widened to lanes: keep where nonzero, else -Inf.
      const keep = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mp + <usize>j))), i32x4.splat(0));
      const y = v128.bitselect(f32x4.mul(v128.load(p), sv), ninf, keep);
      v128.store(p, y);
      mv = f32x4.max(mv, y);
    }
    for (; j < n; j++) {
      const p = x + (<usize>j << 2);
      const y = load<u8>(mp + <usize>j) != 0 ? f32x4.mul(v128.load32_splat(p), sv) : ninf;
      v128.store32_lane(p, y, 0);
      mv = f32x4.max(mv, y);
    }
  }
  const mx = hmax(mv);
  if (allMasked || n == 0 || mx == -Infinity) {
    // Every visible key masked: NaN weights, so the row of P·V is NaN.
    const nan = f32x4.splat(NaN);
    for (j = 0; j < w; j++) v128.store32_lane(x + (<usize>j << 2), nan, 0);
    return;
  }
  // Pass 2: e^(x - max) and its sum (a masked -Inf gives exactly 0).
  const shift = f32x4.splat(mx);
  let zv = f32x4.splat(0);
  for (j = 0; j < n4; j += 4) {
    const p = x + (<usize>j << 2);
    const e = vexp(f32x4.sub(v128.load(p), shift));
    v128.store(p, e);
    zv = f32x4.add(zv, e);
  }
  let z = hsum(zv);
  for (; j < n; j++) {
    const p = x + (<usize>j << 2);
    const e = vexp(f32x4.sub(v128.load32_splat(p), shift));
    v128.store32_lane(p, e, 0);
    z += f32x4.extract_lane(e, 0);
  }
  // Pass 3: normalise (times the dropout multipliers), zero the keys past the row's limit.
  const inv = f32x4.splat(<f32>1 / z);
  for (j = 0; j < n4; j += 4) {
    const p = x + (<usize>j << 2);
    let y = f32x4.mul(v128.load(p), inv);
    if (dp != 0) y = f32x4.mul(y, v128.load(dp + (<usize>j << 2)));
    v128.store(p, y);
  }
  for (; j < n; j++) {
    const p = x + (<usize>j << 2);
    let y = f32x4.mul(v128.load32_splat(p), inv);
    if (dp != 0) y = f32x4.mul(y, v128.load32_splat(dp + (<usize>j << 2)));
    v128.store32_lane(p, y, 0);
  }
  if (w > n) memory.fill(x + (<usize>n << 2), 0, <usize>(w - n) << 2);
}

/**
 * out[bh] = softmax(scale·q[bh]·k[kv(bh)]ᵀ + mask) ⊙ drop · v[kv(bh)] for (batch, head) indices
 * [bh0, bh1) of B·Hq. `params` points at 16 i32: Hq, Hk, L, S, E, Ev, causal, mask kind (0 none,
 * 1 bool, 2 float), the mask's element strides over (b, h, i, j) (0 where broadcast), the GEMM's
 * kc, mc, nc, and the row block RB. `ws` holds attentionWorkspaceBytes(RB, S, kc, mc, nc) bytes;
 * `drop` is 0 without dropout, else float32 [B, Hq, L, S].
 */
export function attentionF32(q: usize, k: usize, v: usize, mask: usize, drop: usize, out: usize, ws: usize, params: usize, scale: f32, bh0: i32, bh1: i32): void {
  const Hq = load<i32>(params);
  const Hk = load<i32>(params, 4);
  const L = load<i32>(params, 8);
  const S = load<i32>(params, 12);
  const E = load<i32>(params, 16);
  const Ev = load<i32>(params, 20);
  const causal = load<i32>(params, 24) != 0;
  const kind = load<i32>(params, 28);
  const mb = load<i32>(params, 32);
  const mh = load<i32>(params, 36);
  const ml = load<i32>(params, 40);
  const ms = load<i32>(params, 44);
  const kc = load<i32>(params, 48);
  const mc = load<i32>(params, 52);
  const nc = load<i32>(params, 56);
  const RB = load<i32>(params, 60);
  const G = Hq / Hk;
  const mShift: usize = kind == 1 ? 0 : 2;
  const sc = ws;
  const gws = ws + ((<usize>(RB * S) << 2) + 15 & ~<usize>15);
  for (let bh = bh0; bh < bh1; bh++) {
    const b = bh / Hq;
    const h = bh % Hq;
    const kh = b * Hk + h / G;
    const qb = q + (<usize>bh * <usize>L * <usize>E << 2);
    const kb = k + (<usize>kh * <usize>S * <usize>E << 2);
    const vb = v + (<usize>kh * <usize>S * <usize>Ev << 2);
    const ob = out + (<usize>bh * <usize>L * <usize>Ev << 2);
    for (let i0 = 0; i0 < L; i0 += RB) {
      const rows = min(RB, L - i0);
      const w = causal ? min(S, i0 + rows) : S;
      // Scores of the block: (i, j) of Q·Kᵀ is Σ_e q[i, e]·k[j, e], so op(B) has strides (1, E).
      gemm(rows, w, E, qb + (<usize>(i0 * E) << 2), E, 1, kb, 1, E, sc, S, gws, kc, mc, nc);
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        const n = causal ? min(S, i + 1) : S;
        const mp = kind == 0 ? 0 : mask + (<usize>(b * mb + h * mh + i * ml) << mShift);
        const dp = drop == 0 ? 0 : drop + (<usize>((bh * L + i) * S) << 2);
        softmaxRow(sc + (<usize>(r * S) << 2), n, w, scale, kind, mp, ms, dp);
      }
      gemm(rows, Ev, w, sc, S, 1, vb, Ev, 1, ob + (<usize>(i0 * Ev) << 2), Ev, gws, kc, mc, nc);
    }
  }
}

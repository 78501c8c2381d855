/**
 * @file js kernels of the fused LSTM / GRU cell primitives (contract in
 * ops/primitives/recurrent-cell.ts): one pass over [B, H] with the gate blocks read at fixed
 * offsets, logistic and tanh in doubles, stored once. Dtype-agnostic: the wasm backend runs them on
 * heap views for float64 (its float32 cells are f32x4 kernels, backends/wasm/kernels/recurrent.ts,
 * since in doubles these loops were ~40% of an LSTM training step).
 */
import type { Kernel } from '../../core/primitive.js';

type NoAttrs = Record<string, never>;

/** Logistic without overflow (exp of a non-positive number only). */
function sig(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

export const lstmCell: Kernel<NoAttrs> = (out, [xg, hg, c]) => {
  const B = xg!.shape[0]!;
  const H = c!.shape[1]!;
  const x = xg!.values;
  const y = hg!.values;
  const cs = c!.values;
  const o = out.values;
  const cOff = B * H;
  for (let b = 0; b < B; b++) {
    const r0 = b * 4 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = r0 + j;
      const ig = sig(x[r]! + y[r]!);
      const fg = sig(x[r + H]! + y[r + H]!);
      const gg = Math.tanh(x[r + 2 * H]! + y[r + 2 * H]!);
      const og = sig(x[r + 3 * H]! + y[r + 3 * H]!);
      const cn = fg * cs[s0 + j]! + ig * gg;
      o[s0 + j] = og * Math.tanh(cn);
      o[cOff + s0 + j] = cn;
    }
  }
};

export const lstmCellBackward: Kernel<NoAttrs> = (out, [g, xg, hg, c]) => {
  const B = xg!.shape[0]!;
  const H = c!.shape[1]!;
  const x = xg!.values;
  const y = hg!.values;
  const cs = c!.values;
  const G = g!.values;
  const o = out.values;
  const cOff = B * H;
  for (let b = 0; b < B; b++) {
    const r0 = b * 4 * H;
    const s0 = b * H;
    const w0 = b * 5 * H;
    for (let j = 0; j < H; j++) {
      const r = r0 + j;
      const ig = sig(x[r]! + y[r]!);
      const fg = sig(x[r + H]! + y[r + H]!);
      const gg = Math.tanh(x[r + 2 * H]! + y[r + 2 * H]!);
      const og = sig(x[r + 3 * H]! + y[r + 3 * H]!);
      const cp = cs[s0 + j]!;
      const tc = Math.tanh(fg * cp + ig * gg);
      const gh = G[s0 + j]!;
      const dc = G[cOff + s0 + j]! + gh * og * (1 - tc * tc);
      const w = w0 + j;
      o[w] = dc * gg * ig * (1 - ig);
      o[w + H] = dc * cp * fg * (1 - fg);
      o[w + 2 * H] = dc * ig * (1 - gg * gg);
      o[w + 3 * H] = gh * tc * og * (1 - og);
      o[w + 4 * H] = dc * fg;
    }
  }
};

export const gruCell: Kernel<NoAttrs> = (out, [xg, hg, h]) => {
  const B = xg!.shape[0]!;
  const H = h!.shape[1]!;
  const x = xg!.values;
  const y = hg!.values;
  const hs = h!.values;
  const o = out.values;
  for (let b = 0; b < B; b++) {
    const r0 = b * 3 * H;
    const s0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = r0 + j;
      const rg = sig(x[r]! + y[r]!);
      const zg = sig(x[r + H]! + y[r + H]!);
      const ng = Math.tanh(x[r + 2 * H]! + rg * y[r + 2 * H]!);
      o[s0 + j] = ng + zg * (hs[s0 + j]! - ng);
    }
  }
};

export const gruCellBackward: Kernel<NoAttrs> = (out, [g, xg, hg, h]) => {
  const B = xg!.shape[0]!;
  const H = h!.shape[1]!;
  const x = xg!.values;
  const y = hg!.values;
  const hs = h!.values;
  const G = g!.values;
  const o = out.values;
  for (let b = 0; b < B; b++) {
    const r0 = b * 3 * H;
    const s0 = b * H;
    const w0 = b * 7 * H;
    for (let j = 0; j < H; j++) {
      const r = r0 + j;
      const rg = sig(x[r]! + y[r]!);
      const zg = sig(x[r + H]! + y[r + H]!);
      const hn = y[r + 2 * H]!;
      const ng = Math.tanh(x[r + 2 * H]! + rg * hn);
      const gh = G[s0 + j]!;
      const dan = gh * (1 - zg) * (1 - ng * ng);
      const dar = dan * hn * rg * (1 - rg);
      const daz = gh * (hs[s0 + j]! - ng) * zg * (1 - zg);
      const w = w0 + j;
      o[w] = dar;
      o[w + H] = daz;
      o[w + 2 * H] = dan;
      o[w + 3 * H] = dar;
      o[w + 4 * H] = daz;
      o[w + 5 * H] = dan * rg;
      o[w + 6 * H] = gh * zg;
    }
  }
};

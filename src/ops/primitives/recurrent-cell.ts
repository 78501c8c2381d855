/**
 * @file The LSTM and GRU cell updates as fused elementwise primitives, so that one recurrent step
 * is a GEMM plus one kernel (and the backward one kernel plus GEMMs) instead of ~15 elementwise ops
 * and as many autograd nodes per step. Gate order and formulas are PyTorch's nn.LSTM / nn.GRU:
 * LSTM (Hochreiter & Schmidhuber 1997, https://doi.org/10.1162/neco.1997.9.8.1735), GRU (Cho et al.
 * 2014, arXiv 1406.1078).
 *
 * Shape contract (B rows, H hidden units; xg = x·W_ihᵀ + b_ih, hg = h·W_hhᵀ + b_hh):
 *   lstmCell(xg [B,4H], hg [B,4H], c [B,H]) -> [2,B,H] = stack(h', c'), gates i|f|g|o:
 *     a = xg + hg, i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c' = f·c + i·g, h' = o·tanh(c')
 *   lstmCellBackward(G [2,B,H], xg, hg, c) -> [B,5H] = [d a (4H) | d c (H)]   (d xg = d hg = d a)
 *   gruCell(xg [B,3H], hg [B,3H], h [B,H]) -> [B,H], gates r|z|n:
 *     r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn), h' = (1 - z)·n + z·h
 *   gruCellBackward(G [B,H], xg, hg, h) -> [B,7H] = [d xg (3H) | d hg (3H) | d h (H)]
 *
 * The backward primitives recompute the gates from their inputs (cheaper than saving them). They
 * serve the plain backward pass only: when the backward itself is being recorded (createGraph,
 * grad of grad) the vjp is written with ops instead (`lstmCellVjpOps` / `gruCellVjpOps`), so
 * gradients of any order work; the backward primitives therefore have no vjp of their own.
 * Composite oracles: the same formulas with ops (test/op-table/recurrent.rows.ts, test/rnn-cell.test.ts).
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { isGradEnabled } from '../../core/grad-mode.js';
import { type Primitive, registerPrimitive } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, gt, mul, sub, where } from './binary.js';
import { exp, neg, tanh } from './unary.js';
import { concat, slice } from './movement.js';
import { reshape } from './shape-ops.js';

type M = { shape: readonly number[]; dtype: string };
const same = (a: M, b: M): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Checks the gate inputs and the state; returns [B, H]. */
function checkCell(op: string, k: number, xg: M, hg: M, s: M, sName: string): [number, number] {
  if (!isFloat(xg.dtype as never)) throw new DTypeError(`${op}: gates must be float32 or float64, got ${xg.dtype}`);
  if (xg.shape.length !== 2 || xg.shape[1]! % k !== 0) throw new ShapeError(`${op}: xg must be [B, ${k}H], got ${fmtShape(xg.shape)}`);
  if (!same(xg, hg)) throw new ShapeError(`${op}: hg ${fmtShape(hg.shape)} ${hg.dtype} must match xg ${fmtShape(xg.shape)} ${xg.dtype}`);
  const B = xg.shape[0]!;
  const H = xg.shape[1]! / k;
  if (s.dtype !== xg.dtype || s.shape.length !== 2 || s.shape[0] !== B || s.shape[1] !== H) {
    throw new ShapeError(`${op}: ${sName} must be [${B}, ${H}] ${xg.dtype} for gates ${fmtShape(xg.shape)}, got ${fmtShape(s.shape)} ${s.dtype}`);
  }
  return [B, H];
}

/** Numerically safe logistic (no exp of a large positive number). */
export function sigmoidScalar(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

const sig = sigmoidScalar;

export const LSTM_CELL: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'lstmCell',
  infer: ([xg, hg, c]) => {
    const [B, H] = checkCell('lstmCell', 4, xg!, hg!, c!, 'c');
    return { shape: [2, B, H], dtype: xg!.dtype };
  },
  reference: (out, [xg, hg, c]) => {
    const [B, H4] = xg!.shape as [number, number];
    const H = H4 / 4;
    const x = xg!.values;
    const y = hg!.values;
    const cs = c!.values;
    const o = out.values;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const r = b * H4 + j;
        const ig = sig(x[r]! + y[r]!);
        const fg = sig(x[r + H]! + y[r + H]!);
        const gg = Math.tanh(x[r + 2 * H]! + y[r + 2 * H]!);
        const og = sig(x[r + 3 * H]! + y[r + 3 * H]!);
        const cn = fg * cs[b * H + j]! + ig * gg;
        o[b * H + j] = og * Math.tanh(cn);
        o[B * H + b * H + j] = cn;
      }
    }
  },
  vjp: (g, [xg, hg, c]) => {
    if (!xg!.requiresGrad && !hg!.requiresGrad && !c!.requiresGrad) return [null, null, null];
    const H = c!.shape[1]!;
    if (isGradEnabled()) {
      const [da, dc] = lstmCellVjpOps(g, xg!, hg!, c!);
      return [da, da, dc];
    }
    const d: Tensor = apply(LSTM_CELL_BACKWARD, [g, xg!, hg!, c!], {});
    const da = slice(d, [null, [0, 4 * H]]);
    return [da, da, c!.requiresGrad ? slice(d, [null, [4 * H, 5 * H]]) : null];
  },
});

export const LSTM_CELL_BACKWARD: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'lstmCellBackward',
  infer: ([g, xg, hg, c]) => {
    const [B, H] = checkCell('lstmCellBackward', 4, xg!, hg!, c!, 'c');
    if (!same(g!, { shape: [2, B, H], dtype: xg!.dtype })) throw new ShapeError(`lstmCellBackward: G must be [2, ${B}, ${H}] ${xg!.dtype}, got ${fmtShape(g!.shape)} ${g!.dtype}`);
    return { shape: [B, 5 * H], dtype: xg!.dtype };
  },
  reference: (out, [gv, xg, hg, c]) => {
    const [B, H4] = xg!.shape as [number, number];
    const H = H4 / 4;
    const x = xg!.values;
    const y = hg!.values;
    const cs = c!.values;
    const G = gv!.values;
    const o = out.values;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const r = b * H4 + j;
        const ig = sig(x[r]! + y[r]!);
        const fg = sig(x[r + H]! + y[r + H]!);
        const gg = Math.tanh(x[r + 2 * H]! + y[r + 2 * H]!);
        const og = sig(x[r + 3 * H]! + y[r + 3 * H]!);
        const cp = cs[b * H + j]!;
        const tc = Math.tanh(fg * cp + ig * gg);
        const gh = G[b * H + j]!;
        const dc = G[B * H + b * H + j]! + gh * og * (1 - tc * tc);
        const w = b * 5 * H + j;
        o[w] = dc * gg * ig * (1 - ig);
        o[w + H] = dc * cp * fg * (1 - fg);
        o[w + 2 * H] = dc * ig * (1 - gg * gg);
        o[w + 3 * H] = gh * tc * og * (1 - og);
        o[w + 4 * H] = dc * fg;
      }
    }
  },
});

export const GRU_CELL: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'gruCell',
  infer: ([xg, hg, h]) => {
    const [B, H] = checkCell('gruCell', 3, xg!, hg!, h!, 'h');
    return { shape: [B, H], dtype: xg!.dtype };
  },
  reference: (out, [xg, hg, h]) => {
    const [B, H3] = xg!.shape as [number, number];
    const H = H3 / 3;
    const x = xg!.values;
    const y = hg!.values;
    const hs = h!.values;
    const o = out.values;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const r = b * H3 + j;
        const rg = sig(x[r]! + y[r]!);
        const zg = sig(x[r + H]! + y[r + H]!);
        const ng = Math.tanh(x[r + 2 * H]! + rg * y[r + 2 * H]!);
        o[b * H + j] = ng + zg * (hs[b * H + j]! - ng);
      }
    }
  },
  vjp: (g, [xg, hg, h]) => {
    if (!xg!.requiresGrad && !hg!.requiresGrad && !h!.requiresGrad) return [null, null, null];
    const H = h!.shape[1]!;
    if (isGradEnabled()) return gruCellVjpOps(g, xg!, hg!, h!);
    const d: Tensor = apply(GRU_CELL_BACKWARD, [g, xg!, hg!, h!], {});
    return [slice(d, [null, [0, 3 * H]]), slice(d, [null, [3 * H, 6 * H]]), h!.requiresGrad ? slice(d, [null, [6 * H, 7 * H]]) : null];
  },
});

export const GRU_CELL_BACKWARD: Primitive<Record<string, never>> = registerPrimitive<Record<string, never>>({
  name: 'gruCellBackward',
  infer: ([g, xg, hg, h]) => {
    const [B, H] = checkCell('gruCellBackward', 3, xg!, hg!, h!, 'h');
    if (!same(g!, h!)) throw new ShapeError(`gruCellBackward: G must be [${B}, ${H}] ${xg!.dtype}, got ${fmtShape(g!.shape)} ${g!.dtype}`);
    return { shape: [B, 7 * H], dtype: xg!.dtype };
  },
  reference: (out, [gv, xg, hg, h]) => {
    const [B, H3] = xg!.shape as [number, number];
    const H = H3 / 3;
    const x = xg!.values;
    const y = hg!.values;
    const hs = h!.values;
    const G = gv!.values;
    const o = out.values;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const r = b * H3 + j;
        const rg = sig(x[r]! + y[r]!);
        const zg = sig(x[r + H]! + y[r + H]!);
        const hn = y[r + 2 * H]!;
        const ng = Math.tanh(x[r + 2 * H]! + rg * hn);
        const gh = G[b * H + j]!;
        const dan = gh * (1 - zg) * (1 - ng * ng);
        const dar = dan * hn * rg * (1 - rg);
        const daz = gh * (hs[b * H + j]! - ng) * zg * (1 - zg);
        const w = b * 7 * H + j;
        o[w] = dar;
        o[w + H] = daz;
        o[w + 2 * H] = dan;
        o[w + 3 * H] = dar;
        o[w + 4 * H] = daz;
        o[w + 5 * H] = dan * rg;
        o[w + 6 * H] = gh * zg;
      }
    }
  },
});

// ---- the same rules with ops (differentiable again; the path taken under createGraph) ----------

/** σ(a) with ops, from e^-|a| (as composite sigmoid) so no branch overflows. */
function sigmoidOps(a: Tensor): Tensor {
  const pos = gt(a, 0);
  const e = exp(where(pos, neg(a), a));
  const onePlus = add(e, 1);
  return where(pos, div(1, onePlus), div(e, onePlus));
}

const cols = (t: Tensor, k: number, H: number): Tensor => slice(t, [null, [k * H, (k + 1) * H]]);

/** [d a, d c] of lstmCell for G [2,B,H], written with ops. */
export function lstmCellVjpOps(g: Tensor, xg: Tensor, hg: Tensor, c: Tensor): [Tensor, Tensor] {
  const [B, H] = [c.shape[0]!, c.shape[1]!];
  const a = add(xg, hg);
  const i = sigmoidOps(cols(a, 0, H));
  const f = sigmoidOps(cols(a, 1, H));
  const gg = tanh(cols(a, 2, H));
  const o = sigmoidOps(cols(a, 3, H));
  const tc = tanh(add(mul(f, c), mul(i, gg)));
  const gh = reshape(slice(g, [[0, 1]]), [B, H]);
  const dc = add(reshape(slice(g, [[1, 2]]), [B, H]), mul(mul(gh, o), sub(1, mul(tc, tc))));
  const dsig = (s: Tensor): Tensor => mul(s, sub(1, s));
  const da = concat([mul(mul(dc, gg), dsig(i)), mul(mul(dc, c), dsig(f)), mul(mul(dc, i), sub(1, mul(gg, gg))), mul(mul(gh, tc), dsig(o))], 1);
  return [da, mul(dc, f)];
}

/** [d xg, d hg, d h] of gruCell for G [B,H], written with ops. */
export function gruCellVjpOps(g: Tensor, xg: Tensor, hg: Tensor, h: Tensor): [Tensor, Tensor, Tensor] {
  const H = h.shape[1]!;
  const r = sigmoidOps(add(cols(xg, 0, H), cols(hg, 0, H)));
  const z = sigmoidOps(add(cols(xg, 1, H), cols(hg, 1, H)));
  const hn = cols(hg, 2, H);
  const n = tanh(add(cols(xg, 2, H), mul(r, hn)));
  const dan = mul(mul(g, sub(1, z)), sub(1, mul(n, n)));
  const dar = mul(mul(dan, hn), mul(r, sub(1, r)));
  const daz = mul(mul(g, sub(h, n)), mul(z, sub(1, z)));
  return [concat([dar, daz, dan], 1), concat([dar, daz, mul(dan, r)], 1), mul(g, z)];
}

/** stack(h', c') of the LSTM cell from its gate pre-activations (library-internal; nn.LSTM uses it). */
export function lstmCell(xg: Tensor, hg: Tensor, c: Tensor): Tensor {
  return apply(LSTM_CELL, [xg, hg, c], {});
}

/** h' of the GRU cell from its two gate projections (library-internal; nn.GRU uses it). */
export function gruCell(xg: Tensor, hg: Tensor, h: Tensor): Tensor {
  return apply(GRU_CELL, [xg, hg, h], {});
}

/** lstmCell's input gradients as one [B,5H] tensor (library-internal, for tests and kernels). */
export function lstmCellBackward(g: Tensor, xg: Tensor, hg: Tensor, c: Tensor): Tensor {
  return apply(LSTM_CELL_BACKWARD, [g, xg, hg, c], {});
}

/** gruCell's input gradients as one [B,7H] tensor (library-internal, for tests and kernels). */
export function gruCellBackward(g: Tensor, xg: Tensor, hg: Tensor, h: Tensor): Tensor {
  return apply(GRU_CELL_BACKWARD, [g, xg, hg, h], {});
}

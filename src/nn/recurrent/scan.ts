/**
 * @file One layer-direction of a recurrent network over the whole sequence as a single autograd
 * node: the forward is the step loop (one GEMM on the hidden state plus one fused cell kernel per
 * step, nothing recorded), the backward is hand-written BPTT (per step one backward cell kernel and
 * one GEMM; the weight gradient dW_hh and the recomputed hidden projections are one GEMM each over
 * all T·B rows). Recording the loop op by op instead would cost a slice node per step whose backward
 * pads to the full [T, B, G·H] and accumulates T such tensors: O(T²) work.
 *
 * Shape contract (S = 2 states for LSTM (h, c), else 1):
 *   scan(xg [T, B, G·H], h0 [B, H], c0 [B, H] (LSTM), W_hh [G·H, H], b_hh [G·H] (GRU, optional))
 *     -> Y [T, R], row t packed as [h_t (B·H) | c_t (B·H, LSTM) | hg_t (B·G·H, LSTM and GRU)]: the
 *        state after processing step t (in either direction) and the hidden projection
 *        hg_t = h_{t-1}·W_hhᵀ (+ b_hh) it used, saved so the backward need not recompute it. The
 *        output is h over all rows; the final state is row T-1 (forward) or row 0 (reverse).
 * With lengths, a row past its length holds its state (and gets no gradient through the step).
 * Under createGraph (grad of grad) the backward re-runs the loop with ops and differentiates it.
 *
 * Data movement: the forward writes each step's states and hidden projection into its row of Y as
 * soon as the step is done (while they are in cache; a concat of all T·3 pieces at the end re-read
 * them from memory), and frees the step's temporaries, so the next step reuses the same heap
 * blocks; the backward likewise writes each step's gate gradients into d xg's row.
 */
import { customGrad } from '../../core/functional.js';
import { gradients } from '../../core/autograd.js';
import { enableGrad, isGradEnabled, noGrad } from '../../core/grad-mode.js';
import { empty, tensor, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, gt, linear, mm, mul, reshape, slice, sub, sum, where } from '../../ops/primitives/index.js';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from '../../ops/primitives/recurrent-cell.js';
import { type CellMode, rnnStep } from './step.js';

export interface ScanSpec {
  mode: CellMode;
  reverse: boolean;
  /** Per-row valid lengths (each in [1, T]) or null for full length. */
  lengths: readonly number[] | null;
}

interface StepMask { keep: Tensor; scale: Tensor }

/** Per step t: null when every row is still running, else keep [B,1] (bool) and scale [B,1] (1/0). */
export function stepMasks(lengths: readonly number[] | null, T: number, dtype: FloatDType): (StepMask | null)[] {
  return Array.from({ length: T }, (_, t) => {
    if (!lengths || lengths.every((n) => n > t)) return null;
    const on = lengths.map((n) => (n > t ? 1 : 0));
    return { keep: tensor(on, { dtype: 'bool', shape: [lengths.length, 1] }), scale: tensor(on, { dtype, shape: [lengths.length, 1] }) };
  });
}

const row = (t: Tensor, i: number, shape: number[]): Tensor => reshape(slice(t, [[i, i + 1]]), shape);

/** Row width of the packed output: the S states, then (LSTM / GRU) the hidden projection hg_t. */
export function rowWidth(mode: CellMode, B: number, H: number, GH: number): number {
  return (mode === 'LSTM' ? 2 : 1) * B * H + (mode === 'LSTM' || mode === 'GRU' ? B * GH : 0);
}

/** Copies `src`'s values into `dst` from element `at` (both fresh tensors this file owns). */
function put(dst: Tensor, src: Tensor, at: number): void {
  (dst._peek() as Float32Array).set(src._peek() as Float32Array, at);
}

/**
 * reshape(t[i]) (or of columns [from, from + n) of row i) holding the slice's storage alone (the
 * slice disposed), so that freeing it frees the block. For the unrecorded paths only.
 */
function rowOwned(t: Tensor, i: number, shape: number[], cols?: [number, number]): Tensor {
  const s = slice(t, cols ? [[i, i + 1], cols] : [[i, i + 1]]);
  const v = reshape(s, shape);
  s.dispose();
  return v;
}

/** Disposes each tensor not in `keep` (a step's temporaries). */
function free(ts: readonly (Tensor | null)[], keep: readonly Tensor[]): void {
  for (const t of ts) if (t && !keep.includes(t) && !t.isDisposed) t.dispose();
}

/**
 * The forward when nothing is recorded: `loop`'s steps, each written straight into its row of the
 * packed Y [T, R] and its temporaries freed (see the file header). Inputs as `scan`'s.
 */
function forward(spec: ScanSpec, ins: readonly Tensor[]): Tensor {
  const { mode, reverse } = spec;
  const [xg, h0] = ins as [Tensor, Tensor];
  const lstm = mode === 'LSTM';
  const wHh = ins[lstm ? 3 : 2]!;
  const bHh = mode === 'GRU' ? ins[3] ?? null : null;
  const [T, B, GH] = xg.shape as [number, number, number];
  const H = h0.shape[1]!;
  const BH = B * H;
  const masks = stepMasks(spec.lengths, T, xg.dtype as FloatDType);
  const R = rowWidth(mode, B, H, GH);
  const Y = empty([T, R], { dtype: xg.dtype });
  let state: Tensor[] = lstm ? [h0, ins[2]!] : [h0];
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    const xt = rowOwned(xg, t, [B, GH]);
    let next: Tensor[];
    let hg: Tensor | null = null;
    let sc: Tensor | null = null;
    if (lstm) {
      hg = linear(state[0]!, wHh, null);
      sc = lstmCell(xt, hg, state[1]!);
      next = [rowOwned(sc, 0, [B, H]), rowOwned(sc, 1, [B, H])];
    } else if (mode === 'GRU') {
      hg = linear(state[0]!, wHh, bHh);
      next = [gruCell(xt, hg, state[0]!)];
    } else next = [rnnStep(mode, xt, state[0]!, wHh)];
    const m = masks[t];
    if (m) {
      const held = next.map((n, j) => where(m.keep, n, state[j]!));
      free(next, []);
      next = held;
    }
    next.forEach((n, j) => put(Y, n, t * R + j * BH));
    if (hg) put(Y, hg, t * R + next.length * BH);
    free([xt, hg, sc, ...state], [...ins, ...next]);
    state = next;
  }
  free(state, ins);
  return Y;
}

/** The step loop with ops (recorded when grad is on): the packed Y [T, R]. Inputs as `scan`'s. */
function loop(spec: ScanSpec, ins: readonly Tensor[]): Tensor {
  const { mode, reverse } = spec;
  const [xg, h0] = ins as [Tensor, Tensor];
  const lstm = mode === 'LSTM';
  const wHh = ins[lstm ? 3 : 2]!;
  const bHh = mode === 'GRU' ? ins[3] ?? null : null;
  const [T, B, GH] = xg.shape as [number, number, number];
  const H = h0.shape[1]!;
  const masks = stepMasks(spec.lengths, T, xg.dtype as FloatDType);
  let state: Tensor[] = lstm ? [h0, ins[2]!] : [h0];
  const rows = new Array<Tensor[]>(T);
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    const xt = row(xg, t, [B, GH]);
    let next: Tensor[];
    let hg: Tensor | null = null;
    if (lstm) {
      hg = linear(state[0]!, wHh, null);
      const sc = lstmCell(xt, hg, state[1]!);
      next = [row(sc, 0, [B, H]), row(sc, 1, [B, H])];
    } else if (mode === 'GRU') {
      hg = linear(state[0]!, wHh, bHh);
      next = [gruCell(xt, hg, state[0]!)];
    } else next = [rnnStep(mode, xt, state[0]!, wHh)];
    const m = masks[t];
    if (m) next = next.map((n, j) => where(m.keep, n, state[j]!));
    state = next;
    rows[t] = [...next, ...(hg ? [hg] : [])].map((v) => reshape(v, [v.size]));
  }
  const R = rowWidth(mode, B, H, GH);
  return reshape(concat(rows.flat(), 0), [T, R]);
}

/** Hand-written BPTT for G = dL/dY; returns one gradient (or null) per input. */
function bptt(spec: ScanSpec, g: Tensor, Y: Tensor, ins: readonly Tensor[]): (Tensor | null)[] {
  const { mode, reverse } = spec;
  const lstm = mode === 'LSTM';
  const [xg, h0] = ins as [Tensor, Tensor];
  const c0 = lstm ? ins[2]! : null;
  const wHh = ins[lstm ? 3 : 2]!;
  const bHh = mode === 'GRU' ? ins[3] ?? null : null;
  const [T, B, GH] = xg.shape as [number, number, number];
  const H = h0.shape[1]!;
  const BH = B * H;
  const R = Y.shape[1]!;
  const dtype = xg.dtype;
  const masks = stepMasks(spec.lengths, T, dtype as FloatDType);
  const part = (t: Tensor, i: number, from: number, n: number, shape: number[]): Tensor => rowOwned(t, i, shape, [from, from + n]);
  // States before each step t, as [T, B, H]: the neighbour in processing order, or the initial state.
  const before = (k: number, init: Tensor): Tensor => {
    const out = empty([T, B, H], { dtype });
    const o = out._peek();
    const y = Y._peek();
    for (let t = 0; t < T; t++) {
      const p = reverse ? t + 1 : t - 1;
      o.set(p < 0 || p >= T ? init._peek() : y.subarray(p * R + k * BH, p * R + (k + 1) * BH), t * BH);
    }
    return out;
  };
  const hPrev = before(0, h0);
  const cPrev = lstm ? before(1, c0!) : null;
  // d xg (and, GRU, d hg) [T, B, G·H], each step's rows written as soon as they are known.
  const dxg = empty([T, B, GH], { dtype });
  const dhgAll = mode === 'GRU' ? empty([T, B, GH], { dtype }) : dxg;
  let dh: Tensor = zeros([B, H], { dtype });
  let dc: Tensor | null = lstm ? zeros([B, H], { dtype }) : null;
  for (let i = T - 1; i >= 0; i--) {
    const t = reverse ? T - 1 - i : i;
    const m = masks[t];
    const gUp = part(g, t, 0, BH, [B, H]);
    const gh = add(dh, gUp);
    const tmp: (Tensor | null)[] = [gUp, dh];
    let dhPrev: Tensor;
    if (lstm) {
      const gcUp = part(g, t, BH, BH, [B, H]);
      const gc = add(dc!, gcUp);
      const G2 = empty([2, B, H], { dtype });
      put(G2, gh, 0);
      put(G2, gc, BH);
      const xt = rowOwned(xg, t, [B, GH]);
      const hgt = part(Y, t, 2 * BH, B * GH, [B, GH]);
      const cp = rowOwned(cPrev!, t, [B, H]);
      const d = lstmCellBackward(G2, xt, hgt, cp);
      let dA = slice(d, [null, [0, GH]]);
      const dcp = slice(d, [null, [GH, GH + H]]);
      if (m) {
        const scaled = mul(dA, m.scale);
        tmp.push(dA);
        dA = scaled;
      }
      dhPrev = mm(dA, wHh);
      put(dxg, dA, t * B * GH);
      tmp.push(gcUp, G2, xt, hgt, cp, d, dA, dc);
      if (m) {
        dc = where(m.keep, dcp, gc);
        tmp.push(dcp, gc);
      } else {
        dc = dcp;
        tmp.push(gc);
      }
    } else if (mode === 'GRU') {
      const xt = rowOwned(xg, t, [B, GH]);
      const hgt = part(Y, t, BH, B * GH, [B, GH]);
      const hp = rowOwned(hPrev, t, [B, H]);
      const d = gruCellBackward(gh, xt, hgt, hp);
      let dx = slice(d, [null, [0, GH]]);
      let dhg = slice(d, [null, [GH, 2 * GH]]);
      tmp.push(xt, hgt, hp, d);
      if (m) {
        tmp.push(dx, dhg);
        dx = mul(dx, m.scale);
        dhg = mul(dhg, m.scale);
      }
      const dhh = slice(d, [null, [2 * GH, 2 * GH + H]]);
      const back = mm(dhg, wHh);
      dhPrev = add(dhh, back);
      put(dxg, dx, t * B * GH);
      put(dhgAll, dhg, t * B * GH);
      tmp.push(dx, dhg, dhh, back);
    } else {
      const y = part(Y, t, 0, BH, [B, H]);
      let dA = mode === 'RNN_TANH' ? mul(gh, sub(1, mul(y, y))) : where(gt(y, 0), gh, 0);
      if (m) {
        tmp.push(dA);
        dA = mul(dA, m.scale);
      }
      dhPrev = mm(dA, wHh);
      put(dxg, dA, t * B * GH);
      tmp.push(y, dA);
    }
    if (m) {
      dh = where(m.keep, dhPrev, gh);
      tmp.push(dhPrev, gh);
    } else {
      dh = dhPrev;
      tmp.push(gh);
    }
    free(tmp, [...ins, g, Y, dh, ...(dc ? [dc] : [])]);
  }
  const dW = wHh.requiresGrad ? mm(reshape(dhgAll, [T * B, GH]), reshape(hPrev, [T * B, H]), true, false) : null;
  const out: (Tensor | null)[] = [xg.requiresGrad ? dxg : null, h0.requiresGrad ? dh : null];
  if (lstm) out.push(c0!.requiresGrad ? dc : null);
  out.push(dW);
  if (bHh) out.push(bHh.requiresGrad ? sum(dhgAll, [0, 1]) : null);
  free([hPrev, cPrev, ...(mode === 'GRU' ? [dhgAll] : [])], out.filter((o): o is Tensor => o !== null));
  return out;
}

/** The packed Y [T, R] for one layer-direction, one autograd node (see the file header). */
export function scan(spec: ScanSpec, ins: Tensor[]): Tensor {
  const f = customGrad((...xs: Tensor[]) => forward(spec, xs), (g: Tensor, out: Tensor, ...xs: Tensor[]) => {
    if (!isGradEnabled()) return noGrad(() => bptt(spec, g, out, xs));
    // createGraph: differentiate the recorded loop, so gradients of gradients are right.
    return enableGrad(() => {
      const need = xs.filter((x) => x.requiresGrad);
      const gs = gradients([loop(spec, xs)], need, { gradOutputs: [g], createGraph: true, allowUnused: true });
      let k = 0;
      return xs.map((x) => (x.requiresGrad ? gs[k++]! : null));
    });
  });
  return f(...ins);
}

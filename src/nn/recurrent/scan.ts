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
    const xt = row(xg, t, [B, GH]);
    let next: Tensor[];
    let hg: Tensor | null = null;
    let sc: Tensor | null = null;
    if (lstm) {
      hg = linear(state[0]!, wHh, null);
      sc = lstmCell(xt, hg, state[1]!);
      next = [row(sc, 0, [B, H]), row(sc, 1, [B, H])];
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
  const S = lstm ? 2 : 1;
  const masks = stepMasks(spec.lengths, T, xg.dtype as FloatDType);
  const part = (t: Tensor, i: number, from: number, n: number, shape: number[]): Tensor => reshape(slice(t, [[i, i + 1], [from, from + n]]), shape);
  // States before each step t, as [T, B, H]: the neighbour in processing order, or the initial state.
  const before = (k: number, init: Tensor): Tensor => {
    const s = reshape(slice(Y, [null, [k * BH, (k + 1) * BH]]), [T, B, H]);
    if (T === 1) return reshape(init, [1, B, H]);
    return reverse ? concat([slice(s, [[1, T]]), reshape(init, [1, B, H])], 0) : concat([reshape(init, [1, B, H]), slice(s, [[0, T - 1]])], 0);
  };
  const hPrev = before(0, h0);
  const cPrev = lstm ? before(1, c0!) : null;
  const dX = new Array<Tensor>(T);
  const dHg = mode === 'GRU' ? new Array<Tensor>(T) : dX;
  let dh: Tensor = zeros([B, H], { dtype: xg.dtype });
  let dc: Tensor | null = lstm ? zeros([B, H], { dtype: xg.dtype }) : null;
  for (let i = T - 1; i >= 0; i--) {
    const t = reverse ? T - 1 - i : i;
    const m = masks[t];
    const gh = add(dh, part(g, t, 0, BH, [B, H]));
    let dA: Tensor;
    let dhPrev: Tensor;
    if (lstm) {
      const gc = add(dc!, part(g, t, BH, BH, [B, H]));
      const d = lstmCellBackward(concat([reshape(gh, [1, B, H]), reshape(gc, [1, B, H])], 0), row(xg, t, [B, GH]), part(Y, t, S * BH, B * GH, [B, GH]), row(cPrev!, t, [B, H]));
      dA = slice(d, [null, [0, GH]]);
      const dcp = slice(d, [null, [GH, GH + H]]);
      if (m) dA = mul(dA, m.scale);
      dhPrev = mm(dA, wHh);
      dc = m ? where(m.keep, dcp, gc) : dcp;
      dX[t] = dA;
    } else if (mode === 'GRU') {
      const d = gruCellBackward(gh, row(xg, t, [B, GH]), part(Y, t, BH, B * GH, [B, GH]), row(hPrev, t, [B, H]));
      let dx = slice(d, [null, [0, GH]]);
      let dhg = slice(d, [null, [GH, 2 * GH]]);
      if (m) {
        dx = mul(dx, m.scale);
        dhg = mul(dhg, m.scale);
      }
      dhPrev = add(slice(d, [null, [2 * GH, 2 * GH + H]]), mm(dhg, wHh));
      dX[t] = dx;
      dHg[t] = dhg;
    } else {
      const y = part(Y, t, 0, BH, [B, H]);
      dA = mode === 'RNN_TANH' ? mul(gh, sub(1, mul(y, y))) : where(gt(y, 0), gh, 0);
      if (m) dA = mul(dA, m.scale);
      dhPrev = mm(dA, wHh);
      dX[t] = dA;
    }
    dh = m ? where(m.keep, dhPrev, gh) : dhPrev;
  }
  const dxg = T === 1 ? reshape(dX[0]!, [1, B, GH]) : concat(dX.map((d) => reshape(d, [1, B, GH])), 0);
  const dhgAll = mode === 'GRU' ? (T === 1 ? reshape(dHg[0]!, [1, B, GH]) : concat(dHg.map((d) => reshape(d, [1, B, GH])), 0)) : dxg;
  const dW = wHh.requiresGrad ? mm(reshape(dhgAll, [T * B, GH]), reshape(hPrev, [T * B, H]), true, false) : null;
  const out: (Tensor | null)[] = [xg.requiresGrad ? dxg : null, h0.requiresGrad ? dh : null];
  if (lstm) out.push(c0!.requiresGrad ? dc : null);
  out.push(dW);
  if (bHh) out.push(bHh.requiresGrad ? sum(dhgAll, [0, 1]) : null);
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

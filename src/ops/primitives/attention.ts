/**
 * @file Scaled dot-product attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762) as
 * ONE fused primitive: scores, mask, numerically stable softmax, dropout and the weighted sum of
 * values in one kernel, without materialising the [L, S] weights in the forward pass.
 *
 * Canonical shape contract of the primitive (the public `scaledDotProductAttention` in
 * attention-api.ts brings any PyTorch-style shapes to it with reshapes, never copies for GQA):
 *   q [B, Hq, L, E], k [B, Hk, S, E], v [B, Hk, S, Ev] with Hk dividing Hq (grouped-query
 *   attention: query head h reads key/value head floor(h / (Hq/Hk)), so MQA is Hk = 1),
 *   optional mask [Bm, Hm, Lm, Sm] (each dim 1 or full: broadcast by stride 0), bool (true =
 *   attend, as F.scaled_dot_product_attention) or additive float of q's dtype,
 *   optional dropout multiplier [B, Hq, L, S] (0 or 1/(1-p), drawn by the caller from a generator)
 *   -> out [B, Hq, L, Ev]:  out = (softmax(scale·q kᵀ + mask) ⊙ drop) v.
 * causal = PyTorch's is_causal: key j is visible to query i iff j <= i (top-left aligned tril).
 * A row with every key masked gives NaN, as PyTorch's math path.
 *
 * Backward (written with ops, so gradients of gradients work on every backend), with the queries of
 * one key/value group stacked as rows (q reshaped to [B, Hk, G·L, E], a free reshape):
 *   P = softmax(scores), Pd = P ⊙ drop, dV = Pdᵀ g, dP = (g vᵀ) ⊙ drop,
 *   dS = P ⊙ (dP - rowsum(dP ⊙ P)), dQ = scale·dS k, dK = scale·dSᵀ q, dMask(float) = dS.
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import { isFloat } from '../../core/dtype.js';
import { registerPrimitive, type Meta } from '../../core/primitive.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul, sub, where } from './binary.js';
import { cast, exp } from './unary.js';
import { logSoftmax } from './log-softmax.js';
import { mm } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape-ops.js';

export type AttentionMaskKind = 'none' | 'bool' | 'float';

export interface AttentionAttrs {
  /** Multiplies q·k before the softmax (PyTorch's default 1/sqrt(E) is set by the caller). */
  scale: number;
  /** Top-left causal mask: query i sees keys j <= i. */
  causal: boolean;
  /** Whether input 3 is a mask, and of which kind. */
  mask: AttentionMaskKind;
  /** Whether the last input is a dropout multiplier [B, Hq, L, S]. */
  dropout: boolean;
}

const OP = 'scaledDotProductAttention';

/** Checks the canonical rank-4 operands (the public wrapper reports in the caller's shapes first). */
function check(inputs: readonly Meta[], a: AttentionAttrs): void {
  const [q, k, v] = inputs;
  if (!q || !k || !v) throw new ShapeError(`${OP}: needs q, k and v`);
  const want = 3 + (a.mask === 'none' ? 0 : 1) + (a.dropout ? 1 : 0);
  if (inputs.length !== want) throw new ShapeError(`${OP}: expected ${want} inputs for mask '${a.mask}' and dropout ${String(a.dropout)}, got ${inputs.length}`);
  if (!isFloat(q.dtype)) throw new DTypeError(`${OP}: query must be float32 or float64, got ${q.dtype}`);
  if (k.dtype !== q.dtype || v.dtype !== q.dtype) throw new DTypeError(`${OP}: query, key and value dtypes differ (${q.dtype}, ${k.dtype}, ${v.dtype})`);
  const shapes = `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`;
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) throw new ShapeError(`${OP}: the primitive takes rank-4 [B, H, L, E] operands, got ${shapes}`);
  const [B, Hq, L, E] = q.shape as [number, number, number, number];
  const [Bk, Hk, S, Ek] = k.shape as [number, number, number, number];
  if (Bk !== B || v.shape[0] !== B || v.shape[1] !== Hk || v.shape[2] !== S || Ek !== E || Hk < 1 || Hq % Hk !== 0) {
    throw new ShapeError(`${OP}: shapes must be q [B, Hq, L, E], k [B, Hk, S, E], v [B, Hk, S, Ev] with Hk dividing Hq, got ${shapes}`);
  }
  if (a.mask !== 'none') {
    const m = inputs[3]!;
    const full = [B, Hq, L, S];
    if (m.shape.length !== 4 || m.shape.some((d, i) => d !== 1 && d !== full[i])) throw new ShapeError(`${OP}: mask ${fmtShape(m.shape)} must broadcast to ${fmtShape(full)} (each dim 1 or full)`);
    if (a.mask === 'bool' ? m.dtype !== 'bool' : m.dtype !== q.dtype) throw new DTypeError(`${OP}: a '${a.mask}' mask must be ${a.mask === 'bool' ? 'bool' : q.dtype}, got ${m.dtype}`);
  }
  if (a.dropout) {
    const d = inputs[inputs.length - 1]!;
    if (d.dtype !== q.dtype || d.shape.length !== 4 || d.shape.some((x, i) => x !== [B, Hq, L, S][i])) throw new ShapeError(`${OP}: dropout multiplier must be ${q.dtype} ${fmtShape([B, Hq, L, S])}, got ${d.dtype} ${fmtShape(d.shape)}`);
  }
}

/** Element strides of a broadcast mask [Bm, Hm, Lm, Sm] (0 along a dim of size 1). */
export function maskStrides(shape: readonly number[]): [number, number, number, number] {
  const [Bm, Hm, Lm, Sm] = shape as [number, number, number, number];
  return [Bm === 1 ? 0 : Hm * Lm * Sm, Hm === 1 ? 0 : Lm * Sm, Lm === 1 ? 0 : Sm, Sm === 1 ? 0 : 1];
}

export const SCALED_DOT_PRODUCT_ATTENTION = registerPrimitive<AttentionAttrs>({
  name: 'scaledDotProductAttention',
  infer: (inputs, a) => {
    check(inputs, a);
    const [q, , v] = inputs;
    return { shape: [q!.shape[0]!, q!.shape[1]!, q!.shape[2]!, v!.shape[3]!], dtype: q!.dtype };
  },
  // The obviously-right loops: one query row at a time, all in doubles.
  reference: (out, inputs, a) => {
    const [q, k, v] = inputs as [typeof out, typeof out, typeof out];
    const m = a.mask === 'none' ? null : inputs[3]!;
    const d = a.dropout ? inputs[inputs.length - 1]! : null;
    const [B, Hq, L, E] = q.shape as [number, number, number, number];
    const [, Hk, S] = k.shape as [number, number, number];
    const Ev = v.shape[3]!;
    const G = Hq / Hk;
    const ms = m ? maskStrides(m.shape) : [0, 0, 0, 0];
    const s = new Float64Array(S);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hq; h++) {
        const kh = Math.floor(h / G);
        for (let i = 0; i < L; i++) {
          let mx = -Infinity;
          for (let j = 0; j < S; j++) {
            let x = 0;
            for (let e = 0; e < E; e++) x += q.values[((b * Hq + h) * L + i) * E + e]! * k.values[((b * Hk + kh) * S + j) * E + e]!;
            x *= a.scale;
            if (m) {
              const mv = m.values[b * ms[0]! + h * ms[1]! + i * ms[2]! + j * ms[3]!]!;
              if (a.mask === 'bool') x = mv ? x : -Infinity;
              else x += mv;
            }
            if (a.causal && j > i) x = -Infinity;
            s[j] = x;
            if (x > mx) mx = x;
          }
          let z = 0;
          for (let j = 0; j < S; j++) {
            s[j] = mx === -Infinity ? NaN : Math.exp(s[j]! - mx);
            z += s[j]!;
          }
          for (let c = 0; c < Ev; c++) {
            let acc = 0;
            for (let j = 0; j < S; j++) {
              const p = (s[j]! / z) * (d ? d.values[((b * Hq + h) * L + i) * S + j]! : 1);
              acc += p * v.values[((b * Hk + kh) * S + j) * Ev + c]!;
            }
            out.values[((b * Hq + h) * L + i) * Ev + c] = acc;
          }
        }
      }
    }
  },
  vjp: (g, inputs, _out, a) => {
    const [q, k, v] = inputs as [Tensor, Tensor, Tensor];
    const m = a.mask === 'none' ? null : inputs[3]!;
    const d = a.dropout ? inputs[inputs.length - 1]! : null;
    const wantMask = a.mask === 'float' && m!.requiresGrad;
    if (!q.requiresGrad && !k.requiresGrad && !v.requiresGrad && !wantMask) return inputs.map(() => null);
    const { P, qg, shape5 } = attentionProbs(q, k, m, a);
    const [B, Hk, G, L, S] = shape5;
    const E = q.shape[3]!;
    const d5 = d ? reshape(d, shape5) : null;
    const Pd = d5 ? mul(P, d5) : P;
    const gg = reshape(g, [B, Hk, G * L, v.shape[3]!]);
    const dV = v.requiresGrad ? mm(reshape(Pd, [B, Hk, G * L, S]), gg, true, false) : null;
    const need = q.requiresGrad || k.requiresGrad || wantMask;
    let dQ: Tensor | null = null;
    let dK: Tensor | null = null;
    let dM: Tensor | null = null;
    if (need) {
      let dP = reshape(mm(gg, v, false, true), shape5);
      if (d5) dP = mul(dP, d5);
      const dS = mul(P, sub(dP, sum(mul(dP, P), -1, { keepDims: true })));
      const dS4 = reshape(dS, [B, Hk, G * L, S]);
      if (q.requiresGrad) dQ = reshape(mul(mm(dS4, k), a.scale), [B, Hk * G, L, E]);
      if (k.requiresGrad) dK = mul(mm(dS4, qg, true, false), a.scale);
      if (wantMask) dM = reshape(dS, [B, Hk * G, L, S]);
    }
    const grads: (Tensor | null)[] = [dQ, dK, dV];
    if (m) grads.push(dM);
    if (d) grads.push(null);
    return grads;
  },
});

/**
 * softmax(scale·q kᵀ + mask) written with ops, shaped [B, Hk, G, L, S] (the group's query heads
 * stacked, so one matmul per key/value head serves every query head of its group). The vjp uses
 * it, and so does MultiheadAttention when it must return the weights.
 */
export function attentionProbs(q: Tensor, k: Tensor, m: Tensor | null, a: Pick<AttentionAttrs, 'scale' | 'causal' | 'mask'>): { P: Tensor; qg: Tensor; shape5: [number, number, number, number, number] } {
  const [B, Hq, L, E] = q.shape as [number, number, number, number];
  const [, Hk, S] = k.shape as [number, number, number];
  const G = Hq / Hk;
  const shape5: [number, number, number, number, number] = [B, Hk, G, L, S];
  const qg = reshape(q, [B, Hk, G * L, E]);
  let scores = reshape(mul(mm(qg, k, false, true), a.scale), shape5);
  // Masks are added as 0 / -inf (a bool mask turned into one on its own, smaller, shape): add has
  // the fast broadcasting kernels and a plain backward, where a broadcast `where` on the scores had neither.
  if (m) {
    const [Bm, Hm, Lm, Sm] = m.shape as [number, number, number, number];
    const m5 = reshape(m, Hm === 1 ? [Bm, 1, 1, Lm, Sm] : [Bm, Hk, G, Lm, Sm]);
    scores = add(scores, a.mask === 'bool' ? cast(where(m5, 0, -Infinity), q.dtype) : m5);
  }
  if (a.causal) scores = add(scores, causalBias(L, S, q.dtype));
  return { P: exp(logSoftmax(scores, -1)), qg, shape5 };
}

/** The additive causal mask [L, S]: 0 where j <= i, -inf above the diagonal. */
function causalBias(L: number, S: number, dtype: string): Tensor {
  const v = new Float64Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) v[i * S + j] = -Infinity;
  return tensor(v, { dtype: dtype as 'float32' | 'float64', shape: [L, S] });
}

/** The bool [L, S] tril (true where j <= i), PyTorch's is_causal mask. */
export function causalMask(L: number, S: number): Tensor {
  const v = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j <= i && j < S; j++) v[i * S + j] = 1;
  return tensor(v, { dtype: 'bool', shape: [L, S] });
}

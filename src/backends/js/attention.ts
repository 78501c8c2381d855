/**
 * @file The js kernel of scaledDotProductAttention (contract in ops/primitives/attention.ts): per
 * query row, the scores against every key in a reused float64 scratch row, the max-shifted exp, and
 * the weighted sum of value rows accumulated row by row (contiguous reads of v, no [L, S] tensor).
 * Grouped-query heads read their key/value head in place. Doubles inside, so float64 agrees with the
 * reference to rounding; dtype-agnostic, so the wasm backend runs it on heap views as it is.
 */
import type { Kernel } from '../../core/primitive.js';

interface AttentionAttrs { scale: number; causal: boolean; mask: 'none' | 'bool' | 'float'; dropout: boolean }

let scratch = new Float64Array(64);
let acc = new Float64Array(64);

export const scaledDotProductAttention: Kernel<AttentionAttrs> = (out, inputs, a) => {
  const qv = inputs[0]!.values;
  const kv = inputs[1]!.values;
  const vv = inputs[2]!.values;
  const m = a.mask === 'none' ? null : inputs[3]!;
  const dv = a.dropout ? inputs[inputs.length - 1]!.values : null;
  const [B, Hq, L, E] = inputs[0]!.shape as [number, number, number, number];
  const Hk = inputs[1]!.shape[1]!;
  const S = inputs[1]!.shape[2]!;
  const Ev = inputs[2]!.shape[3]!;
  const G = Hq / Hk;
  const o = out.values;
  if (scratch.length < S) scratch = new Float64Array(S);
  if (acc.length < Ev) acc = new Float64Array(Ev);
  const s = scratch;
  const mv = m ? m.values : null;
  const isBool = a.mask === 'bool';
  let mb = 0, mh = 0, ml = 0, ms = 0;
  if (m) {
    const [Bm, Hm, Lm, Sm] = m.shape as [number, number, number, number];
    mb = Bm === 1 ? 0 : Hm * Lm * Sm;
    mh = Hm === 1 ? 0 : Lm * Sm;
    ml = Lm === 1 ? 0 : Sm;
    ms = Sm === 1 ? 0 : 1;
  }
  const scale = a.scale;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const kBase = (b * Hk + Math.floor(h / G)) * S;
      for (let i = 0; i < L; i++) {
        const row = (b * Hq + h) * L + i;
        const qo = row * E;
        const mo = b * mb + h * mh + i * ml;
        // Keys past the causal limit are skipped outright (their weight is exactly 0).
        const jEnd = a.causal ? Math.min(S, i + 1) : S;
        let mx = -Infinity;
        for (let j = 0; j < jEnd; j++) {
          const ko = (kBase + j) * E;
          let x = 0;
          for (let e = 0; e < E; e++) x += qv[qo + e]! * kv[ko + e]!;
          x *= scale;
          if (mv) {
            const w = mv[mo + j * ms]!;
            if (isBool) { if (!w) x = -Infinity; } else x += w;
          }
          s[j] = x;
          if (x > mx) mx = x;
        }
        const oo = row * Ev;
        if (mx === -Infinity) {
          // Every key masked: 0/0 as PyTorch's math path (NaN), not a silent zero row.
          for (let c = 0; c < Ev; c++) o[oo + c] = NaN;
          continue;
        }
        let z = 0;
        for (let j = 0; j < jEnd; j++) {
          const p = Math.exp(s[j]! - mx);
          s[j] = p;
          z += p;
        }
        acc.fill(0, 0, Ev);
        const dOff = row * S;
        for (let j = 0; j < jEnd; j++) {
          const p = dv ? (s[j]! / z) * dv[dOff + j]! : s[j]! / z;
          const vo = (kBase + j) * Ev;
          for (let c = 0; c < Ev; c++) acc[c] = acc[c]! + p * vv[vo + c]!;
        }
        for (let c = 0; c < Ev; c++) o[oo + c] = acc[c]!;
      }
    }
  }
};

/**
 * @file Op-table rows: the fused scaled dot-product attention primitive, against a plain-JS float64
 * softmax(q kᵀ·scale + mask) v written per element (with broadcasting, grouped heads, causal and
 * seeded dropout); gradients of q, k, v and a float mask by finite differences.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, f64, uniform } from '../../src/testing/index.js';

interface RefOpts { causal?: boolean; maskKind?: 'bool' | 'float'; scale?: number; dropout?: { p: number; seed: number } }

/** Element of `x` at the (right-aligned, broadcast) multi-index `idx`. */
function at(x: NDArray, idx: number[]): number {
  let off = 0;
  let mult = 1;
  for (let d = x.shape.length - 1, e = idx.length - 1; d >= 0; d--, e--) {
    off += (x.shape[d] === 1 ? 0 : idx[e]!) * mult;
    mult *= x.shape[d]!;
  }
  return x.values[off]!;
}

/** The expected output; q, k, v share a rank R >= 3 here, so dim -3 is the (grouped) head dim. */
function reference(o: RefOpts) {
  return (q: NDArray, k: NDArray, v: NDArray, m?: NDArray): NDArray => {
    const R = q.shape.length;
    const outer = q.shape.slice(0, R - 3);
    const [Hq, L, E] = q.shape.slice(R - 3) as [number, number, number];
    const [Hk, S] = k.shape.slice(R - 3) as [number, number];
    const Ev = v.shape[R - 1]!;
    const scale = o.scale ?? 1 / Math.sqrt(E);
    const gen = o.dropout ? new px.Generator(o.dropout.seed) : null;
    const values: number[] = [];
    const nOuter = outer.reduce((p, d) => p * d, 1);
    const drops: number[] = [];
    if (gen) for (let t = 0; t < nOuter * Hq * L * S; t++) drops.push(gen.nextFloat() < 1 - o.dropout!.p ? 1 / (1 - o.dropout!.p) : 0);
    for (let b = 0; b < nOuter; b++) {
      const bi: number[] = [];
      for (let r = b, d = outer.length - 1; d >= 0; d--) { bi.unshift(r % outer[d]!); r = Math.floor(r / outer[d]!); }
      for (let h = 0; h < Hq; h++) {
        const hk = Math.floor(h / (Hq / Hk));
        for (let i = 0; i < L; i++) {
          const sc: number[] = [];
          for (let j = 0; j < S; j++) {
            let x = 0;
            for (let e = 0; e < E; e++) x += at(q, [...bi, h, i, e]) * at(k, [...bi, hk, j, e]);
            x *= scale;
            if (m) x = o.maskKind === 'bool' ? (at(m, [...bi, h, i, j]) ? x : -Infinity) : x + at(m, [...bi, h, i, j]);
            if (o.causal && j > i) x = -Infinity;
            sc.push(x);
          }
          const mx = Math.max(...sc);
          const p = sc.map((x) => Math.exp(x - mx));
          const z = p.reduce((a, c) => a + c, 0);
          for (let c = 0; c < Ev; c++) {
            let acc = 0;
            for (let j = 0; j < S; j++) acc += (p[j]! / z) * (gen ? drops[((b * Hq + h) * L + i) * S + j]! : 1) * at(v, [...bi, hk, j, c]);
            values.push(acc);
          }
        }
      }
    }
    return { shape: [...outer, Hq, L, Ev], values };
  };
}

const boolMask = (shape: number[], keep: (i: number) => boolean): px.Tensor => px.tensor(Uint8Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => (keep(i) ? 1 : 0)), { dtype: 'bool', shape });

const sdpa = px.scaledDotProductAttention;
const row = (o: RefOpts, run: OpRow['run'], cases: OpRow['cases']): OpRow => ({ op: 'scaledDotProductAttention', kind: 'primitive', run, reference: reference(o), cases });

export const attentionRows: OpRow[] = [
  row({}, (q, k, v) => sdpa(q!, k!, v!), [
    { name: 'q[2,3,4] k[2,5,4] v[2,5,3] (S != L, Ev != E)', inputs: () => [uniform([2, 3, 4], -1, 1), uniform([2, 5, 4], -1, 1), uniform([2, 5, 3], -1, 1)] },
    { name: 'heads q,k,v [2,2,4,3]', inputs: () => [uniform([2, 2, 4, 3], -1, 1), uniform([2, 2, 4, 3], -1, 1), uniform([2, 2, 4, 3], -1, 1)] },
    { name: 'k, v heads broadcast (dim -3 of 1, MQA-style) q[1,3,2,2] k,v[1,1,3,2]', inputs: () => [uniform([1, 3, 2, 2], -1, 1), uniform([1, 1, 3, 2], -1, 1), uniform([1, 1, 3, 2], -1, 1)] },
    { name: 'large scores (|q·k| ~ 400): the max-shifted softmax stays finite', inputs: () => [uniform([1, 2, 8], 6, 7), uniform([1, 3, 8], 6, 7), uniform([1, 3, 2], -1, 1)], grad: false },
  ]),
  row({}, (q, k, v) => sdpa(q!, k!, v!, { enableGqa: true }), [
    { name: 'GQA: 4 query heads over 2 kv heads, q[2,4,3,2] k,v[2,2,3,2]', inputs: () => [uniform([2, 4, 3, 2], -1, 1), uniform([2, 2, 3, 2], -1, 1), uniform([2, 2, 3, 2], -1, 1)] },
    // Sizes past the wasm kernel's 64-row blocks, odd L and S, E and Ev not multiples of 4 (forward only: finite differences at this size are slow).
    { name: 'GQA over two row blocks q[1,4,67,5] k[1,2,70,5] v[1,2,70,7]', inputs: () => [uniform([1, 4, 67, 5], -1, 1), uniform([1, 2, 70, 5], -1, 1), uniform([1, 2, 70, 7], -1, 1)], grad: false },
  ]),
  row({ causal: true }, (q, k, v) => sdpa(q!, k!, v!, { isCausal: true }), [
    { name: 'isCausal q,k,v[2,4,3]', inputs: () => [uniform([2, 4, 3], -1, 1), uniform([2, 4, 3], -1, 1), uniform([2, 4, 3], -1, 1)] },
    { name: 'isCausal with L > S (top-left) q[1,5,2] k,v[1,3,2]', inputs: () => [uniform([1, 5, 2], -1, 1), uniform([1, 3, 2], -1, 1), uniform([1, 3, 2], -1, 1)] },
  ]),
  row({ causal: true }, (q, k, v) => sdpa(q!, k!, v!, { isCausal: true, enableGqa: true }), [
    { name: 'isCausal GQA over two row blocks q[2,4,67,5] k,v[2,2,67,5|7]', inputs: () => [uniform([2, 4, 67, 5], -1, 1), uniform([2, 2, 67, 5], -1, 1), uniform([2, 2, 67, 7], -1, 1)], grad: false },
    { name: 'isCausal L > S over two row blocks q[1,2,70,6] k,v[1,1,66,6|3]', inputs: () => [uniform([1, 2, 70, 6], -1, 1), uniform([1, 1, 66, 6], -1, 1), uniform([1, 1, 66, 3], -1, 1)], grad: false },
  ]),
  row({ maskKind: 'bool' }, (q, k, v, m) => sdpa(q!, k!, v!, { attnMask: m! }), [
    { name: 'bool mask [L,S] broadcast over batch and heads', inputs: () => [uniform([2, 2, 3, 2], -1, 1), uniform([2, 2, 4, 2], -1, 1), uniform([2, 2, 4, 3], -1, 1), boolMask([3, 4], (i) => i % 3 !== 1)] },
    { name: 'bool key-padding mask [B,1,1,S]', inputs: () => [uniform([2, 2, 3, 2], -1, 1), uniform([2, 2, 4, 2], -1, 1), uniform([2, 2, 4, 3], -1, 1), boolMask([2, 1, 1, 4], (i) => i !== 3 && i !== 6)] },
    { name: 'a fully masked row gives NaN (as PyTorch)', inputs: () => [uniform([1, 2, 2], -1, 1), uniform([1, 2, 2], -1, 1), uniform([1, 2, 2], -1, 1), boolMask([2, 2], (i) => i >= 2)], grad: false },
    { name: 'bool mask [L,S] over two row blocks, row 66 fully masked, q[1,2,67,5] k[1,2,70,5] v[1,2,70,3]', inputs: () => [uniform([1, 2, 67, 5], -1, 1), uniform([1, 2, 70, 5], -1, 1), uniform([1, 2, 70, 3], -1, 1), boolMask([67, 70], (i) => i < 66 * 70 && i % 7 !== 3)], grad: false },
    { name: 'bool key-padding mask [B,1,1,S] at S 70, q[2,2,9,5] k[2,2,70,5] v[2,2,70,3]', inputs: () => [uniform([2, 2, 9, 5], -1, 1), uniform([2, 2, 70, 5], -1, 1), uniform([2, 2, 70, 3], -1, 1), boolMask([2, 1, 1, 70], (i) => i % 70 < 61)], grad: false },
  ]),
  row({ maskKind: 'float' }, (q, k, v, m) => sdpa(q!, k!, v!, { attnMask: m! }), [
    { name: 'additive float mask [1,3,4] (gradient to the mask too)', inputs: () => [uniform([2, 3, 2], -1, 1), uniform([2, 4, 2], -1, 1), uniform([2, 4, 2], -1, 1), uniform([1, 3, 4], -1, 1)] },
    { name: 'float mask with -inf entries', inputs: () => [uniform([1, 2, 2], -1, 1), uniform([1, 3, 2], -1, 1), uniform([1, 3, 2], -1, 1), f64([[0, -Infinity, 0.5], [-Infinity, 0, 0]])], grad: false },
    { name: 'float mask [B,1,L,S] over two row blocks q[2,2,67,6] k,v[2,2,70,6|5]', inputs: () => [uniform([2, 2, 67, 6], -1, 1), uniform([2, 2, 70, 6], -1, 1), uniform([2, 2, 70, 5], -1, 1), uniform([2, 1, 67, 70], -2, 2)], grad: false },
  ]),
  row({ scale: 0.3 }, (q, k, v) => sdpa(q!, k!, v!, { scale: 0.3 }), [
    { name: 'explicit scale 0.3', inputs: () => [uniform([1, 2, 3], -1, 1), uniform([1, 4, 3], -1, 1), uniform([1, 4, 2], -1, 1)] },
  ]),
  row({ dropout: { p: 0.4, seed: 11 } }, (q, k, v) => sdpa(q!, k!, v!, { dropoutP: 0.4, generator: new px.Generator(11) }), [
    { name: 'seeded dropout 0.4 on the weights', inputs: () => [uniform([2, 3, 2], -1, 1), uniform([2, 4, 2], -1, 1), uniform([2, 4, 3], -1, 1)] },
    { name: 'seeded dropout 0.4 over two row blocks q[1,67,5] k[1,70,5] v[1,70,3]', inputs: () => [uniform([1, 67, 5], -1, 1), uniform([1, 70, 5], -1, 1), uniform([1, 70, 3], -1, 1)], grad: false },
  ]),
];

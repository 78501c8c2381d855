/**
 * @file Multi-head attention (Vaswani et al. 2017, https://arxiv.org/abs/1706.03762) with grouped-
 * query (Ainslie et al. 2023, https://arxiv.org/abs/2305.13245) and multi-query attention (Shazeer
 * 2019, https://arxiv.org/abs/1911.02150): PyTorch's nn.MultiheadAttention plus `numKVHeads`.
 *
 * Shape contract (E = embedDim, H = numHeads, Hkv = numKVHeads, d = E / H):
 *   query [N, L, E] (batchFirst) or [L, N, E] (default, as PyTorch) or unbatched [L, E];
 *   key [.., S, kdim], value [.., S, vdim] -> [output [.., L, E], weights [N, L, S] (averaged over
 *   heads; [N, H, L, S] with averageAttnWeights: false) or null].
 * Parameters, PyTorch's layout and state-dict keys when Hkv = H:
 *   kdim = vdim = E: in_proj_weight [3E, E] (rows q | k | v); else q_proj_weight [E, E],
 *   k_proj_weight [E, kdim], v_proj_weight [E, vdim]; in_proj_bias [3E]; out_proj.weight [E, E],
 *   out_proj.bias [E]. Init as PyTorch: xavier_uniform projections, zero biases, out_proj.weight
 *   as a Linear's.
 * GQA / MQA (Hkv < H): always the separate q_proj_weight [E, E], k_proj_weight [Hkv·d, kdim],
 *   v_proj_weight [Hkv·d, vdim], and in_proj_bias [E + 2·Hkv·d] (q | k | v); key/value head j serves
 *   query heads j·H/Hkv .. (j+1)·H/Hkv - 1 (the kernel reads it in place: no repeat).
 * Masks as PyTorch's module: bool true = NOT allowed (the opposite of scaledDotProductAttention's),
 * float = added to the scores. Dropout (on the weights) only in training mode.
 */
import { checkOptions } from '../../core/args.js';
import { empty } from '../../core/create.js';
import { type FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { bernoulli } from '../../core/create.js';
import { div, linear, mm, mul, permute, reshape, scaledDotProductAttention, sliceAxis, sum, transpose } from '../../ops/primitives/index.js';
import { attentionProbs } from '../../ops/primitives/attention.js';
import { type Member, Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, checkNumber, paramDType } from '../check.js';
import { Linear } from '../linear.js';
import * as init from '../init.js';
import { KVCache } from './kv-cache.js';
import { mergeMasks } from './masks.js';

export interface MultiheadAttentionOptions {
  /** Key/value heads: numHeads (MHA, default), a divisor of numHeads (GQA), 1 (MQA). */
  numKVHeads?: number;
  /** Projection biases (default true). */
  bias?: boolean;
  /** Inputs and output as [N, L, E] (default false: [L, N, E], as PyTorch). */
  batchFirst?: boolean;
  /** Dropout probability on the attention weights in training (default 0). */
  dropout?: number;
  /** Key features (default embedDim). */
  kdim?: number;
  /** Value features (default embedDim). */
  vdim?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool true = ignore that key, or float added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true, as PyTorch; false takes the fused kernel). */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]: bool true = not allowed, or float added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
  /** Causal mask (query i sees keys j <= i); not together with attnMask. */
  isCausal?: boolean;
  /** Incremental decoding: the new keys/values are appended here and attention runs over the whole cache (causally). */
  kvCache?: KVCache | null;
}

const FWD_KEYS = ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal', 'kvCache'];
/** camelCase fields -> PyTorch's state-dict keys. */
const TORCH_NAMES: Record<string, string> = { inProjWeight: 'in_proj_weight', qProjWeight: 'q_proj_weight', kProjWeight: 'k_proj_weight', vProjWeight: 'v_proj_weight', inProjBias: 'in_proj_bias', outProj: 'out_proj' };

/** PyTorch's nn.MultiheadAttention with grouped/multi-query heads; see the file header for layouts. */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly numKVHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  inProjWeight: Parameter | null = null;
  qProjWeight: Parameter | null = null;
  kProjWeight: Parameter | null = null;
  vProjWeight: Parameter | null = null;
  inProjBias: Parameter | null = null;
  readonly outProj: Linear;
  private readonly generator: Generator | undefined;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const W = 'MultiheadAttention';
    checkOptions(W, opts, ['numKVHeads', 'bias', 'batchFirst', 'dropout', 'kdim', 'vdim', 'dtype', 'generator']);
    this.embedDim = checkInt(W, 'embedDim', embedDim, 1);
    this.numHeads = checkInt(W, 'numHeads', numHeads, 1);
    if (embedDim % numHeads !== 0) throw new ValueError(`${W}: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.numKVHeads = checkInt(W, 'numKVHeads', opts.numKVHeads ?? numHeads, 1);
    if (numHeads % this.numKVHeads !== 0) throw new ValueError(`${W}: numKVHeads (${this.numKVHeads}) must divide numHeads (${numHeads})`);
    this.headDim = embedDim / numHeads;
    this.kdim = checkInt(W, 'kdim', opts.kdim ?? embedDim, 1);
    this.vdim = checkInt(W, 'vdim', opts.vdim ?? embedDim, 1);
    this.batchFirst = checkBool(W, 'batchFirst', opts.batchFirst ?? false);
    this.dropout = checkNumber(W, 'dropout', opts.dropout ?? 0, 0, 1);
    const bias = checkBool(W, 'bias', opts.bias ?? true);
    const dtype = paramDType(W, opts.dtype);
    const generator = (this.generator = opts.generator);
    const kvOut = this.numKVHeads * this.headDim;
    const xavier = (shape: number[]): Parameter => new Parameter(init.xavierUniform(empty(shape, { dtype }), { generator }));
    if (this.packed) this.inProjWeight = xavier([3 * embedDim, embedDim]);
    else {
      this.qProjWeight = xavier([embedDim, embedDim]);
      this.kProjWeight = xavier([kvOut, this.kdim]);
      this.vProjWeight = xavier([kvOut, this.vdim]);
    }
    if (bias) this.inProjBias = new Parameter(init.constant(empty([embedDim + 2 * kvOut], { dtype }), 0));
    this.outProj = new Linear(embedDim, embedDim, { bias, dtype, generator });
    if (this.outProj.bias) noGrad(() => init.constant(this.outProj.bias!, 0));
  }

  /** PyTorch's packed in_proj_weight: same key/value/query features and one key/value head per query head. */
  get packed(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim && this.numKVHeads === this.numHeads;
  }

  protected override ownMembers(): Member[] {
    return super.ownMembers().map((m) => ({ ...m, name: TORCH_NAMES[m.name] ?? m.name }));
  }

  /** An empty KVCache sized for this layer (Hkv heads of headDim) and its dtype. */
  createCache(batchSize: number, maxLength: number): KVCache {
    return new KVCache(batchSize, this.numKVHeads, this.headDim, maxLength, { dtype: this.outProj.weight.dtype as FloatDType });
  }

  /** The q, k, v projection weights and biases (views of the packed tensors where PyTorch packs them). */
  private projections(): [Tensor, Tensor | null][] {
    const E = this.embedDim;
    const kvOut = this.numKVHeads * this.headDim;
    const b = this.inProjBias;
    const bias = (from: number, to: number): Tensor | null => (b ? sliceAxis(b, 0, from, to) : null);
    const ranges: [number, number][] = [[0, E], [E, E + kvOut], [E + kvOut, E + 2 * kvOut]];
    const ws = this.inProjWeight ? ranges.map(([f, t]) => sliceAxis(this.inProjWeight!, 0, f, t)) : [this.qProjWeight!, this.kProjWeight!, this.vProjWeight!];
    return ws.map((w, i) => [w, bias(...ranges[i]!)]);
  }

  // @ts-expect-error -- PyTorch's nn.MultiheadAttention returns (output, weights), not one tensor
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const where = `MultiheadAttention(${this.embedDim}, ${this.numHeads}${this.numKVHeads !== this.numHeads ? `, numKVHeads=${this.numKVHeads}` : ''})`;
    checkOptions(`${where}.forward`, opts, FWD_KEYS);
    const { keyPaddingMask = null, attnMask = null, kvCache = null } = opts;
    const needWeights = checkBool(where, 'needWeights', opts.needWeights ?? true);
    const average = checkBool(where, 'averageAttnWeights', opts.averageAttnWeights ?? true);
    const isCausal = checkBool(where, 'isCausal', opts.isCausal ?? false);
    if (isCausal && attnMask) throw new ValueError(`${where}: pass either attnMask or isCausal, not both`);
    if (kvCache && (attnMask || keyPaddingMask)) throw new ValueError(`${where}: with kvCache the mask comes from the cache's positions; attnMask and keyPaddingMask are not supported`);
    const batched = query.rank === 3;
    const shapes = `query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}`;
    if ((query.rank !== 2 && query.rank !== 3) || key.rank !== query.rank || value.rank !== query.rank) {
      throw new ShapeError(`${where}: query, key and value must all be ${this.batchFirst ? '[N, L, E]' : '[L, N, E]'} (or unbatched [L, E]), got ${shapes}`);
    }
    const E = this.embedDim;
    if (query.shape[query.rank - 1] !== E || key.shape[key.rank - 1] !== this.kdim || value.shape[value.rank - 1] !== this.vdim) {
      throw new ShapeError(`${where}: last dims must be embedDim ${E}, kdim ${this.kdim}, vdim ${this.vdim}, got ${shapes}`);
    }
    for (const t of [query, key, value]) checkInputDType(where, t, this.outProj.weight.dtype as FloatDType);
    // To [N, L, E] whatever the layout.
    const bf = (t: Tensor): Tensor => (!batched ? reshape(t, [1, ...t.shape]) : this.batchFirst ? t : transpose(t, 0, 1));
    const [q0, k0, v0] = [bf(query), bf(key), bf(value)];
    const N = q0.shape[0]!;
    const L = q0.shape[1]!;
    const S0 = k0.shape[1]!;
    if (k0.shape[0] !== N || v0.shape[0] !== N || v0.shape[1] !== S0) throw new ShapeError(`${where}: key and value must share the batch and sequence dims with each other (and the batch with query), got ${shapes}`);
    const H = this.numHeads;
    const Hkv = this.numKVHeads;
    const d = this.headDim;
    const [[wq, bq], [wk, bk], [wv, bv]] = this.projections() as [[Tensor, Tensor | null], [Tensor, Tensor | null], [Tensor, Tensor | null]];
    const heads = (x: Tensor, h: number): Tensor => permute(reshape(x, [N, x.shape[1]!, h, d]), [0, 2, 1, 3]);
    const q = heads(linear(q0, wq, bq), H);
    let k = heads(linear(k0, wk, bk), Hkv);
    let v = heads(linear(v0, wv, bv), Hkv);
    let mask: Tensor | null;
    let causal = isCausal;
    if (kvCache) {
      if (kvCache.batchSize !== N || kvCache.numKVHeads !== Hkv || kvCache.headDim !== d) throw new ShapeError(`${where}: kvCache is [B=${kvCache.batchSize}, Hkv=${kvCache.numKVHeads}, D=${kvCache.headDim}], the input needs [${N}, ${Hkv}, ${d}]`);
      const before = kvCache.lengths;
      kvCache.append(k, v);
      ({ key: k, value: v } = kvCache.read());
      const S = k.shape[2]!;
      const trivial = L === 1 && before.every((n) => n === before[0]);
      mask = trivial ? null : KVCache.decodeMask(before, L, S);
      causal = false;
    } else {
      mask = mergeMasks(where, { keyPaddingMask, attnMask, isCausal: false }, N, H, L, S0, batched, q.dtype as FloatDType);
      // The causal mask alone is the kernel's own flag; merged with other masks it is one more bool.
      if (isCausal && mask) {
        mask = mergeMasks(where, { keyPaddingMask, attnMask, isCausal: true }, N, H, L, S0, batched, q.dtype as FloatDType);
        causal = false;
      }
    }
    const p = this.training ? this.dropout : 0;
    let o: Tensor;
    let weights: Tensor | null = null;
    if (!needWeights) {
      o = scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: causal, dropoutP: p, enableGqa: true, generator: this.generator });
    } else {
      const S = k.shape[2]!;
      const kind = mask === null ? 'none' : mask.dtype === 'bool' ? 'bool' : 'float';
      let P = reshape(attentionProbs(q, k, mask, { scale: 1 / Math.sqrt(d), causal, mask: kind }).P, [N, H, L, S]);
      if (p > 0) {
        const keep = bernoulli(1 - p, [N, H, L, S], { dtype: q.dtype, generator: this.generator });
        P = mul(P, p === 1 ? keep : mul(keep, 1 / (1 - p)));
      }
      o = reshape(mm(reshape(P, [N, Hkv, (H / Hkv) * L, S]), v), [N, H, L, d]);
      weights = average ? div(sum(P, 1), H) : P;
      if (!batched) weights = reshape(weights, weights.shape.slice(1));
    }
    let out = this.outProj.forward(reshape(permute(o, [0, 2, 1, 3]), [N, L, E]));
    out = !batched ? reshape(out, [L, E]) : this.batchFirst ? out : transpose(out, 0, 1);
    return [out, weights];
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'MultiheadAttention', embedDim: this.embedDim, numHeads: this.numHeads, numKVHeads: this.numKVHeads,
      bias: this.inProjBias !== null, batchFirst: this.batchFirst, dropout: this.dropout, kdim: this.kdim, vdim: this.vdim,
      dtype: this.outProj.weight.dtype,
    };
  }
}

// The cast: forward returns (output, weights) as PyTorch's, not the one tensor Module's type promises.
registerModule('MultiheadAttention', (c) => <Module><unknown>new MultiheadAttention(c.int('embedDim'), c.int('numHeads'), {
  numKVHeads: c.int('numKVHeads', c.int('numHeads')), bias: c.bool('bias', true), batchFirst: c.bool('batchFirst', false),
  dropout: c.number('dropout', 0), kdim: c.int('kdim', c.int('embedDim')), vdim: c.int('vdim', c.int('embedDim')), dtype: c.dtype(),
}));

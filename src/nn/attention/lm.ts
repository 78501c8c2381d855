/**
 * @file A small causal transformer language model (GPT-style: Radford et al. 2019, "Language Models
 * are Unsupervised Multitask Learners"): token + learned position embeddings, pre-norm
 * TransformerBlocks, a final norm and a linear head over the vocabulary. For the character-LM
 * check (test/char-lm.slow.ts) and as the reference user of the KV cache.
 *
 * Shape contract: int32 tokens [N, T] (T <= maxLength) -> logits [N, T, vocabSize].
 * With `kvCaches` (one per block, from createCaches) the tokens continue each row's cached context:
 * row b's tokens sit at positions cache.lengths[b] + t.
 */
import { checkOptions } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { type Generator, defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, sliceAxis } from '../../ops/primitives/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkNumber, paramDType } from '../check.js';
import { Embedding, Linear } from '../linear.js';
import { LayerNorm, RMSNorm } from '../norm.js';
import { GLU_GATES } from '../mlp/glu.js';
import { TRANSFORMER_NORMS, TransformerBlock, type TransformerBlockOptions } from './transformer.js';
import type { KVCache } from './kv-cache.js';

export interface TransformerLMOptions extends Omit<TransformerBlockOptions, 'causal' | 'activation'> {
  /** Context length: the number of learned positions (default 128). */
  maxLength?: number;
}

/** A causal transformer LM; see the file header. @example new nn.TransformerLM(65, 64, 4, 2, { maxLength: 128 }) */
export class TransformerLM extends Module {
  readonly vocabSize: number;
  readonly dModel: number;
  readonly numLayers: number;
  readonly maxLength: number;
  readonly tokEmb: Embedding;
  readonly posEmb: Embedding;
  readonly blocks: TransformerBlock[];
  readonly normF: LayerNorm | RMSNorm;
  readonly head: Linear;

  constructor(vocabSize: number, dModel: number, numHeads: number, numLayers: number, opts: TransformerLMOptions = {}) {
    super();
    const W = 'TransformerLM';
    checkOptions(W, opts, ['maxLength', 'numKVHeads', 'dimFeedforward', 'glu', 'norm', 'dropout', 'bias', 'eps', 'dtype', 'generator']);
    this.vocabSize = checkInt(W, 'vocabSize', vocabSize, 1);
    this.dModel = checkInt(W, 'dModel', dModel, 1);
    this.numLayers = checkInt(W, 'numLayers', numLayers, 1);
    this.maxLength = checkInt(W, 'maxLength', opts.maxLength ?? 128, 1);
    const { maxLength: _m, ...block } = opts;
    const dtype = paramDType(W, opts.dtype);
    const generator = opts.generator;
    this.tokEmb = new Embedding(vocabSize, dModel, { dtype, generator });
    this.posEmb = new Embedding(this.maxLength, dModel, { dtype, generator });
    this.blocks = Array.from({ length: numLayers }, () => new TransformerBlock(dModel, numHeads, { ...block, causal: true, dtype }));
    const b0 = this.blocks[0]!;
    this.normF = b0.normKind === 'rmsNorm' ? new RMSNorm(dModel, { eps: b0.eps, dtype }) : new LayerNorm(dModel, { eps: b0.eps, dtype });
    this.head = new Linear(dModel, vocabSize, { bias: false, dtype, generator });
  }

  /** One empty KVCache per block for `batchSize` sequences of up to `maxLength` tokens (default the model's). */
  createCaches(batchSize: number, maxLength = this.maxLength): KVCache[] {
    if (maxLength > this.maxLength) throw new ValueError(`TransformerLM.createCaches: maxLength ${maxLength} exceeds the model's ${this.maxLength} positions`);
    return this.blocks.map((b) => b.createCache(batchSize, maxLength));
  }

  override forward(tokens: Tensor): Tensor;
  override forward(tokens: Tensor, opts: { kvCaches?: KVCache[] | null }): Tensor;
  override forward(tokens: Tensor, opts: { kvCaches?: KVCache[] | null } = {}): Tensor {
    const where = `TransformerLM(${this.vocabSize}, ${this.dModel})`;
    checkOptions(`${where}.forward`, opts, ['kvCaches']);
    if (tokens.dtype !== 'int32') throw new DTypeError(`${where}: tokens must be int32, got ${tokens.dtype}`);
    if (tokens.rank !== 2) throw new ShapeError(`${where}: tokens must be [N, T], got ${fmtShape(tokens.shape)}`);
    const [N, T] = tokens.shape as [number, number];
    const caches = opts.kvCaches ?? null;
    if (caches && caches.length !== this.blocks.length) throw new ValueError(`${where}: kvCaches must hold one cache per block (${this.blocks.length}), got ${caches.length}`);
    const start = caches ? caches[0]!.lengths : new Array<number>(N).fill(0);
    if (start.length !== N) throw new ShapeError(`${where}: the caches hold ${start.length} rows, tokens ${fmtShape(tokens.shape)} have ${N}`);
    const last = Math.max(...start) + T;
    if (last > this.maxLength) throw new ValueError(`${where}: positions up to ${last} exceed maxLength ${this.maxLength}`);
    const pos = Int32Array.from({ length: N * T }, (_, i) => start[Math.floor(i / T)]! + (i % T));
    let h = add(this.tokEmb.forward(tokens), this.posEmb.forward(tensor(pos, { dtype: 'int32', shape: [N, T] })));
    this.blocks.forEach((b, i) => { h = b.forward(h, { kvCache: caches ? caches[i]! : null }); });
    return this.head.forward(this.normF.forward(h));
  }

  /**
   * Continues `prompt` (int32 [N, T0]) by `maxNewTokens` sampled tokens (KV-cached, eval mode, no
   * gradients): softmax(logits / temperature) drawn from `generator` (default the default one);
   * temperature 0 = greedy. Past maxLength the context slides: the caches restart from the last
   * maxLength/2 tokens. Returns int32 [N, T0 + maxNewTokens].
   */
  generate(prompt: Tensor, maxNewTokens: number, opts: { temperature?: number; generator?: Generator } = {}): Tensor {
    checkOptions('TransformerLM.generate', opts, ['temperature', 'generator']);
    checkInt('TransformerLM.generate', 'maxNewTokens', maxNewTokens, 0);
    const temperature = checkNumber('TransformerLM.generate', 'temperature', opts.temperature ?? 1, 0);
    const gen = opts.generator ?? defaultGenerator;
    if (prompt.dtype !== 'int32' || prompt.rank !== 2 || prompt.shape[1]! < 1) throw new ShapeError(`TransformerLM.generate: prompt must be int32 [N, T0] with T0 >= 1, got ${prompt.dtype} ${fmtShape(prompt.shape)}`);
    const [N, T0] = prompt.shape as [number, number];
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => {
        if (T0 > this.maxLength) throw new ValueError(`TransformerLM.generate: the prompt's ${T0} tokens exceed maxLength ${this.maxLength}`);
        const caches = this.createCaches(N, Math.min(this.maxLength, T0 + maxNewTokens));
        const rows: number[][] = Array.from({ length: N }, (_, b) => Array.from(prompt._peek().slice(b * T0, (b + 1) * T0)));
        let logits = this.forward(prompt, { kvCaches: caches });
        // A full context restarts the caches from the last half of it (positions are learned up to maxLength only).
        const refill = (): Tensor => {
          const keep = Math.max(1, Math.floor(this.maxLength / 2));
          for (const c of caches) c.reset();
          return this.forward(tensor(Int32Array.from(rows.flatMap((r) => r.slice(-keep))), { dtype: 'int32', shape: [N, keep] }), { kvCaches: caches });
        };
        for (let s = 0; s < maxNewTokens; s++) {
          const lastLogits = sliceAxis(logits, 1, logits.shape[1]! - 1, logits.shape[1]!)._peek();
          const next = rows.map((r, b) => {
            const t = sample(lastLogits.subarray(b * this.vocabSize, (b + 1) * this.vocabSize), temperature, gen);
            r.push(t);
            return t;
          });
          if (s + 1 === maxNewTokens) break;
          logits = caches[0]!.length >= caches[0]!.maxLength ? refill() : this.forward(tensor(Int32Array.from(next), { dtype: 'int32', shape: [N, 1] }), { kvCaches: caches });
        }
        return tensor(Int32Array.from(rows.flat()), { dtype: 'int32', shape: [N, T0 + maxNewTokens] });
      });
    } finally {
      this.train(wasTraining);
    }
  }

  override getConfig(): ModuleConfig {
    const b = this.blocks[0]!.getConfig();
    return {
      type: 'TransformerLM', vocabSize: this.vocabSize, dModel: this.dModel, numHeads: b.numHeads!, numLayers: this.numLayers, maxLength: this.maxLength,
      numKVHeads: b.numKVHeads!, dimFeedforward: b.dimFeedforward!, glu: b.glu!, norm: b.norm!, dropout: b.dropout!, bias: b.bias!, eps: b.eps!,
      dtype: this.head.weight.dtype as FloatDType,
    };
  }
}

/** One draw from softmax(logits / temperature) (argmax at temperature 0). */
function sample(logits: ArrayLike<number>, temperature: number, gen: Generator): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  if (temperature === 0) return best;
  const p = Float64Array.from(logits, (v) => Math.exp((v - logits[best]!) / temperature));
  let u = gen.nextFloat() * p.reduce((a, c) => a + c, 0);
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return best;
}

registerModule('TransformerLM', (c) => new TransformerLM(c.int('vocabSize'), c.int('dModel'), c.int('numHeads'), c.int('numLayers'), {
  maxLength: c.int('maxLength', 128), numKVHeads: c.int('numKVHeads', c.int('numHeads')), dimFeedforward: c.int('dimFeedforward', 4 * c.int('dModel')),
  glu: c.oneOfOrNull('glu', GLU_GATES, null), norm: c.oneOf('norm', TRANSFORMER_NORMS, 'layerNorm'), dropout: c.number('dropout', 0),
  bias: c.bool('bias', true), eps: c.number('eps', 1e-5), dtype: c.dtype(),
}));

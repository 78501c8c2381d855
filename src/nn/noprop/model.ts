/**
 * @file NoPropModel: the T blocks, the class embeddings W_embed and the output classifier of NoProp-DT
 * (Li, Teh & Pascanu 2025, https://arxiv.org/abs/2503.24322), and its inference chain. Training it
 * is `train.NoProp` (src/train/algorithms/noprop.ts); this file is what a saved model needs.
 *
 * Inference (the paper's Eq. 3 with schedule.ts's a_t, b_t, c_t):
 *   z_0 ~ N(0, I);  z_t = a_t û_θt(z_{t-1}, x) + b_t z_{t-1} + sqrt(c_t) ε_t  (t = 1..T);  logits = Linear(z_T).
 * `forward(x)` runs it deterministically (z_0 = 0, ε_t = 0: the chain of means), so fit's validation,
 * evaluate and predict give repeatable numbers; `sample(x, { generator })` runs the stochastic chain.
 * Embeddings: 'learned' (orthogonal init, trained with the classifier) or 'onehot' (fixed identity,
 * embeddingDim = numClasses). The paper's third option, class prototypes (an image per class), is
 * not implemented.
 * Shapes: x [N, inFeatures] -> logits [N, numClasses].
 */
import { checkOptions } from '../../core/args.js';
import { empty, eye, randn, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkTrailing, paramDType } from '../check.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';
import * as init from '../init.js';
import { NoPropBlock } from './block.js';
import { NOPROP_SCHEDULES, type NoPropSchedule, type NoPropScheduleName, noPropSchedule } from './schedule.js';

export const NOPROP_EMBEDDINGS = ['learned', 'onehot'] as const;
export type NoPropEmbedding = (typeof NOPROP_EMBEDDINGS)[number];

export interface NoPropModelOptions {
  /** T, the number of blocks (the paper: 10; default 10). */
  numBlocks?: number;
  /** Noise schedule (default 'cosine', the paper's). */
  schedule?: NoPropScheduleName;
  /** Class embeddings W_embed (default 'learned'). */
  embedding?: NoPropEmbedding;
  /** d, the embedding size (default numClasses; 'onehot' requires numClasses). */
  embeddingDim?: number;
  /** Block width (default 256). */
  width?: number;
  /** Hidden sizes of each block's image branch (default [256]). */
  imageHidden?: readonly number[];
  /** Dropout in each block's image branch (default 0). */
  dropout?: number;
  dtype?: FloatDType;
  /** Generator for the initial weights of W_embed (the layers use the default generator). */
  generator?: Generator;
}

/**
 * NoProp-DT's model: blocks û_θ1..û_θT, W_embed [numClasses, embeddingDim] and the classifier.
 * @example const model = new nn.NoPropModel(784, 10, { numBlocks: 10, width: 128 });
 */
export class NoPropModel extends Module {
  readonly inFeatures: number;
  readonly numClasses: number;
  readonly numBlocks: number;
  readonly embeddingDim: number;
  readonly embedding: NoPropEmbedding;
  readonly schedule: NoPropSchedule;
  blocks: ModuleList;
  /** W_embed: row y is u_y. Not trainable for 'onehot'. */
  embed: Parameter;
  classifier: Linear;

  constructor(inFeatures: number, numClasses: number, opts: NoPropModelOptions = {}) {
    super();
    const where = 'NoPropModel';
    checkOptions(where, opts, ['numBlocks', 'schedule', 'embedding', 'embeddingDim', 'width', 'imageHidden', 'dropout', 'dtype', 'generator']);
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.numClasses = checkInt(where, 'numClasses', numClasses, 2);
    this.numBlocks = checkInt(where, 'numBlocks (T)', opts.numBlocks ?? 10, 1);
    const schedule = opts.schedule ?? 'cosine';
    if (!(NOPROP_SCHEDULES as readonly string[]).includes(schedule)) {
      throw new ValueError(`${where}: schedule must be one of ${NOPROP_SCHEDULES.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(schedule)}`, 'INVALID_ARGUMENT');
    }
    this.schedule = noPropSchedule(this.numBlocks, schedule);
    const embedding = opts.embedding ?? 'learned';
    if (!(NOPROP_EMBEDDINGS as readonly string[]).includes(embedding)) {
      throw new ValueError(`${where}: embedding must be one of ${NOPROP_EMBEDDINGS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(embedding)}`, 'INVALID_ARGUMENT');
    }
    this.embedding = embedding;
    this.embeddingDim = checkInt(where, 'embeddingDim', opts.embeddingDim ?? numClasses, 1);
    if (embedding === 'onehot' && this.embeddingDim !== numClasses) {
      throw new ValueError(`${where}: embedding 'onehot' needs embeddingDim = numClasses (${numClasses}), got ${this.embeddingDim}`, 'INVALID_ARGUMENT');
    }
    const dtype = paramDType(where, opts.dtype);
    const blockOpts = { dtype, ...(opts.width === undefined ? {} : { width: opts.width }), ...(opts.imageHidden === undefined ? {} : { imageHidden: opts.imageHidden }), ...(opts.dropout === undefined ? {} : { dropout: opts.dropout }) };
    this.blocks = new ModuleList(Array.from({ length: this.numBlocks }, () => new NoPropBlock(this.inFeatures, numClasses, this.embeddingDim, blockOpts)));
    this.embed = embedding === 'onehot'
      ? new Parameter(eye(numClasses, numClasses, { dtype }), false)
      : new Parameter(init.orthogonal(empty([numClasses, this.embeddingDim], { dtype }), { generator: opts.generator }));
    this.classifier = new Linear(this.embeddingDim, numClasses, { dtype });
  }

  /** Block t (1-based, as in the paper). */
  block(t: number): NoPropBlock {
    if (!Number.isInteger(t) || t < 1 || t > this.numBlocks) throw new ValueError(`NoPropModel.block: t must be an integer in [1, ${this.numBlocks}], got ${t}`, 'INDEX_OUT_OF_RANGE');
    return this.blocks.at(t - 1) as NoPropBlock;
  }

  /** Logits [N, numClasses] from the deterministic chain (z_0 = 0, no injected noise). */
  forward(x: Tensor): Tensor {
    return this.chain(x, null);
  }

  /** Logits from the stochastic chain of the paper: z_0 ~ N(0, I) and noise sqrt(c_t) ε_t at every step. */
  sample(x: Tensor, opts: { generator?: Generator } = {}): Tensor {
    checkOptions('NoPropModel.sample', opts, ['generator']);
    return this.chain(x, opts.generator ?? null);
  }

  /** z_T of the chain: stochastic with `generator` (undefined: the default generator), deterministic with null. */
  chainLatent(x: Tensor, generator: Generator | null | undefined): Tensor {
    const where = `NoPropModel(${this.inFeatures}, ${this.numClasses})`;
    checkTrailing(where, x, [this.inFeatures]);
    if (x.rank !== 2) throw new ShapeError(`${where}: input must be [N, ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    const n = x.shape[0]!;
    const shape = [n, this.embeddingDim];
    const dtype = this.embed.dtype as FloatDType;
    const noisy = generator !== null;
    const gen = generator ?? undefined;
    let z = noisy ? randn(shape, { dtype, generator: gen }) : zeros(shape, { dtype });
    const { a, b, c } = this.schedule;
    for (let t = 1; t <= this.numBlocks; t++) {
      const u = this.block(t).forward(x, z, this.embed);
      let next = add(mul(u, a[t]!), mul(z, b[t]!));
      if (noisy && c[t]! > 0) next = add(next, mul(randn(shape, { dtype, generator: gen }), Math.sqrt(c[t]!)));
      z = next;
    }
    return z;
  }

  private chain(x: Tensor, generator: Generator | null): Tensor {
    return this.classifier.forward(this.chainLatent(x, generator));
  }

  override getConfig(): ModuleConfig {
    const b = this.block(1);
    return {
      type: 'NoPropModel', inFeatures: this.inFeatures, numClasses: this.numClasses, numBlocks: this.numBlocks,
      schedule: this.schedule.name, embedding: this.embedding, embeddingDim: this.embeddingDim,
      width: b.width, imageHidden: [...b.imageHidden], dropout: b.dropout, dtype: this.embed.dtype,
    };
  }
}

registerModule('NoPropModel', (c) => new NoPropModel(c.int('inFeatures'), c.int('numClasses'), {
  numBlocks: c.int('numBlocks', 10), schedule: c.oneOf('schedule', NOPROP_SCHEDULES, 'cosine'), embedding: c.oneOf('embedding', NOPROP_EMBEDDINGS, 'learned'),
  embeddingDim: c.int('embeddingDim', c.int('numClasses')), width: c.int('width', 256), imageHidden: c.ints('imageHidden'),
  dropout: c.number('dropout', 0), dtype: c.dtype(),
}));

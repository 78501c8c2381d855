/**
 * @file Forward-Forward (Hinton 2022, https://arxiv.org/abs/2212.13345) and its collaborative
 * variant (Lorberbom et al. 2023, https://arxiv.org/abs/2305.12393) on the hidden layers of an nn.MLP.
 *
 * Update rule, hidden layer i (n(v) = v / (||v||_2 + 1e-4) per sample, the length normalisation
 * between layers; sg = stop-gradient; theta = threshold):
 *   a_i = f_i(n(sg(a_{i-1})))                 on positive and negative data at once
 *   g_i = sum_j a_ij^2   (goodness 'sum'; 'mean' divides by the width)
 *   FF:  s_i = g_i - theta
 *   CFF: s_i = (g_i - theta) + sum_{j != i} sg(g_j - theta)   (the other layers' goodness, from a
 *        first no-grad pass of the same batch, enters each layer's probability p = sigmoid(s))
 *   L_i = 1/2 mean_n [ softplus(-s_i(pos_n)) + softplus(s_i(neg_n)) ]   (-log p on positives, -log(1-p) on negatives)
 * Layers are updated one after the other on one forward pass of the batch (local.ts).
 *
 * Data: supervised (default), positives are x with the true label overlaid on the first C features
 * (value `overlayValue`), negatives x with a wrong label drawn uniformly; unsupervised, positives are
 * x and negatives hybrid images (ff-data.ts; `imageWidth` gives the image rows, default square).
 * Prediction (`predict`, used by fit's validation and evaluate({ algorithm })):
 * - 'goodness' (supervised only): class scores = total goodness over all layers with each label
 *   overlaid, argmax = the label with the most goodness (C passes);
 * - 'head': the MLP's output Linear, trained by cross-entropy on the detached, normalised last hidden
 *   activity of the neutral input (every label slot overlayValue / C; unsupervised: x itself).
 * So `model.forward` is NOT the prediction of an FF-trained MLP (it lacks the normalisation and the
 * overlay); predict with `algorithm.predict(model, x)`. With 'goodness' the output Linear is unused.
 * Logged: loss = mean of the layers' losses; train metrics only with 'head' (goodness prediction on
 * the training batches would cost C extra passes). Options: threshold, goodness, collaborative,
 * mode, prediction, overlayValue, imageWidth, seed (negatives).
 * Shape contract: x [N, F] float (F >= C when supervised), y [N] int32; the model an MLP [F, ..., C].
 */
import { Generator } from '../../core/rng.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { scope } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import type { Batch } from '../../data/dataset.js';
import type { MLP } from '../../nn/mlp.js';
import type { Module } from '../../nn/module.js';
import { crossEntropy, softplus } from '../../ops/composite/index.js';
import { add, concat, div, mean, mul, neg, sqrt, stack, sub, sum, sliceAxis } from '../../ops/index.js';
import { type AlgorithmStateDict, type StepMetrics, type TrainContext, type TrainingAlgorithm, batchMetrics } from '../algorithm.js';
import type { NonFiniteCulprit } from '../errors.js';
import { hybridImages, labelsOf, overlay, wrongLabels } from './ff-data.js';
import { type NamedParam, asMlp, blockParams, checkClassification, checkFirstOrder, hiddenBlock, hiddenCount, localUpdate, mlpProblem, outputLayer } from './local.js';
import { epochSchedule } from './mono-forward.js';
import { type AlgorithmOptionsSpec, resolveAlgorithmOptions } from './options.js';

export const FORWARD_FORWARD_OPTIONS: AlgorithmOptionsSpec = {
  threshold: { kind: 'number', gt: 0, default: 2, doc: 'goodness threshold theta' },
  goodness: { kind: 'enum', values: ['sum', 'mean'], default: 'sum', doc: 'sum or mean of the squared activities' },
  collaborative: { kind: 'boolean', default: false, doc: "collaborative FF: each layer's probability adds the other layers' stop-gradient goodness" },
  mode: { kind: 'enum', values: ['supervised', 'unsupervised'], default: 'supervised', doc: 'label overlay with wrong-label negatives, or hybrid-image negatives' },
  prediction: { kind: 'enum', values: ['goodness', 'head'], default: 'goodness', doc: 'argmax of goodness over the labels, or the output Linear on the last hidden activity' },
  overlayValue: { kind: 'number', gt: 0, default: 1, doc: "value written in the label's slot of the input" },
  imageWidth: { kind: 'integer', min: 0, default: 0, doc: 'unsupervised: image width for the hybrid masks (0: square images)' },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, default: 0, doc: 'seed of the negatives' },
};

export interface ForwardForwardOptions {
  threshold?: number;
  goodness?: 'sum' | 'mean';
  collaborative?: boolean;
  mode?: 'supervised' | 'unsupervised';
  prediction?: 'goodness' | 'head';
  overlayValue?: number;
  imageWidth?: number;
  seed?: number;
}

export interface ForwardForwardState {
  ctx: TrainContext;
  mlp: MLP;
  generator: Generator;
  groups: NamedParam[][];
  outputGroup: NamedParam[];
}

const NAME = 'forward-forward';
const NORM_EPS = 1e-4;

/** Goodness per sample of activities a [N, H]: sum (or mean) of squares over the last axis. */
export function goodness(a: Tensor, kind: 'sum' | 'mean' = 'sum'): Tensor {
  const g = sum(mul(a, a), -1);
  return kind === 'mean' ? div(g, a.shape[a.rank - 1]!) : g;
}

/** n(v) = v / (||v||_2 + 1e-4) per row: the length normalisation between FF layers. */
export function lengthNormalize(h: Tensor): Tensor {
  return div(h, add(sqrt(sum(mul(h, h), -1, { keepDims: true })), NORM_EPS));
}

/** The FF layer loss 1/2 mean[softplus(-s(pos)) + softplus(s(neg))] from the logits s = g - theta (+ others). */
export function forwardForwardLoss(sPos: Tensor, sNeg: Tensor): Tensor {
  return mul(add(mean(softplus(neg(sPos))), mean(softplus(sNeg))), 0.5);
}

/**
 * @example await fit(model, data, { optimizer, algorithm: new ForwardForward({ threshold: 2 }), validation })
 */
export class ForwardForward implements TrainingAlgorithm<ForwardForwardState> {
  readonly name = NAME;
  readonly options: Required<ForwardForwardOptions>;

  constructor(options: ForwardForwardOptions = {}) {
    this.options = resolveAlgorithmOptions('ForwardForward', FORWARD_FORWARD_OPTIONS, options);
    if (this.options.mode === 'unsupervised' && this.options.prediction === 'goodness') {
      throw new ValueError("ForwardForward: option 'prediction' must be 'head' in unsupervised mode (goodness prediction needs the label overlay), got 'goodness'", 'INVALID_ALGORITHM_OPTION');
    }
  }

  appliesTo(model: Module): string | null {
    const p = mlpProblem(model, NAME);
    if (p !== null) return p;
    const mlp = model as MLP;
    if (hiddenCount(mlp) === 0) return `${NAME} trains hidden layers; the MLP [${mlp.sizes.join(', ')}] has none`;
    const classes = mlp.sizes[mlp.sizes.length - 1]!;
    if (this.options.mode === 'supervised' && mlp.sizes[0]! < classes) return `${NAME} overlays the label on the first ${classes} input features; the MLP has only ${mlp.sizes[0]} inputs`;
    if (this.options.mode === 'unsupervised') {
      const w = this.imageWidth(mlp.sizes[0]!);
      if (w === null) return `${NAME}: option 'imageWidth' ${this.options.imageWidth} must divide the ${mlp.sizes[0]} input features (0: a square image)`;
    }
    return null;
  }

  private imageWidth(features: number): number | null {
    const w = this.options.imageWidth === 0 ? Math.round(Math.sqrt(features)) : this.options.imageWidth;
    return w > 0 && features % w === 0 && (this.options.imageWidth !== 0 || w * w === features) ? w : null;
  }

  init(model: Module, ctx: TrainContext): ForwardForwardState {
    const mlp = asMlp(model, NAME);
    const problem = this.appliesTo(model);
    if (problem !== null) throw new ValueError(`fit: ${problem}`, 'ALGORITHM_NOT_APPLICABLE');
    checkFirstOrder(ctx, NAME);
    checkClassification(ctx, NAME);
    const k = hiddenCount(mlp);
    const groups = Array.from({ length: k }, (_, i) => blockParams(mlp, i));
    const outputGroup = mlp.namedParameters().filter(([n]) => n.startsWith(`layers.${k}.`)) as NamedParam[];
    return { ctx, mlp, generator: new Generator(this.options.seed), groups, outputGroup };
  }

  private classes(mlp: MLP): number {
    return mlp.sizes[mlp.sizes.length - 1]!;
  }

  /** Positives and negatives of a batch, stacked [2N, F]. */
  private contrastive(mlp: MLP, x: Tensor, y: Tensor, g: Generator): Tensor {
    const c = this.classes(mlp);
    if (this.options.mode === 'unsupervised') return concat([x, hybridImages(x, this.imageWidth(mlp.sizes[0]!)!, g)], 0);
    const labels = labelsOf(y, c, NAME);
    return concat([overlay(x, labels, c, this.options.overlayValue), overlay(x, wrongLabels(labels, c, g), c, this.options.overlayValue)], 0);
  }

  /** The neutral input of one-pass prediction. */
  private neutral(mlp: MLP, x: Tensor): Tensor {
    if (this.options.mode === 'unsupervised') return x;
    return overlay(x, new Int32Array(x.shape[0]!).fill(-1), this.classes(mlp), this.options.overlayValue);
  }

  step(_model: Module, batch: Batch, state: ForwardForwardState): StepMetrics {
    const { ctx, mlp } = state;
    const [x, y] = batch;
    const n = x.shape[0]!;
    const theta = this.options.threshold;
    const kind = this.options.goodness;
    const k = state.groups.length;
    const both = this.contrastive(mlp, x, y, state.generator);
    // CFF needs every layer's goodness before any layer's update: a first pass without autograd.
    const others = this.options.collaborative ? noGrad(() => {
      const gs: Tensor[] = [];
      let h = both;
      for (let i = 0; i < k; i++) {
        h = hiddenBlock(mlp, i, lengthNormalize(h));
        gs.push(sub(goodness(h, kind), theta));
      }
      return gs;
    }) : null;
    let culprit: NonFiniteCulprit | null | undefined;
    let total = 0;
    let gradNorm: number | undefined;
    let h = both;
    for (let i = 0; i < k && culprit === undefined; i++) {
      h = scope(() => {
        const a = hiddenBlock(mlp, i, lengthNormalize(h));
        let s = sub(goodness(a, kind), theta);
        if (others) for (let j = 0; j < k; j++) if (j !== i) s = add(s, others[j]!);
        const u = localUpdate(forwardForwardLoss(sliceAxis(s, 0, 0, n), sliceAxis(s, 0, n, 2 * n)), state.groups[i]!, ctx, null);
        total += u.loss;
        if (u.culprit !== undefined) culprit = u.culprit;
        if (u.gradNorm !== undefined) gradNorm = Math.max(gradNorm ?? 0, u.gradNorm);
        return a.detach();
      });
    }
    let metrics = {};
    if (culprit === undefined && this.options.prediction === 'head') {
      scope(() => {
        // Unsupervised positives are x itself: the first half of the last pass is the neutral activity.
        const last = this.options.mode === 'unsupervised' ? sliceAxis(h, 0, 0, n) : noGrad(() => this.trunk(mlp, this.neutral(mlp, x)));
        const logits = outputLayer(mlp).forward(lengthNormalize(last));
        metrics = batchMetrics(ctx.metrics, logits, y);
        const u = localUpdate(crossEntropy(logits, y), state.outputGroup, ctx, null);
        if (u.culprit !== undefined) culprit = u.culprit;
      });
    }
    if (culprit === undefined && ctx.scheduler && ctx.schedulerInterval === 'batch') ctx.scheduler.step();
    const loss = total / k;
    const base: StepMetrics = { loss, batchSize: n, metrics, ...(gradNorm === undefined ? {} : { gradNorm }) };
    return culprit === undefined ? base : { ...base, loss: Number.isFinite(loss) ? NaN : loss, nonFinite: { culprit } };
  }

  /** The last hidden activity of `input` (normalisation between layers). */
  private trunk(mlp: MLP, input: Tensor): Tensor {
    let h = input;
    for (let i = 0; i < hiddenCount(mlp); i++) h = hiddenBlock(mlp, i, lengthNormalize(h));
    return h;
  }

  onEpochEnd(_model: Module, state: ForwardForwardState, info: { logs: Readonly<Record<string, number>> }): void {
    epochSchedule(state.ctx, info.logs);
  }

  /** Class scores [N, C]: total goodness per overlaid label ('goodness'), or the head's logits ('head'). */
  predict(model: Module, x: Tensor): Tensor {
    const mlp = asMlp(model, NAME);
    if (x.rank !== 2 || x.shape[1] !== mlp.sizes[0]) throw new ValueError(`ForwardForward.predict: expected x [N, ${mlp.sizes[0]}], got [${x.shape.join(', ')}]`, 'SHAPE_MISMATCH');
    return noGrad(() => scope(() => {
      if (this.options.prediction === 'head') return outputLayer(mlp).forward(lengthNormalize(this.trunk(mlp, this.neutral(mlp, x))));
      const c = this.classes(mlp);
      const n = x.shape[0]!;
      const scores: Tensor[] = [];
      for (let l = 0; l < c; l++) {
        let h = overlay(x, new Int32Array(n).fill(l), c, this.options.overlayValue);
        let g: Tensor | null = null;
        for (let i = 0; i < hiddenCount(mlp); i++) {
          h = hiddenBlock(mlp, i, lengthNormalize(h));
          const gi = goodness(h, this.options.goodness);
          g = g === null ? gi : add(g, gi);
        }
        scores.push(g!);
      }
      return stack(scores, 1);
    }));
  }

  stateDict(state: ForwardForwardState): AlgorithmStateDict {
    return { algorithm: NAME, tensors: {}, meta: { generator: state.generator.getState() } };
  }

  loadStateDict(state: ForwardForwardState, sd: AlgorithmStateDict): void {
    const bad = (msg: string): never => { throw new ValueError(`ForwardForward.loadStateDict: ${msg}`, 'INVALID_STATE_DICT'); };
    if (sd?.algorithm !== NAME) bad(`the state is of algorithm '${String(sd?.algorithm)}', not '${NAME}'`);
    const g = (sd.meta as { generator?: unknown } | null)?.generator;
    const u32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
    if (!(Array.isArray(g) && g.length === 4 && g.every(u32))) bad('meta.generator must be four uint32 values');
    if (Object.keys(sd.tensors).length > 0) bad(`unexpected tensors ${Object.keys(sd.tensors).join(', ')}`);
    state.generator.setState(g as number[]);
  }
}

/** `new ForwardForward(options)`. */
export function forwardForward(options: ForwardForwardOptions = {}): ForwardForward {
  return new ForwardForward(options);
}

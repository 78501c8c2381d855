/**
 * @file `evaluate` (loss and metrics over a dataset) and `predict` (outputs for inputs), both in
 * eval mode (Dropout off, BatchNorm on running statistics) without recording autograd, one batch
 * per `scope` so intermediates are freed as they go. The model's previous mode is restored.
 */
import { ValueError } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import { scope } from '../core/memory.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { TrainingAlgorithm } from './algorithm.js';
import { concat, slice } from '../ops/primitives/index.js';
import { type DataSource, checkBatch, toBatches } from './data-source.js';
import { type LossFn, type LossName, resolveLoss } from './losses.js';
import { type Metric, MeanTracker, resolveMetric } from './metrics.js';

export interface EvaluateOptions {
  /** Default 'crossEntropy'. */
  loss?: LossName | LossFn;
  /** Default ['accuracy'] for 'crossEntropy' and 'bce', else none. */
  metrics?: readonly (string | Metric)[];
  /** For {x, y} data (default 256). */
  batchSize?: number;
  /** Predict through this algorithm's `predict` hook when it has one (Forward-Forward), else model.forward. */
  algorithm?: Pick<TrainingAlgorithm<unknown>, 'predict'>;
}

/** Loss and metrics averaged over samples: { loss, accuracy, ... }. */
export type EvalResult = { loss: number } & Record<string, number>;

/** Metrics of a run: the given ones, or accuracy for the classification losses. */
export function defaultMetrics(loss: LossName | LossFn, metrics: readonly (string | Metric)[] | undefined): Metric[] {
  const list = metrics ?? (loss === 'crossEntropy' || loss === 'bce' ? ['accuracy'] : []);
  // Binary accuracy thresholds logits at 0 for bce, outputs at 0.5 otherwise (regression to 0/1).
  return list.map((m) => resolveMetric(m, { threshold: loss === 'bce' ? 0 : 0.5 }));
}

/** Runs `fn` with the model in eval mode and without autograd, then restores each module's mode. */
function inEvalMode<R>(model: Module, fn: () => R): R {
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

/**
 * @example const { loss, accuracy } = evaluate(model, test, { loss: 'crossEntropy' });
 */
export function evaluate(model: Module, data: DataSource, opts: EvaluateOptions = {}): EvalResult {
  const lossName = opts.loss ?? 'crossEntropy';
  const lossFn = resolveLoss(lossName);
  const metrics = defaultMetrics(lossName, opts.metrics);
  const batches = toBatches(data, { batchSize: opts.batchSize ?? 256, shuffle: false }, 'evaluate');
  const tracker = new MeanTracker();
  const algo = opts.algorithm;
  const forward = algo?.predict ? (x: Tensor): Tensor => algo.predict!(model, x) : (x: Tensor): Tensor => model.forward(x);
  inEvalMode(model, () => {
    const it = batches[Symbol.iterator]();
    // it.next() runs inside the scope: the batch tensors it makes are freed with the step's.
    for (let i = 0; ; i++) {
      const done = scope(() => {
        const next = it.next();
        if (next.done) return true;
        const [x, y] = checkBatch(next.value, 'evaluate', i);
        const pred = forward(x);
        const n = x.rank === 0 ? 1 : x.shape[0]!;
        tracker.add('loss', { sum: lossFn(pred, y).item() * n, count: n });
        for (const m of metrics) tracker.add(m.name, m.batch(pred, y));
        return false;
      });
      if (done) break;
    }
  });
  const out = tracker.means();
  if (!Object.hasOwn(out, 'loss')) throw new ValueError('evaluate: the data yielded no batch', 'EMPTY_DATASET');
  return out as EvalResult;
}

/**
 * The model's outputs for `x` (first dimension = sample), computed `batchSize` rows at a time.
 * @example const logits = predict(model, test.x); const labels = logits.argmax(1);
 */
export function predict(model: Module, x: Tensor, opts: { batchSize?: number } = {}): Tensor {
  const bs = opts.batchSize ?? 256;
  if (!(Number.isInteger(bs) && bs >= 1)) throw new ValueError(`predict: batchSize must be a positive integer, got ${bs}`, 'INVALID_BATCH_SIZE');
  if (x.rank === 0) throw new ValueError('predict: x needs a sample dimension', 'INVALID_DATA');
  const n = x.shape[0]!;
  return inEvalMode(model, () => {
    if (n <= bs) return model.forward(x);
    const outs: Tensor[] = [];
    for (let s = 0; s < n; s += bs) outs.push(scope(() => model.forward(slice(x, [[s, Math.min(n, s + bs)]]))));
    const out = concat(outs, 0);
    for (const o of outs) o.dispose();
    return out;
  });
}

/**
 * @file Backpropagation (Rumelhart, Hinton & Williams 1986, https://doi.org/10.1038/323533a0) as a
 * `TrainingAlgorithm`: forward, loss, backward, optional global-norm clipping, optimizer step, and
 * the learning-rate schedule per batch or per epoch.
 * Shape contract: batch [x, y] with the sample as dim 0; `model.forward(x)` and `y` must suit the loss.
 */
import type { Batch } from '../../data/dataset.js';
import type { Module, Parameter } from '../../nn/module.js';
import { clipGradNorm } from '../../optim/clip.js';
import { ReduceLROnPlateau } from '../../optim/reduce-lr-on-plateau.js';
import { type EpochInfo, type StepMetrics, type TrainContext, type TrainingAlgorithm, batchMetrics } from '../algorithm.js';
import { nonFiniteGradient, nonFiniteParameter } from '../guard.js';

export interface BackpropState {
  ctx: TrainContext;
  params: Parameter[];
  /** namedParameters(), cached: the guard reads it every step. */
  named: [string, Parameter][];
}

/**
 * Clears every gradient backward may have written: the model's parameters (also those the optimizer
 * does not update, whose gradients would otherwise pile up) and the optimizer's (which may hold more).
 */
function clearGrads(state: BackpropState): void {
  for (const p of state.params) p.grad = null;
  state.ctx.optimizer.zeroGrad();
}

/**
 * Plain gradient descent through the chosen optimizer.
 * @example await fit(model, data, { optimizer, loss: 'crossEntropy', algorithm: new Backprop() })
 */
export class Backprop implements TrainingAlgorithm<BackpropState> {
  readonly name = 'backprop';

  init(model: Module, ctx: TrainContext): BackpropState {
    const named = model.namedParameters();
    return { ctx, params: named.map(([, p]) => p), named };
  }

  step(model: Module, batch: Batch, state: BackpropState): StepMetrics {
    const { ctx } = state;
    const [x, y] = batch;
    // Gradients left over from user code would otherwise be added to this step's.
    clearGrads(state);
    const pred = model.forward(x);
    const lossT = ctx.loss(pred, y);
    const loss = lossT.item();
    const base = { loss, batchSize: x.rank === 0 ? 1 : x.shape[0]!, metrics: batchMetrics(ctx.metrics, pred, y) };
    if (!Number.isFinite(loss)) {
      // Name the cause: weights already broken, else run backward (not applied) to find the gradient.
      let culprit = nonFiniteParameter(state.named);
      if (culprit === null && lossT.requiresGrad) {
        lossT.backward();
        culprit = nonFiniteGradient(state.named);
      }
      clearGrads(state);
      return { ...base, nonFinite: { culprit } };
    }
    lossT.backward();
    // A finite loss can still give an Inf gradient (overflow in backward); never apply it.
    const badGrad = nonFiniteGradient(state.named);
    if (badGrad !== null) {
      clearGrads(state);
      return { ...base, nonFinite: { culprit: badGrad } };
    }
    const gradNorm = ctx.clipGradNorm === undefined ? undefined : clipGradNorm(state.params, ctx.clipGradNorm);
    ctx.optimizer.step();
    clearGrads(state);
    if (ctx.scheduler && ctx.schedulerInterval === 'batch') ctx.scheduler.step();
    return gradNorm === undefined ? base : { ...base, gradNorm };
  }

  onEpochEnd(_model: Module, state: BackpropState, info: EpochInfo): void {
    const { scheduler, schedulerInterval } = state.ctx;
    if (!scheduler || schedulerInterval !== 'epoch') return;
    // ReduceLROnPlateau reacts to a value: the validation loss when there is one, else the train loss.
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(info.logs.valLoss ?? info.logs.loss!);
    else scheduler.step();
  }
}

/** The default algorithm of `fit`. */
export function backprop(): Backprop {
  return new Backprop();
}

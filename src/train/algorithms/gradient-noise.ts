/**
 * @file Backprop with annealed gradient noise (Neelakantan et al. 2015, "Adding Gradient Noise
 * Improves Learning for Very Deep Networks", https://arxiv.org/abs/1511.06807) as a
 * `TrainingAlgorithm`, so `fit` (and later the CLI's --algorithm) can run it over any optimizer:
 *
 *   g_t <- clip(g_t) + N(0, eta / (1 + t)^gamma),   then the optimizer's own update,
 *
 * t the step count from 0; the formula is the variance. It is Backprop with fit's optimizer wrapped
 * in `optim.GradientNoise` (see that file for the details); fit's `clipGradNorm` runs before the
 * noise (so the injected variance is exactly the scheduled one). Options: eta (> 0, required), gamma (>= 0, default 0.55), seed (default 0).
 */
import type { Batch } from '../../data/dataset.js';
import type { Module } from '../../nn/module.js';
import { GradientNoise, type GradientNoiseOptions, parseGradientNoiseOptions } from '../../optim/gradient-noise.js';
import type { EpochInfo, StepMetrics, TrainContext, TrainingAlgorithm } from '../algorithm.js';
import { Backprop, type BackpropState } from './backprop.js';

/** The options as declared data for the algorithm registry (AlgorithmOptionsSpec's shape). */
export const GRADIENT_NOISE_OPTIONS = {
  eta: { kind: 'number', gt: 0, default: 0.01, doc: 'noise variance at step 0 (the paper: 0.01, 0.3 or 1)' },
  gamma: { kind: 'number', min: 0, default: 0.55, doc: 'decay exponent: variance eta / (1 + t)^gamma' },
  seed: { kind: 'integer', min: 0, max: 2 ** 32 - 1, default: 0, doc: 'seed of the noise' },
} as const;

/** A NoisyBackprop from resolved registry options (GRADIENT_NOISE_OPTIONS). */
export function createNoisyBackprop(o: Record<string, unknown>): NoisyBackprop {
  return new NoisyBackprop({ eta: o.eta as number, gamma: o.gamma as number, seed: o.seed as number });
}

/**
 * @example await fit(model, data, { optimizer, clipGradNorm: 1, algorithm: new NoisyBackprop({ eta: 0.01 }) })
 */
export class NoisyBackprop implements TrainingAlgorithm<BackpropState> {
  readonly name = 'gradient-noise';
  readonly options: Required<GradientNoiseOptions>;
  private readonly backprop = new Backprop();

  constructor(options: GradientNoiseOptions) {
    // Validated here, so a bad option fails before fit starts.
    this.options = parseGradientNoiseOptions(options);
  }

  init(model: Module, ctx: TrainContext): BackpropState {
    return this.backprop.init(model, { ...ctx, optimizer: new GradientNoise(ctx.optimizer, this.options) });
  }

  step(model: Module, batch: Batch, state: BackpropState): StepMetrics {
    return this.backprop.step(model, batch, state);
  }

  onEpochEnd(model: Module, state: BackpropState, info: EpochInfo): void {
    this.backprop.onEpochEnd(model, state, info);
  }
}

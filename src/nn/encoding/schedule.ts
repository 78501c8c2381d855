/**
 * @file Coarse-to-fine frequency schedules for `FourierFeatures.setFrequencyMask`, in the manner of
 * SAPE (Hertz et al. 2021, "SAPE: Spatially-Adaptive Progressive Encoding for Neural Optimization",
 * https://arxiv.org/abs/2104.09125): frequencies are ordered by magnitude and opened one after the
 * other as training advances, so the network fits the coarse structure before the fine detail.
 * A schedule is a plain function of the step, returning the mask (one weight per frequency); the
 * fit callback that applies it each step is `train.FrequencySchedule`. SAPE's spatial feedback loop
 * (a mask per point, advanced where the local error stays high) fits the same interface: a schedule
 * may return a tensor [N, m], a mask per input point.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import type { FourierFeatures } from './fourier.js';

/** step -> mask: m weights in [0, 1], or a tensor broadcasting against the encoding's [..., m]. */
export type FrequencyScheduleFn = (step: number) => number[] | Tensor;

export const RAMP_KINDS = ['linear', 'cosine'] as const;

export interface CoarseToFineOptions {
  /** Step at which every frequency is fully open (> 0). */
  steps: number;
  /** Frequencies open from the start (default 1: the lowest one; at least 0). */
  initial?: number;
  /** How one frequency's weight goes from 0 to 1: 'linear' (SAPE) or 'cosine' (BARF's (1 - cos(pi a)) / 2). Default 'linear'. */
  ramp?: (typeof RAMP_KINDS)[number];
}

/**
 * A progressive schedule for `encoding`: its L distinct frequency magnitudes |B_j| ascending (the rows
 * of one positional band share one, so a band opens all its coordinates together), the i-th weighted
 * ramp(clamp(alpha - i + initial, 0, 1)) at alpha = step / steps * (L - initial).
 * @example const schedule = nn.encoding.coarseToFine(enc, { steps: 500 }); enc.setFrequencyMask(schedule(0));
 */
export function coarseToFine(encoding: FourierFeatures, opts: CoarseToFineOptions): (step: number) => number[] {
  checkOptions('coarseToFine', opts, ['steps', 'initial', 'ramp']);
  const { steps } = opts;
  if (typeof steps !== 'number' || !Number.isFinite(steps) || steps <= 0) throw new ValueError(`coarseToFine: steps must be a finite number > 0, got ${String(steps)}`);
  const norms = encoding.frequencyNorms();
  // Levels: the distinct magnitudes, ascending; a positional band's rows share one (and one weight).
  const distinct = [...new Set(norms)].sort((a, b) => a - b);
  const level = norms.map((v) => distinct.indexOf(v));
  const count = distinct.length;
  const initial = opts.initial ?? 1;
  if (!Number.isInteger(initial) || initial < 0 || initial > count) throw new ValueError(`coarseToFine: initial must be an integer in [0, ${count}] (the distinct frequency magnitudes), got ${String(initial)}`);
  const ramp = checkEnum('coarseToFine', 'ramp', opts.ramp ?? 'linear', RAMP_KINDS);
  return (step: number) => {
    if (typeof step !== 'number' || !Number.isFinite(step)) throw new ValueError(`coarseToFine schedule: step must be a finite number, got ${String(step)}`);
    const alpha = (Math.min(Math.max(step, 0), steps) / steps) * (count - initial);
    return level.map((r) => {
      const a = Math.min(Math.max(alpha - r + initial, 0), 1);
      return ramp === 'linear' ? a : (1 - Math.cos(Math.PI * a)) / 2;
    });
  };
}

/**
 * @file The learning-rate schedule registry: every schedule that can be picked by name, listed
 * once, with its constructor, the options it requires and those it accepts, and whether it is
 * stepped per batch (OneCycleLR, warm-up) or per epoch. LambdaLR is left out on purpose: its
 * argument is a function, which no config can carry. Plain data, no file system.
 */
import type { BaseHyper, Optimizer } from './optimizer.js';
import { CosineAnnealingLR, CosineWarmupLR, ExponentialLR, LinearLR, MultiStepLR, StepLR } from './lr-scheduler.js';
import { OneCycleLR } from './one-cycle-lr.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';

export interface ScheduleEntry {
  /** The config name (the class name, as PyTorch's). */
  readonly name: string;
  readonly ctor: new (optimizer: Optimizer<BaseHyper>, options: never) => unknown;
  /** Options it requires (OneCycleLR: totalSteps, or epochs and stepsPerEpoch instead). */
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** When fit should step it (its `schedulerInterval`). */
  readonly interval: 'batch' | 'epoch';
}

/** Every named schedule. */
export const SCHEDULES: readonly ScheduleEntry[] = [
  { name: 'StepLR', ctor: StepLR, required: ['stepSize'], optional: ['gamma'], interval: 'epoch' },
  { name: 'MultiStepLR', ctor: MultiStepLR, required: ['milestones'], optional: ['gamma'], interval: 'epoch' },
  { name: 'ExponentialLR', ctor: ExponentialLR, required: ['gamma'], optional: [], interval: 'epoch' },
  { name: 'CosineAnnealingLR', ctor: CosineAnnealingLR, required: ['tMax'], optional: ['etaMin'], interval: 'epoch' },
  { name: 'CosineWarmupLR', ctor: CosineWarmupLR, required: ['warmupSteps', 'totalSteps'], optional: ['etaMin'], interval: 'batch' },
  { name: 'LinearLR', ctor: LinearLR, required: [], optional: ['startFactor', 'endFactor', 'totalIters'], interval: 'epoch' },
  { name: 'OneCycleLR', ctor: OneCycleLR, required: ['maxLr', 'totalSteps'], optional: [], interval: 'batch' },
  { name: 'ReduceLROnPlateau', ctor: ReduceLROnPlateau, required: [], optional: [], interval: 'epoch' },
];

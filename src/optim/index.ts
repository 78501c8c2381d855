/**
 * @file Optimizers, gradient clipping and learning-rate schedules (`px.optim`), following
 * `torch.optim` with camelCase names.
 */
export {
  Optimizer, mutateAll, stateBuffer, advanceStep,
  type BaseHyper, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerSpec, type StepItem,
} from './optimizer.js';
export type { OptimizerStateDict, OptimizerStateDictInput, SavedParamGroup } from './optimizer-state.js';
export { SGD, sgdUpdate, type SGDOptions } from './sgd.js';
export { Adam, adamUpdate, type AdamOptions, type AdamBuffers } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { RMSprop, rmspropUpdate, type RMSpropOptions, type RMSpropBuffers } from './rmsprop.js';
export { Adagrad, adagradUpdate, type AdagradOptions } from './adagrad.js';
export { LAMB, lambUpdate, type LAMBOptions } from './lamb.js';
export { LARS, larsUpdate, type LARSOptions } from './lars.js';
export { Layca, laycaUpdate, type LaycaOptions } from './layca.js';
export { clipGradNorm, clipGradValue, NonFiniteGradientError, type ClipGradNormOptions } from './clip.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineWarmupLR, LinearLR, LambdaLR,
  type LRSchedulerStateDict,
} from './lr-scheduler.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduce-lr-on-plateau.js';
export { LBFGS, strongWolfe, cubicInterpolate, type LBFGSOptions } from './lbfgs.js';
export { OPTIMIZERS, optimizerEntry, type OptimizerEntry, type OptionKind } from './registry.js';
export { SCHEDULES, type ScheduleEntry } from './schedule-registry.js';
export { GradientNoise, parseGradientNoiseOptions, type GradientNoiseOptions } from './gradient-noise.js';

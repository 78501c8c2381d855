/**
 * @file The training layer's public surface (exported from the package as `train`; `fit`,
 * `evaluate` and `predict` also at the top level): the fit loop, the algorithm interface with
 * backprop, metrics, losses by name, callbacks, progress output and the guard's errors.
 */
export { fit, type FitOptions, type NanPolicy } from './fit.js';
export { evaluate, predict, defaultMetrics, type EvaluateOptions, type EvalResult } from './evaluate.js';
export {
  type TrainingAlgorithm, type TrainContext, type StepMetrics, type Scheduler, type EpochInfo, type AlgorithmStateDict, batchMetrics,
} from './algorithm.js';
export { Backprop, backprop, type BackpropState } from './algorithms/backprop.js';
export { registerAlgorithm, createAlgorithm, algorithmNames, algorithmEntry, type AlgorithmEntry } from './algorithms/index.js';
export { resolveAlgorithmOptions, describeOption, optionProblem, type AlgorithmOptionSpec, type AlgorithmOptionsSpec } from './algorithms/options.js';
export {
  ForwardForward, forwardForward, goodness, lengthNormalize, forwardForwardLoss, FORWARD_FORWARD_OPTIONS,
  type ForwardForwardOptions, type ForwardForwardState,
} from './algorithms/forward-forward.js';
export { MonoForward, monoForward, MONO_FORWARD_OPTIONS, type MonoForwardOptions, type MonoForwardState } from './algorithms/mono-forward.js';
export {
  NoProp, noProp, noPropLoss, NOPROP_OPTIONS, parseNoPropOptions, type NoPropOptions, type NoPropState, type NoPropStateDict, type NoPropLossTerms,
} from './algorithms/noprop/index.js';
export { accuracy, resolveMetric, MeanTracker, type Metric, type MetricValue, type AccuracyOptions } from './metrics.js';
export { resolveLoss, LOSS_NAMES, type LossFn, type LossName } from './losses.js';
export {
  EarlyStopping, JsonlLogger, ModelCheckpoint, jsonLine,
  type EarlyStoppingOptions, type JsonlLoggerOptions, type ModelCheckpointOptions, type LogTarget, type MonitorMode, type SaveFn,
} from './callbacks.js';
export { History, runHooks, type Callback, type TrainControl, type EpochLogs, type BatchLogs, type StopReason } from './history.js';
export { ProgressBar, formatDuration, formatEpochMetrics, type ProgressOptions, type ProgressStream } from './progress.js';
export { NonFiniteLossError, NonFiniteInputError, type NonFiniteCulprit, type StepPosition } from './errors.js';
export { firstNonFinite, nonFiniteParameter, nonFiniteGradient, nonFiniteSample, type NamedParams, type BadSample } from './guard.js';
export { toBatches, type DataSource, type TensorData } from './data-source.js';
export { psnr } from './psnr.js';
export { FrequencySchedule } from './frequency-schedule.js';
export * as kan from './kan/index.js';
export {
  MultiStageFit, multistage, trainStage, dominantFrequency, parseMultiStageOptions, MULTISTAGE_OPTIONS, multistageAppliesTo, createMultiStageFit,
  type MultiStageFitOptions, type MultiStageFitState, type StageReport,
} from './algorithms/multistage.js';
export { NoisyBackprop, GRADIENT_NOISE_OPTIONS, createNoisyBackprop } from './algorithms/gradient-noise.js';
export { SET, parseSETOptions, SET_OPTIONS, setAppliesTo, createSET, type SETOptions, type SETState } from './algorithms/set.js';

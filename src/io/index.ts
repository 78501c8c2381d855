/**
 * @file The io layer: safetensors read/write, atomic file replacement, model files, checkpoints, and their errors.
 */
export * from './errors.js';
export {
  type SafeDType, type SafetensorsEntry, type SafetensorsFile, type ParseOptions, type SerializeOptions,
  type TensorSource, type MetadataSource, parseSafetensors, checkHeaderLength, serializeSafetensors,
  DEFAULT_MAX_HEADER, DEFAULT_MAX_TENSORS, DEFAULT_MAX_DEPTH, FORMAT_VERSION, CHECKSUM_KEY, VERSION_KEY,
} from './safetensors.js';
export { type ConvertOptions, type TensorSpec, toTensor, targetDType, decodeSafetensors, checkTensorSpecs } from './tensors.js';
export { type AtomicStage, type AtomicFs, type WriteAtomicOptions, writeFileAtomic, cleanupTemp, isTempName } from './atomic.js';
export { saveSafetensors, loadSafetensors, readSafetensorsFile } from './files.js';
export {
  type Json, type SaveModelOptions, type LoadModelOptions, type LoadedModel, type ModelHeader, type ModelInfo,
  saveModel, loadModel, readModelInfo, NonFiniteWeightsError, MODEL_KEY, MODEL_FORMAT, MODEL_VERSION,
} from './model.js';
export {
  type CheckpointTargets, type CheckpointState, type SaveCheckpointOptions, type LoadedCheckpoint, type StatefulJson,
  type ResumableLoader, saveCheckpoint, loadCheckpoint, latestCheckpoint, CHECKPOINT_KEY, CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION, LAST_CHECKPOINT,
} from './checkpoint.js';

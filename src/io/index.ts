/**
 * @file The io layer (exported as `io`): safetensors read/write, model and checkpoint bytes, and
 * their errors. Everything here works in every host; files on disk (atomic saves, paths,
 * checkpoint directories) are plexus/node's `io` (src/node/io.ts), a superset of this one.
 */
export * from './errors.js';
export {
  type SafeDType, type SafetensorsEntry, type SafetensorsFile, type ParseOptions, type SerializeOptions,
  type TensorSource, type MetadataSource, parseSafetensors, checkHeaderLength, serializeSafetensors,
  DEFAULT_MAX_HEADER, DEFAULT_MAX_TENSORS, DEFAULT_MAX_DEPTH, FORMAT_VERSION, CHECKSUM_KEY, VERSION_KEY,
} from './safetensors.js';
export { type ConvertOptions, type TensorSpec, toTensor, targetDType, decodeSafetensors, checkTensorSpecs } from './tensors.js';
export { type ByteSource } from './source.js';
export {
  type Json, type SaveModelOptions, type LoadModelOptions, type LoadedModel, type ModelHeader, type ModelInfo,
  saveModel, loadModel, readModelInfo, NonFiniteWeightsError, MODEL_KEY, MODEL_FORMAT, MODEL_VERSION,
} from './model.js';
export {
  type CheckpointTargets, type CheckpointState, type CheckpointAlgorithmState, type SaveCheckpointOptions, type LoadedCheckpoint, type StatefulJson,
  type ResumableLoader, saveCheckpoint, loadCheckpoint, CHECKPOINT_KEY, CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION, LAST_CHECKPOINT,
} from './checkpoint.js';

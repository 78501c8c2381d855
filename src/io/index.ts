/**
 * @file The io layer: safetensors read/write, atomic file replacement, and their errors.
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

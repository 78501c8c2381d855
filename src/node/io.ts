/**
 * @file plexus/node's `io`: everything of the portable `io` plus files on disk. `saveModel`,
 * `loadModel`, `readModelInfo`, `saveCheckpoint` and `loadCheckpoint` take paths here (and still
 * take bytes, as in the browser entry); atomic writes, safetensors files and checkpoint
 * directories are only here.
 */
export * from '../io/index.js';
export * from '../io/onnx/index.js';
export { type AtomicStage, type AtomicFs, type WriteAtomicOptions, writeFileAtomic, cleanupTemp, isTempName } from '../io/atomic.js';
export { saveSafetensors, loadSafetensors, readSafetensorsFile } from '../io/files.js';
export { saveModel, loadModel, readModelInfo } from '../io/model-files.js';
export { saveCheckpoint, loadCheckpoint, latestCheckpoint } from '../io/checkpoint-files.js';

/**
 * @file Node-only (plexus/node): model files on disk. `saveModel(model, path)` writes the bytes of
 * model.ts atomically (atomic.ts: the previous file survives any failure); `loadModel(path)` and
 * `readModelInfo(path)` read a file with the 8-byte length checked first (files.ts). Each also takes
 * what the portable versions take (bytes, a Response or Blob), so code written for the browser
 * entry runs unchanged under plexus/node.
 */
import { ValueError } from '../core/errors.js';
import type { Module } from '../nn/module.js';
import { type WriteAtomicOptions, writeFileAtomic } from './atomic.js';
import { readSafetensorsFile } from './files.js';
import {
  type LoadModelOptions, type LoadedModel, type ModelInfo, type SaveModelOptions,
  checkLoadOptions, checkOptionKeys, loadModel as loadModelBytes, loadParsedModel, modelBytes, modelInfo,
  readModelInfo as readModelInfoBytes,
} from './model.js';
import type { ParseOptions } from './safetensors.js';
import type { ByteSource } from './source.js';

const FILE_SAVE_KEYS = ['metadata', 'allowNonFinite', 'fsync', 'mode', 'chunkSize', 'fs', 'onStage'];

/**
 * Writes `model` (weights + architecture + metadata) to `file` atomically: the previous file survives
 * any failure. Without a path, returns the bytes (as the browser entry's io.saveModel).
 * @example await io.saveModel(model, 'runs/a/model.safetensors', { metadata: { classNames } });
 */
export function saveModel(model: Module, file: string, opts?: SaveModelOptions & WriteAtomicOptions): Promise<void>;
export function saveModel(model: Module, opts?: SaveModelOptions): Uint8Array;
export function saveModel(model: Module, file?: string | SaveModelOptions, opts: SaveModelOptions & WriteAtomicOptions = {}): Promise<void> | Uint8Array {
  if (typeof file !== 'string') return modelBytes(model, file ?? {}, 'saveModel', 'nothing was written', ['metadata', 'allowNonFinite']);
  return saveModelFile(model, file, opts);
}

// async, so that every refusal is a rejected promise, as before the bytes/path split.
async function saveModelFile(model: Module, file: string, opts: SaveModelOptions & WriteAtomicOptions): Promise<void> {
  if (file === '') throw new ValueError('saveModel: file must be a non-empty path', 'INVALID_ARGUMENT');
  const bytes = modelBytes(model, opts, 'saveModel', `${file} is unchanged`, FILE_SAVE_KEYS);
  await writeFileAtomic(file, bytes, opts);
}

/**
 * Rebuilds a model saved by saveModel from a file path (or from bytes, a Response or a Blob).
 * @example const { model, metadata } = await io.loadModel('runs/a/model.safetensors');
 */
export async function loadModel(source: string | ByteSource, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  if (typeof source !== 'string') return loadModelBytes(source, opts);
  checkLoadOptions(opts);
  return loadParsedModel(await readSafetensorsFile(source, opts), source, opts);
}

/** Reads and validates a model file's header and layout without creating tensors (for `plexus info`). */
export async function readModelInfo(source: string | ByteSource, opts: Pick<ParseOptions, 'maxHeader' | 'maxTensors'> = {}): Promise<ModelInfo> {
  if (typeof source !== 'string') return readModelInfoBytes(source, opts);
  checkOptionKeys('readModelInfo', opts, ['maxHeader', 'maxTensors']);
  return modelInfo(await readSafetensorsFile(source, opts), source);
}

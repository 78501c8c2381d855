/**
 * @file Training checkpoints: everything a bit-exact resume needs in ONE atomically written file
 * (docs/reliability.md "Checkpoints and resume"; Transformers' test_resume_training_with_randomness is the bar).
 *
 * File: safetensors. Tensors: the model's state dict under `model.<key>`, the optimizer's buffers
 * under `optim.<param index>.<buffer>` (PyTorch's parameter numbering). `__metadata__["plexus.checkpoint"]`
 * holds the rest as JSON: epoch, step, the optimizer's hyperparameters and step counts, the scheduler
 * and data-loader positions, the RNG state, the model config (when it has one) and the caller's extra.
 * One file, so the parts can never come from two different saves; its SHA-256 covers all of it.
 *
 * This module is the bytes (every host); directories, `last.safetensors` / `step-<n>` files and
 * atomic writes are plexus/node's (checkpoint-files.ts).
 *
 * Loading validates the whole file against every target (tensor names, shapes and dtypes, optimizer
 * type and buffers, the presence of each requested part) before changing anything; the parts whose
 * own loadStateDict/setState can still refuse are applied first and rolled back if a later one does.
 */
import { type DType, bytesPerElement } from '../core/dtype.js';
import { PlexusError, ValueError, fmtShape } from '../core/errors.js';
import { Generator, defaultGenerator } from '../core/rng.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Module } from '../nn/index.js';
import { type BaseHyper, Optimizer } from '../optim/optimizer.js';
import type { OptimizerStateDictInput, SavedParamGroup } from '../optim/optimizer-state.js';
import { ModelFormatError } from './errors.js';
import {
  type Json, NonFiniteWeightsError, countNonFinite, firstNonFinite, isJsonObject, parseJsonText,
  plexusVersion, stateSpecs, toJsonText,
} from './model.js';
import { type ParseOptions, type SafetensorsEntry, type SafetensorsFile, FILE_DTYPE, copyBytes, parseSafetensors, serializeSafetensors } from './safetensors.js';
import { type ByteSource, readSource } from './source.js';
import { checkTensorSpecs, toTensor } from './tensors.js';

export const CHECKPOINT_KEY = 'plexus.checkpoint';
export const CHECKPOINT_FORMAT = 'plexus-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const LAST_CHECKPOINT = 'last.safetensors';
const OPTIM_RE = /^optim\.(0|[1-9][0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Anything with PyTorch-style state dicts whose content is JSON (every plexus LR scheduler). */
export interface StatefulJson {
  stateDict(): unknown;
  loadStateDict(sd: never): void;
}

/** A resumable data source (DataLoader): a JSON position and a way back to it. */
export interface ResumableLoader {
  state(): unknown;
  setState(s: never): void;
}

/** The objects a checkpoint is taken from and restored into. */
export interface CheckpointTargets {
  model: Module;
  optimizer?: Optimizer<BaseHyper>;
  scheduler?: StatefulJson;
  loader?: ResumableLoader;
  /** Default: the global generator (Dropout, init, shuffles without their own seed); null: none. */
  rng?: Generator | null;
}

/** A training algorithm's own state (train's AlgorithmStateDict): stored as `algo.<key>` tensors and header JSON. */
export interface CheckpointAlgorithmState {
  algorithm: string;
  tensors: Record<string, Tensor>;
  meta: Json;
}

export interface CheckpointState extends CheckpointTargets {
  /** The training algorithm's own state, when it keeps one (fit's TrainControl.algorithmState()). */
  algorithm?: CheckpointAlgorithmState | null;
  /** Epochs completed (or the epoch in progress for a mid-epoch save; the loader knows the batch). */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** Any JSON the caller wants back (best metric, run config, history). */
  extra?: unknown;
}

export interface SaveCheckpointOptions {
  /** Also keep the last N checkpoints as step-<step>.safetensors (default 0: only `last`). */
  keep?: number;
  /** Save even with NaN/Inf weights (default false: NonFiniteWeightsError, previous files untouched). */
  allowNonFinite?: boolean;
}

export const invalid = (msg: string): never => { throw new ValueError(msg, 'INVALID_ARGUMENT'); };
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function checkTargets(t: CheckpointTargets, who: string): void {
  if (typeof t !== 'object' || t === null) invalid(`${who}: expected {model, optimizer?, scheduler?, loader?, rng?}`);
  if (!(t.model instanceof Module)) invalid(`${who}: model must be an nn.Module`);
  if (t.optimizer !== undefined && !(t.optimizer instanceof Optimizer)) invalid(`${who}: optimizer must be an Optimizer`);
  const has = (o: unknown, a: string, b: string): boolean => typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[a] === 'function' && typeof (o as Record<string, unknown>)[b] === 'function';
  if (t.scheduler !== undefined && !has(t.scheduler, 'stateDict', 'loadStateDict')) invalid(`${who}: scheduler must have stateDict() and loadStateDict()`);
  if (t.loader !== undefined && !has(t.loader, 'state', 'setState')) invalid(`${who}: loader must have state() and setState() (a DataLoader)`);
  if (t.rng !== undefined && t.rng !== null && !(t.rng instanceof Generator)) invalid(`${who}: rng must be a Generator or null`);
}

/** The first NaN/Inf among what would be saved: model tensors, then optimizer buffers. */
function nonFiniteTarget(s: CheckpointState): { name: string; count: number } | null {
  const bad = firstNonFinite(s.model);
  if (bad) return { name: `tensor "${bad.name}"`, count: bad.count };
  if (!s.optimizer) return null;
  const names = new Map(s.model.namedParameters().map(([k, p]) => [p as Tensor, k]));
  for (const [p, st] of s.optimizer.state) {
    for (const [k, v] of Object.entries(st)) {
      const count = v instanceof Tensor ? countNonFinite(v) : 0;
      if (count > 0) return { name: `optimizer state "${k}" of ${names.has(p) ? `"${names.get(p)}"` : `a parameter ${fmtShape(p.shape)}`}`, count };
    }
  }
  return null;
}

/** Serializes a consistent snapshot, synchronously (training may go on while it is written). */
function encode(s: CheckpointState): Uint8Array {
  const tensors: [string, Tensor][] = [];
  try {
    for (const [k, t] of s.model.stateDict()) tensors.push([`model.${k}`, t]);
    let optimizer: Json = null;
    if (s.optimizer) {
      const sd = s.optimizer.stateDict();
      const scalars: Record<string, Record<string, number>> = {};
      for (const [i, entry] of Object.entries(sd.state)) {
        const kept: Record<string, number> = {};
        for (const [k, v] of Object.entries(entry)) {
          if (v instanceof Tensor) tensors.push([`optim.${i}.${k}`, v]);
          else kept[k] = v;
        }
        scalars[i] = kept;
      }
      optimizer = { type: s.optimizer.spec.name, paramGroups: sd.paramGroups as Json, state: scalars };
    }
    let modelConfig: unknown = null;
    try {
      modelConfig = s.model.getConfig();
    } catch (e) {
      if (!(e instanceof ValueError && e.code === 'NOT_CONFIGURABLE')) throw e; // custom models need none to resume
    }
    let algorithm: Json | undefined;
    if (s.algorithm) {
      for (const [k, t] of Object.entries(s.algorithm.tensors)) tensors.push([`algo.${k}`, t.detach()]);
      algorithm = { name: s.algorithm.algorithm, meta: s.algorithm.meta };
    }
    const rng = s.rng === undefined ? defaultGenerator : s.rng;
    const header = {
      format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, plexusVersion: plexusVersion(), epoch: s.epoch, step: s.step,
      modelConfig, optimizer,
      scheduler: s.scheduler ? { type: s.scheduler.constructor.name, state: s.scheduler.stateDict() } : null,
      loader: s.loader ? s.loader.state() : null,
      rng: rng ? rng.getState() : null,
      extra: s.extra ?? null,
      // Only written when there is one, so backprop checkpoints keep their exact former layout.
      ...(algorithm === undefined ? {} : { algorithm }),
    };
    return serializeSafetensors(tensors, { [CHECKPOINT_KEY]: toJsonText(header, 'checkpoint') });
  } finally {
    for (const [, t] of tensors) t.dispose(); // views of the model / copies of optimizer buffers
  }
}

/**
 * The bytes of a checkpoint of `state` (every host): model, optimizer, scheduler, loader position,
 * RNG, one safetensors buffer with a SHA-256. Refuses NaN/Inf weights or optimizer state with
 * NonFiniteWeightsError. The state is captured when called. plexus/node's
 * `io.saveCheckpoint(dir, state)` writes it atomically into a directory.
 * @example const bytes = io.saveCheckpoint({ model, optimizer, scheduler, loader, epoch, step });
 */
export function saveCheckpoint(state: CheckpointState, opts: Omit<SaveCheckpointOptions, 'keep'> = {}): Uint8Array {
  return checkpointBytes(state, opts, 'saveCheckpoint', 'nothing was written');
}

/** saveCheckpoint's checks and encoding, shared with the directory writer (`kept`: what a refusal leaves). */
export function checkpointBytes(state: CheckpointState, opts: { allowNonFinite?: boolean }, who: string, kept: string): Uint8Array {
  checkTargets(state, who);
  if (!isCount(state.epoch)) invalid(`${who}: epoch must be a non-negative integer, got ${String(state.epoch)}`);
  if (!isCount(state.step)) invalid(`${who}: step must be a non-negative integer, got ${String(state.step)}`);
  if (!opts.allowNonFinite) {
    const bad = nonFiniteTarget(state);
    if (bad) throw new NonFiniteWeightsError(bad.name, bad.count, who, kept);
  }
  return encode(state);
}

/** What loadCheckpoint returns besides restoring the targets. */
export interface LoadedCheckpoint {
  /** The file read (the latest one when a directory was given; `source`, or "checkpoint", for bytes). */
  path: string;
  epoch: number;
  step: number;
  extra: Json;
  /** The model's config when it had one (to rebuild the architecture with nn.fromConfig). */
  modelConfig: Json;
  plexusVersion: string;
  /** The training algorithm's state stored with it (null: none); pass it to fit as `algorithmState`. The caller owns its tensors. */
  algorithm: CheckpointAlgorithmState | null;
}

interface Header {
  epoch: number;
  step: number;
  plexusVersion: string;
  modelConfig: Json;
  optimizer: { type: string; paramGroups: Json[]; state: { [k: string]: Json } } | null;
  scheduler: { type: string; state: Json } | null;
  loader: Json;
  rng: Json;
  extra: Json;
  algorithm: { name: string; meta: Json } | null;
}

const HEADER_KEYS = ['format', 'version', 'plexusVersion', 'epoch', 'step', 'modelConfig', 'optimizer', 'scheduler', 'loader', 'rng', 'extra', 'algorithm'];

function readHeader(metadata: Map<string, string>, source: string): Header {
  const text = metadata.get(CHECKPOINT_KEY);
  if (text === undefined) throw new ModelFormatError('INVALID_CHECKPOINT', `${source}: no "${CHECKPOINT_KEY}" metadata: not a plexus checkpoint`);
  const where = `${source}: metadata "${CHECKPOINT_KEY}"`;
  const h = parseJsonText(text, where, 'INVALID_CHECKPOINT');
  const bad = (msg: string): never => { throw new ModelFormatError('INVALID_CHECKPOINT', `${where}: ${msg}`); };
  if (!isJsonObject(h)) return bad('expected a JSON object');
  const unknown = Object.keys(h).filter((k) => !HEADER_KEYS.includes(k));
  if (unknown.length) bad(`unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  if (h.format !== CHECKPOINT_FORMAT) bad(`format is ${JSON.stringify(h.format ?? null)}, expected "${CHECKPOINT_FORMAT}"`);
  if (!isCount(h.version) || h.version < 1) bad(`version must be a positive integer, got ${JSON.stringify(h.version ?? null)}`);
  if ((h.version as number) > CHECKPOINT_VERSION) {
    throw new ModelFormatError('UNSUPPORTED_VERSION', `${where}: UNSUPPORTED_VERSION ${String(h.version)} (max ${CHECKPOINT_VERSION}): written by a newer plexus`);
  }
  if (!isCount(h.epoch) || !isCount(h.step)) bad('epoch and step must be non-negative integers');
  const o = h.optimizer ?? null;
  if (o !== null && !(isJsonObject(o) && typeof o.type === 'string' && Array.isArray(o.paramGroups) && isJsonObject(o.state))) {
    bad('"optimizer" must be null or {type, paramGroups, state}');
  }
  const s = h.scheduler ?? null;
  if (s !== null && !(isJsonObject(s) && typeof s.type === 'string' && 'state' in s)) bad('"scheduler" must be null or {type, state}');
  const a = h.algorithm ?? null;
  if (a !== null && !(isJsonObject(a) && typeof a.name === 'string' && 'meta' in a)) bad('"algorithm" must be null or {name, meta}');
  return {
    epoch: h.epoch as number, step: h.step as number, plexusVersion: typeof h.plexusVersion === 'string' ? h.plexusVersion : 'unknown',
    modelConfig: h.modelConfig ?? null, optimizer: o as Header['optimizer'], scheduler: s as Header['scheduler'],
    loader: h.loader ?? null, rng: h.rng ?? null, extra: h.extra ?? null, algorithm: a as Header['algorithm'],
  };
}

/** A copy of an entry's values in the parameter's dtype, exactly as stored. */
function bufferValues(e: SafetensorsEntry, dtype: DType): Float32Array | Float64Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  copyBytes(e.bytes, out, bytesPerElement(dtype));
  return out;
}

/** The optimizer state dict of the file, its buffers checked against `opt`'s parameters. */
function optimizerDict(h: NonNullable<Header['optimizer']>, entries: Map<number, Map<string, SafetensorsEntry>>, opt: Optimizer<BaseHyper>, source: string): OptimizerStateDictInput {
  if (h.type !== opt.spec.name) throw new ModelFormatError('STATE_MISMATCH', `${source}: the checkpoint holds ${h.type} state, the optimizer given is ${opt.spec.name}`);
  const params = opt.paramGroups.flatMap((g) => g.params);
  const state: OptimizerStateDictInput['state'] = {};
  for (const [k, v] of Object.entries(h.state)) {
    if (!isJsonObject(v)) throw new ModelFormatError('INVALID_CHECKPOINT', `${source}: optimizer state ${JSON.stringify(k)} must be an object`);
    state[k] = { ...(v as Record<string, number>) };
  }
  const problems: string[] = [];
  for (const [i, bufs] of entries) {
    const p = params[i];
    for (const [k, e] of bufs) {
      if (!p) problems.push(`"${e.name}": the optimizer has ${params.length} parameters, no #${i}`);
      else if (e.dtype !== FILE_DTYPE[p.dtype]) problems.push(`"${e.name}" is ${e.dtype}, the parameter is ${FILE_DTYPE[p.dtype]}`);
      else if (!shapesEqual(e.shape, p.shape)) problems.push(`"${e.name}" has shape ${fmtShape(e.shape)}, the parameter ${fmtShape(p.shape)}`);
      else (state[String(i)] ??= {})[k] = bufferValues(e, p.dtype);
    }
  }
  if (problems.length) throw new ModelFormatError('STATE_MISMATCH', `${source}: optimizer buffers do not match: ${problems.join('; ')}`);
  return { state, paramGroups: h.paramGroups as SavedParamGroup[] };
}

/** A refusal from a target's own validation, as a ModelFormatError naming the file (code kept). */
function wrap(e: unknown, source: string, part: string): unknown {
  if (!(e instanceof PlexusError) || e instanceof ModelFormatError) return e;
  const err = new ModelFormatError(e.code, `${source}: ${part}: ${e.message}`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

/**
 * Restores a checkpoint (its bytes, a Response or a Blob; plexus/node's also takes a file or a
 * directory) into the targets: model weights and
 * buffers, optimizer state, scheduler, loader position and RNG state. Only the targets given are
 * restored; each must be present in the file. Nothing changes unless everything fits; errors are
 * ModelFormatError (STATE_MISMATCH, MISSING_STATE, INVALID_CHECKPOINT, the container codes, or the
 * code a target's own loadStateDict/setState raised).
 * @example const { epoch, step } = await io.loadCheckpoint(bytes, { model, optimizer, scheduler, loader });
 */
export async function loadCheckpoint(
  source: ByteSource, targets: CheckpointTargets, opts: Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'requireChecksum' | 'source'> = {},
): Promise<LoadedCheckpoint> {
  checkTargets(targets, 'loadCheckpoint');
  const name = opts.source ?? 'checkpoint';
  // We always write a checksum: a checkpoint without one was not written by plexus.
  const parsed = parseSafetensors(await readSource(source, 'loadCheckpoint'), { requireChecksum: true, ...opts, source: name });
  return restoreCheckpoint(parsed, name, targets);
}

/** loadCheckpoint after the container was parsed (shared with the file reader). */
export function restoreCheckpoint(parsed: SafetensorsFile, source: string, targets: CheckpointTargets): LoadedCheckpoint {
  checkTargets(targets, 'loadCheckpoint');
  const h = readHeader(parsed.metadata, source);

  // Split the tensors by owner; anything else is not ours.
  const modelEntries = new Map<string, SafetensorsEntry>();
  const optimEntries = new Map<number, Map<string, SafetensorsEntry>>();
  const algoEntries = new Map<string, SafetensorsEntry>();
  const stray: string[] = [];
  for (const [name, e] of parsed.tensors) {
    const m = OPTIM_RE.exec(name);
    if (name.startsWith('model.')) modelEntries.set(name.slice(6), e);
    else if (name.startsWith('algo.') && h.algorithm !== null) algoEntries.set(name.slice(5), e);
    else if (m) {
      const i = Number(m[1]);
      if (!optimEntries.has(i)) optimEntries.set(i, new Map());
      optimEntries.get(i)!.set(m[2]!, e);
    } else stray.push(JSON.stringify(name));
  }
  if (stray.length) throw new ModelFormatError('STATE_MISMATCH', `${source}: tensors that belong to no part of a checkpoint: ${stray.join(', ')}`);

  // Validate every requested part before changing anything.
  const { model, optimizer, scheduler, loader } = targets;
  const rng = targets.rng === undefined ? defaultGenerator : targets.rng;
  checkTensorSpecs({ tensors: modelEntries, metadata: parsed.metadata, headerLength: parsed.headerLength }, stateSpecs(model), { strict: true, source: `${source} (model.*)` });
  const missing = (part: string): never => { throw new ModelFormatError('MISSING_STATE', `${source}: the checkpoint has no ${part} state, but a ${part} was given to restore`); };
  let optSd: OptimizerStateDictInput | null = null;
  if (optimizer) {
    if (h.optimizer === null) missing('optimizer');
    optSd = optimizerDict(h.optimizer!, optimEntries, optimizer, source);
  }
  if (scheduler) {
    if (h.scheduler === null) missing('scheduler');
    if (h.scheduler!.type !== scheduler.constructor.name) {
      throw new ModelFormatError('STATE_MISMATCH', `${source}: the checkpoint holds ${h.scheduler!.type} state, the scheduler given is ${scheduler.constructor.name}`);
    }
  }
  if (loader && h.loader === null) missing('loader');
  // An explicitly given generator must be restored; the default one only when the file has it.
  if (targets.rng instanceof Generator && h.rng === null) missing('RNG');
  const u32 = (v: Json): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  if (rng && h.rng !== null && !(Array.isArray(h.rng) && h.rng.length === 4 && h.rng.every(u32))) {
    throw new ModelFormatError('INVALID_CHECKPOINT', `${source}: rng must be four uint32 values`);
  }

  // Apply. Model tensors are created first (the only allocation that could still fail); the loader,
  // scheduler and optimizer validate inside their own loaders (all-or-nothing each), and the first
  // two are undone if a later one refuses. The model and RNG were checked above and cannot refuse.
  const tensors = new Map<string, Tensor>();
  try {
    for (const [k, e] of modelEntries) tensors.set(k, toTensor(e));
    const undo: (() => void)[] = [];
    try {
      if (loader) {
        const prev = loader.state();
        (loader.setState as (s: unknown) => void)(h.loader);
        undo.push(() => (loader.setState as (s: unknown) => void)(prev));
      }
      if (scheduler) {
        const prev = scheduler.stateDict();
        (scheduler.loadStateDict as (s: unknown) => void)(h.scheduler!.state);
        undo.push(() => (scheduler.loadStateDict as (s: unknown) => void)(prev));
      }
      if (optimizer) optimizer.loadStateDict(optSd!);
    } catch (e) {
      for (const u of undo.reverse()) u();
      throw wrap(e, source, 'restore');
    }
    model.loadStateDict(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  if (rng && h.rng !== null) rng.setState(h.rng as number[]);
  let algorithm: CheckpointAlgorithmState | null = null;
  if (h.algorithm !== null) {
    const algoTensors: Record<string, Tensor> = {};
    for (const [k, e] of algoEntries) algoTensors[k] = toTensor(e);
    algorithm = { algorithm: h.algorithm.name, tensors: algoTensors, meta: h.algorithm.meta };
  }
  return { path: source, epoch: h.epoch, step: h.step, extra: h.extra, modelConfig: h.modelConfig, plexusVersion: h.plexusVersion, algorithm };
}

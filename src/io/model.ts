/**
 * @file Whole models as bytes: `saveModel`, `loadModel`, `readModelInfo` (every host; the file
 * versions, with atomic writes, are plexus/node's, in model-files.ts).
 *
 * Layout: ONE safetensors file. Its tensors are the state dict under the model's own keys
 * (`layers.0.weight`), so any safetensors reader (Python's safetensors, numpy) sees ordinary weights.
 * The architecture and the user's metadata are one JSON string in `__metadata__["plexus.model"]`:
 *   {"format":"plexus-model","version":1,"plexusVersion":"0.1.0","model":{"type":"MLP",...},"metadata":{...}}
 * Why one file rather than model.safetensors + model.json: the two can never drift apart or be half
 * replaced (one atomic rename), the SHA-256 in the header covers the config as well as the weights,
 * and `plexus info model.safetensors` shows everything from one header read.
 *
 * Loading never runs code from the file (docs/reliability.md "Model files"): the config goes through
 * nn.fromConfig, a Map of registered factories. Order: parse and validate the whole container (no
 * tensor yet) -> parse the JSON -> build the architecture (fresh init inside a scope, the global RNG
 * restored afterwards) -> check every tensor's name, shape and dtype against the built model
 * (checkTensorSpecs) -> only then create tensors and copy. Any failure disposes what was built, so
 * `memory()` is back where it was and no half-loaded model escapes.
 */
import { type DType, type FloatDType, isDType, isFloat } from '../core/dtype.js';
import { PlexusError, ValueError } from '../core/errors.js';
import { scope } from '../core/memory.js';
import { defaultGenerator } from '../core/rng.js';
import { PLEXUS_VERSION } from '../core/version.js';
import type { Tensor } from '../core/tensor.js';
import { type ModuleConfig, Module, fromConfig, registeredModules } from '../nn/index.js';
import { ModelFormatError } from './errors.js';
import { type ByteSource, readSource } from './source.js';
import { JsonNumber, type JsonValue, parseJsonBytes } from './json.js';
import { type ParseOptions, type SafeDType, type SafetensorsEntry, type SafetensorsFile, parseSafetensors, serializeSafetensors } from './safetensors.js';
import { type TensorSpec, checkTensorSpecs, toTensor } from './tensors.js';

/** Metadata key holding the model JSON. */
export const MODEL_KEY = 'plexus.model';
export const MODEL_FORMAT = 'plexus-model';
/** Newest model JSON version this build reads and the one it writes. */
export const MODEL_VERSION = 1;
/** Nesting cap of JSON kept in metadata (the header parser's cap does not reach inside a string). */
const MAX_JSON_DEPTH = 64;

/** Plain JSON as JSON.parse would give it (after the strict checks below). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------------------------------------------
// Strict JSON in metadata strings (shared with checkpoint.ts).

const isPlain = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

function jsonProblem(v: unknown, at: string, depth: number): string | null {
  if (depth > MAX_JSON_DEPTH) return `${at}: nested deeper than ${MAX_JSON_DEPTH} levels (or circular)`;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${at} is ${v}, which JSON cannot hold`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // JSON.stringify would turn these into null: a silent change.
      if (x === undefined || typeof x === 'function') return `${at}[${i}] is ${typeof x}, which JSON cannot hold`;
      const p = jsonProblem(x, `${at}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (typeof v === 'object' && isPlain(v)) {
    for (const k of Object.keys(v)) {
      if (k === '__proto__') return `${at} has a "__proto__" key`;
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue; // dropped, as JSON.stringify does: an absent optional field
      const p = jsonProblem(x, `${at}.${k}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  const what = typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
  return `${at} is ${what}; only plain objects, arrays, strings, finite numbers, booleans and null are JSON`;
}

/**
 * JSON text of `value`, refusing anything JSON.stringify would silently change or drop (NaN, Infinity,
 * undefined in arrays, functions, BigInt, Maps, class instances such as tensors, cycles).
 */
export function toJsonText(value: unknown, what: string): string {
  const p = jsonProblem(value, what, 0);
  if (p) throw new ValueError(`${p}`, 'INVALID_METADATA');
  return JSON.stringify(value);
}

/** Parsed JSON as plain objects: numbers must be finite; `__proto__` keys are refused. */
function fromJsonValue(v: JsonValue, source: string, code: string, at: string): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof JsonNumber) {
    const n = Number(v.text);
    if (!Number.isFinite(n)) throw new ModelFormatError(code, `${source}: ${at} is ${v.text}, which overflows a double`);
    return n;
  }
  if (Array.isArray(v)) return v.map((x, i) => fromJsonValue(x, source, code, `${at}[${i}]`));
  const out: { [key: string]: Json } = {};
  for (const [k, x] of v) {
    if (k === '__proto__') throw new ModelFormatError(code, `${source}: ${at} has a "__proto__" key`);
    out[k] = fromJsonValue(x, source, code, `${at}.${k}`);
  }
  return out;
}

/**
 * Parses JSON from metadata with the strict header parser (duplicate keys, depth cap, UTF-8), then
 * converts it to plain values. Errors are ModelFormatError with `code`.
 */
export function parseJsonText(text: string, source: string, code: string): Json {
  const bytes = new TextEncoder().encode(text);
  let v: JsonValue;
  try {
    v = parseJsonBytes(bytes, 0, bytes.length, { maxDepth: MAX_JSON_DEPTH, fileOffset: 0, source });
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(code, e.message.replace('of the file', 'of the JSON'));
    throw e;
  }
  return fromJsonValue(v, source, code, '$');
}

export function isJsonObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers for model and checkpoint files.

/** The plexus version recorded in files (a constant, so it is known in browser bundles too). */
export function plexusVersion(): string {
  return PLEXUS_VERSION;
}

/** Weights (or optimizer state) with NaN/Inf must not replace a good file (docs/reliability.md "Atomic saves"). */
export class NonFiniteWeightsError extends PlexusError {
  constructor(
    /** The first offending tensor ("layers.0.weight", "optimizer state of layers.0.weight: expAvg"). */
    readonly tensor: string,
    /** How many of its values are NaN or ±Inf. */
    readonly count: number,
    who: string,
    kept: string,
  ) {
    super('NON_FINITE_WEIGHTS', `${who}: ${tensor} has ${count} non-finite value(s); refusing to save, so ${kept} (pass {allowNonFinite: true} to save anyway)`);
  }
}

/** Number of NaN/±Inf values of a float tensor (0 for int/bool). */
export function countNonFinite(t: Tensor): number {
  if (!isFloat(t.dtype)) return 0;
  const v = t.values;
  let n = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) n++;
  return n;
}

/** The first parameter or buffer of `model` holding NaN/Inf, with its count, or null. */
export function firstNonFinite(model: Module): { name: string; count: number } | null {
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    const count = countNonFinite(t);
    if (count > 0) return { name, count };
  }
  return null;
}

/** What each tensor of the model's state dict must look like in a file. */
export function stateSpecs(model: Module): Map<string, TensorSpec> {
  const sd = model.stateDict();
  const out = new Map<string, TensorSpec>();
  for (const [k, t] of sd) {
    out.set(k, { shape: [...t.shape], dtype: t.dtype });
    t.dispose(); // stateDict() gives views; drop them now rather than at GC
  }
  return out;
}

/** Creates tensors for `entries` (already checked against the model) and copies them in. */
function loadEntries(model: Module, entries: ReadonlyMap<string, SafetensorsEntry>): void {
  const tensors = new Map<string, Tensor>();
  try {
    for (const [k, e] of entries) tensors.set(k, toTensor(e));
    model.loadStateDict(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Releases every parameter and buffer of a model that is being thrown away. */
function disposeModel(model: Module): void {
  for (const t of [...model.parameters(), ...model.buffers()]) if (!t.isDisposed) t.dispose();
}

// ---------------------------------------------------------------------------------------------------
// saveModel / loadModel.

export interface SaveModelOptions {
  /**
   * Anything JSON the model needs at prediction time: standardisation stats, class names, the
   * training config. Round-trips through loadModel.
   */
  metadata?: Record<string, unknown>;
  /** Save even when a weight is NaN/Inf (default false: NonFiniteWeightsError). */
  allowNonFinite?: boolean;
}

const SAVE_KEYS = ['metadata', 'allowNonFinite'];

/** Rejects option keys a function does not know (a typo must not be silently ignored). */
export function checkOptionKeys(who: string, opts: object, allowed: readonly string[]): void {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ValueError(`${who}: options must be an object`, 'INVALID_ARGUMENT');
  const unknown = Object.keys(opts).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new ValueError(`${who}: unknown option(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${allowed.join(', ')}`, 'UNKNOWN_OPTION');
}

/**
 * The bytes of a model file: weights + architecture + metadata, one safetensors buffer with a
 * SHA-256 in its header. Works in every host: in a browser, hand the bytes to a download or
 * IndexedDB; plexus/node's `io.saveModel(model, path)` writes them atomically to a file. Needs
 * `model.getConfig()` (every built-in layer has it).
 * @example const bytes = io.saveModel(model, { metadata: { classNames } });
 */
export function saveModel(model: Module, opts: SaveModelOptions = {}): Uint8Array {
  return modelBytes(model, opts, 'saveModel', 'nothing was written', SAVE_KEYS);
}

/** saveModel's body, shared with the file writer (`kept` says what a refusal leaves in place). */
export function modelBytes(model: Module, opts: SaveModelOptions, who: string, kept: string, allowed: readonly string[]): Uint8Array {
  if (!(model instanceof Module)) throw new ValueError(`${who}: expected an nn.Module, got ${model === null ? 'null' : typeof model}`, 'INVALID_ARGUMENT');
  checkOptionKeys(who, opts, allowed);
  const metadata = opts.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ValueError(`${who}: metadata must be a plain object`, 'INVALID_METADATA');
  }
  if (!opts.allowNonFinite) {
    const bad = firstNonFinite(model);
    if (bad) throw new NonFiniteWeightsError(`tensor "${bad.name}"`, bad.count, who, kept);
  }
  const header = { format: MODEL_FORMAT, version: MODEL_VERSION, plexusVersion: plexusVersion(), model: model.getConfig(), metadata };
  const text = toJsonText(header, who);
  const sd = model.stateDict();
  try {
    return serializeSafetensors(sd, { [MODEL_KEY]: text });
  } finally {
    for (const t of sd.values()) t.dispose();
  }
}

/** The model JSON of a parsed file. */
export interface ModelHeader {
  config: ModuleConfig;
  metadata: { [key: string]: Json };
  plexusVersion: string;
  version: number;
}

function readModelHeader(file: SafetensorsFile, source: string): ModelHeader {
  const text = file.metadata.get(MODEL_KEY);
  if (text === undefined) {
    const hint = file.metadata.has('plexus.checkpoint') ? 'it is a plexus checkpoint: use io.loadCheckpoint' : 'a plain safetensors file loads with io.loadSafetensors + model.loadStateDict';
    throw new ModelFormatError('MISSING_CONFIG', `${source}: no "${MODEL_KEY}" metadata, so the architecture is unknown (${hint})`);
  }
  const where = `${source}: metadata "${MODEL_KEY}"`;
  const h = parseJsonText(text, where, 'INVALID_CONFIG');
  const bad = (msg: string): never => { throw new ModelFormatError('INVALID_CONFIG', `${where}: ${msg}`); };
  if (!isJsonObject(h)) return bad('expected a JSON object');
  const allowed = ['format', 'version', 'plexusVersion', 'model', 'metadata'];
  const unknown = Object.keys(h).filter((k) => !allowed.includes(k));
  if (unknown.length) bad(`unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')} (expected ${allowed.join(', ')})`);
  if (h.format !== MODEL_FORMAT) bad(`format is ${JSON.stringify(h.format ?? null)}, expected "${MODEL_FORMAT}"`);
  const version = h.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return bad(`version must be a positive integer, got ${JSON.stringify(version ?? null)}`);
  if (version > MODEL_VERSION) {
    throw new ModelFormatError('UNSUPPORTED_VERSION', `${where}: UNSUPPORTED_VERSION ${version} (max ${MODEL_VERSION}): written by a newer plexus; upgrade plexus`);
  }
  if (!isJsonObject(h.model) || typeof h.model.type !== 'string') return bad('"model" must be a layer config {type, ...}');
  const metadata = h.metadata ?? {};
  if (!isJsonObject(metadata)) return bad('"metadata" must be an object');
  return { config: h.model as ModuleConfig, metadata, plexusVersion: typeof h.plexusVersion === 'string' ? h.plexusVersion : 'unknown', version };
}

/**
 * Refuses unknown layer types before anything is built. fromConfig would find them too, but only
 * after building the layers before them, whose parameters then linger until garbage collection.
 * Layer configs sit at the root and in arrays (containers read them with ConfigReader.modules), so
 * those are the places checked; argument objects are left to fromConfig.
 */
function checkLayerTypes(config: Json, source: string, at = 'model'): void {
  if (Array.isArray(config)) {
    config.forEach((c, i) => checkLayerTypes(c, source, `${at}[${i}]`));
    return;
  }
  if (!isJsonObject(config)) return;
  const type = config.type;
  if (typeof type === 'string' && !registeredModules().includes(type)) {
    throw new ModelFormatError('UNKNOWN_LAYER', `${source}: ${at}.type ${JSON.stringify(type)} is not a known layer; known: ${registeredModules().join(', ')}`);
  }
  for (const [k, v] of Object.entries(config)) if (Array.isArray(v)) checkLayerTypes(v, source, `${at}.${k}`);
}

/**
 * Builds the architecture. Runs in a scope so initialisation temporaries are freed at once (the
 * parameters and buffers are kept), and restores the global generator: loading a model must not
 * shift the random stream of the caller's run.
 */
function build(config: ModuleConfig, source: string): Module {
  checkLayerTypes(config as Json, source);
  const rng = defaultGenerator.getState();
  try {
    return scope(() => fromConfig(config, 'model'));
  } catch (e) {
    if (e instanceof ValueError && (e.code === 'UNKNOWN_LAYER' || e.code === 'INVALID_CONFIG')) {
      const err = new ModelFormatError(e.code, `${source}: ${e.message}`);
      (err as { cause?: unknown }).cause = e;
      throw err;
    }
    throw e;
  } finally {
    defaultGenerator.setState(rng);
  }
}

export interface LoadModelOptions extends Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'requireChecksum'> {
  /** Convert the float weights to this dtype after loading (PyTorch's `.float()` / `.double()`). */
  dtype?: FloatDType;
}

export interface LoadedModel {
  model: Module;
  /** The architecture as saved. */
  config: ModuleConfig;
  /** The `metadata` given to saveModel. */
  metadata: { [key: string]: Json };
  /** The plexus version that wrote the file. */
  plexusVersion: string;
}

/**
 * Rebuilds a model saved by saveModel: architecture from the config, then the weights, bit for bit.
 * `source` is the file's bytes: a Uint8Array, an ArrayBuffer, or anything with `arrayBuffer()` (a
 * fetch Response, a Blob or File from an <input>); plexus/node's `io.loadModel` also takes a path.
 * The file is validated completely before any tensor is created; on any error nothing is left
 * allocated. Errors: ModelFormatError (MISSING_CONFIG, INVALID_CONFIG, UNKNOWN_LAYER,
 * UNSUPPORTED_VERSION, STATE_MISMATCH listing every missing/unexpected/mis-shaped tensor, and the
 * container codes of safetensors.ts).
 * @example const { model, metadata } = await io.loadModel(await fetch('model.safetensors'));
 */
export async function loadModel(source: ByteSource, opts: LoadModelOptions & { source?: string } = {}): Promise<LoadedModel> {
  checkLoadOptions(opts);
  const name = opts.source ?? 'model';
  return loadParsedModel(parseSafetensors(await readSource(source, 'loadModel'), { ...parseOpts(opts), source: name }), name, opts);
}

const LOAD_KEYS = ['maxHeader', 'maxTensors', 'requireChecksum', 'dtype', 'source'];

function parseOpts(opts: LoadModelOptions): Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'requireChecksum'> {
  const out: Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'requireChecksum'> = {};
  if (opts.maxHeader !== undefined) out.maxHeader = opts.maxHeader;
  if (opts.maxTensors !== undefined) out.maxTensors = opts.maxTensors;
  if (opts.requireChecksum !== undefined) out.requireChecksum = opts.requireChecksum;
  return out;
}

/** The option checks of loadModel, before any byte is read. */
export function checkLoadOptions(opts: LoadModelOptions): void {
  checkOptionKeys('loadModel', opts, LOAD_KEYS);
  if (opts.dtype !== undefined && !(isDType(opts.dtype) && isFloat(opts.dtype as DType))) {
    throw new ValueError(`loadModel: dtype must be "float32" or "float64", got ${JSON.stringify(opts.dtype)}`, 'INVALID_DTYPE');
  }
}

/** loadModel after the container was parsed (shared with the file reader). */
export function loadParsedModel(parsed: SafetensorsFile, source: string, opts: LoadModelOptions): LoadedModel {
  const header = readModelHeader(parsed, source);
  const model = build(header.config, source);
  try {
    checkTensorSpecs(parsed, stateSpecs(model), { strict: true, source });
    loadEntries(model, parsed.tensors);
    if (opts.dtype !== undefined) convert(model, opts.dtype);
  } catch (e) {
    disposeModel(model);
    throw e;
  }
  return { model, config: header.config, metadata: header.metadata, plexusVersion: header.plexusVersion };
}

/** Module.to, disposing what it replaces (it leaves old tensors to the garbage collector). */
function convert(model: Module, dtype: FloatDType): void {
  const before = [...model.parameters(), ...model.buffers()];
  scope(() => model.to(dtype)); // the cast results the new Parameters wrap are temporaries
  const after = new Set<Tensor>([...model.parameters(), ...model.buffers()]);
  for (const t of before) if (!after.has(t) && !t.isDisposed) t.dispose();
}

/** What `plexus info` shows: everything in the header, no tensor created. */
export interface ModelInfo extends ModelHeader {
  tensors: { name: string; dtype: SafeDType; shape: number[] }[];
  /** Elements over all tensors (parameters and buffers). */
  numValues: number;
  /** Header metadata other than the model JSON (checksum, format version). */
  fileMetadata: Map<string, string>;
}

/** Reads and validates a model file's header and layout (bytes, as loadModel) without creating tensors. */
export async function readModelInfo(source: ByteSource, opts: Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'source'> = {}): Promise<ModelInfo> {
  checkOptionKeys('readModelInfo', opts, ['maxHeader', 'maxTensors', 'source']);
  const name = opts.source ?? 'model';
  return modelInfo(parseSafetensors(await readSource(source, 'readModelInfo'), { ...opts, source: name }), name);
}

/** readModelInfo after the container was parsed (shared with the file reader). */
export function modelInfo(parsed: SafetensorsFile, source: string): ModelInfo {
  const header = readModelHeader(parsed, source);
  const tensors = [...parsed.tensors.values()].map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape }));
  const numValues = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const fileMetadata = new Map([...parsed.metadata].filter(([k]) => k !== MODEL_KEY));
  return { ...header, tensors, numValues, fileMetadata };
}

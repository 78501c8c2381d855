/**
 * @file Architectures as data: every built-in module's `getConfig()` returns `{type, ...args}` (JSON
 * safe), and `fromConfig(config)` rebuilds the module through a registry of factories keyed by
 * `type`. A Map lookup, never `eval` or a property walk, so a config file cannot reach anything
 * that was not registered. The io layer stores this next to the weights so `loadModel` can rebuild.
 *
 * Factories read arguments through a ConfigReader, which type-checks each value and, at the end,
 * rejects keys nobody read: a typo such as `"activaton"` is an error, not a silent default.
 */
import { type FloatDType, isDType, isFloat } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Module } from './module.js';
import { show } from './check.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What getConfig() returns: the registered type name plus constructor arguments. */
export interface ModuleConfig {
  type: string;
  [key: string]: JsonValue;
}

export type ModuleFactory = (c: ConfigReader) => Module;

const registry = new Map<string, ModuleFactory>();
/** Nesting cap: a hostile config of a million nested Sequentials must fail cleanly, not overflow. */
const MAX_DEPTH = 64;

/** Makes `type` buildable by fromConfig (built-ins register themselves; custom modules may too). */
export function registerModule(type: string, factory: ModuleFactory): void {
  if (registry.has(type)) throw new ValueError(`registerModule: type ${JSON.stringify(type)} is already registered`, 'DUPLICATE_LAYER');
  registry.set(type, factory);
}

/** Names fromConfig accepts, sorted. */
export function registeredModules(): string[] {
  return [...registry.keys()].sort();
}

export interface FromConfigOptions {
  /** Where the config sits, for messages (default 'config'). */
  path?: string;
  /**
   * Values for top-level keys the config leaves out, used only where the module's factory reads
   * that key (a key nobody reads is no error): how `plexus train` supplies `inFeatures`,
   * `numClasses`, `imageSize`, ... from the data set. A key the config gives wins; nested configs
   * (a Sequential's layers) do not see the fill.
   */
  fill?: Readonly<Record<string, JsonValue>>;
}

/**
 * Rebuilds a module from `{type, ...args}` (fresh initial weights; load values with loadStateDict).
 * Unknown type: ValueError code UNKNOWN_LAYER listing the known types; bad or unknown arguments:
 * ValueError code INVALID_CONFIG naming the path. The second argument is the path for messages or
 * FromConfigOptions.
 * @example nn.fromConfig({ type: 'Linear', inFeatures: 4, outFeatures: 2 })
 * @example nn.fromConfig({ type: 'MLPMixer', patchSize: 4, dim: 64, depth: 4 }, { fill: { imageSize: [28, 28], numClasses: 10 } })
 */
export function fromConfig(config: unknown, pathOrOptions: string | FromConfigOptions = 'config', depth = 0): Module {
  const opts = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`fromConfig: options must be a path string or { path, fill }, got ${show(opts)}`, 'INVALID_ARGUMENT');
  const extraKey = Object.keys(opts).find((k) => k !== 'path' && k !== 'fill');
  if (extraKey !== undefined) throw new ValueError(`fromConfig: unknown option '${extraKey}' (known: path, fill)`, 'UNKNOWN_OPTION');
  const path = opts.path ?? 'config';
  if (typeof path !== 'string') throw new ValueError(`fromConfig: path must be a string, got ${show(path)}`, 'INVALID_ARGUMENT');
  const fill = opts.fill === undefined ? undefined : new Map(Object.entries(opts.fill));
  if (depth > MAX_DEPTH) throw new ValueError(`fromConfig: ${path} is nested deeper than ${MAX_DEPTH} levels`, 'INVALID_CONFIG');
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValueError(`fromConfig: ${path} must be an object with a "type", got ${show(config)}`, 'INVALID_CONFIG');
  }
  const entries = new Map(Object.entries(config));
  const type = entries.get('type');
  if (typeof type !== 'string') throw new ValueError(`fromConfig: ${path}.type must be a string, got ${show(type)}`, 'INVALID_CONFIG');
  const factory = registry.get(type);
  if (!factory) {
    throw new ValueError(`fromConfig: ${path}.type ${JSON.stringify(type)} is not a known layer; known: ${registeredModules().join(', ')}`, 'UNKNOWN_LAYER');
  }
  entries.delete('type');
  const reader = new ConfigReader(type, path, entries, depth, fill);
  const m = factory(reader);
  reader.finish();
  return m;
}

/** Typed, tracked access to one config object's arguments. */
export class ConfigReader {
  private readonly used = new Set<string>();

  constructor(readonly type: string, readonly path: string, private readonly entries: Map<string, unknown>, private readonly depth: number,
    /** fromConfig's `fill`: values for keys the config leaves out. */
    private readonly fill?: ReadonlyMap<string, unknown>) {}

  private fail(key: string, want: string, got: unknown): never {
    throw new ValueError(`fromConfig(${this.type}): ${this.path}.${key} must be ${want}, got ${show(got)}`, 'INVALID_CONFIG');
  }

  /** The raw value (from the config, else from fromConfig's fill; undefined when absent), marked as read. */
  raw(key: string): unknown {
    this.used.add(key);
    return this.entries.has(key) ? this.entries.get(key) : this.fill?.get(key);
  }

  /** The value, or `dflt` when the key is absent (an explicit null stays null and fails the type check). */
  private get(key: string, dflt: unknown): unknown {
    const v = this.raw(key);
    return v === undefined ? dflt : v;
  }

  number(key: string, dflt?: number): number {
    const v = this.get(key, dflt);
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a finite number', v);
  }

  /** A number or null (null meaning "the layer's own default", e.g. BatchNorm's momentum). */
  numberOrNull(key: string, dflt: number | null): number | null {
    const v = this.get(key, dflt);
    return v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a finite number or null', v);
  }

  int(key: string, dflt?: number): number {
    const v = this.get(key, dflt);
    return typeof v === 'number' && Number.isInteger(v) ? v : this.fail(key, 'an integer', v);
  }

  bool(key: string, dflt?: boolean): boolean {
    const v = this.get(key, dflt);
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false', v);
  }

  oneOf<T extends string>(key: string, options: readonly T[], dflt?: T): T {
    const v = this.get(key, dflt);
    return options.includes(v as T) ? (v as T) : this.fail(key, `one of ${options.join(', ')}`, v);
  }

  /** One of `options` or null. */
  oneOfOrNull<T extends string>(key: string, options: readonly T[], dflt: T | null): T | null {
    const v = this.get(key, dflt);
    return v === null || options.includes(v as T) ? (v as T | null) : this.fail(key, `null or one of ${options.join(', ')}`, v);
  }

  ints(key: string): number[] {
    const v = this.raw(key);
    return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x)) ? (v as number[]) : this.fail(key, 'an array of integers', v);
  }

  /** Optional float dtype (absent: the default dtype at build time). */
  dtype(key = 'dtype'): FloatDType | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    return isDType(v) && isFloat(v) ? v : this.fail(key, '"float32" or "float64"', v);
  }

  /** Nested module configs (containers). */
  modules(key: string): Module[] {
    const v = this.raw(key);
    if (!Array.isArray(v)) return this.fail(key, 'an array of layer configs', v);
    return v.map((c, i) => fromConfig(c, `${this.path}.${key}[${i}]`, this.depth + 1));
  }

  /** One nested module config (a wrapped module, e.g. HyperNetwork's target), depth-capped like `modules`. */
  module(key: string): Module {
    return fromConfig(this.raw(key), `${this.path}.${key}`, this.depth + 1);
  }

  /** Throws on keys the factory never read (typos, stale fields). */
  finish(): void {
    const extra = [...this.entries.keys()].filter((k) => !this.used.has(k));
    if (extra.length) {
      throw new ValueError(`fromConfig(${this.type}): unknown key(s) ${extra.map((k) => JSON.stringify(k)).join(', ')} in ${this.path}`, 'INVALID_CONFIG');
    }
  }
}

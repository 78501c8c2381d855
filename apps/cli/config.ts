/**
 * @file From `--config file.json` plus flags to a validated TrainConfig. Order: read the file with
 * the strict, `__proto__`-safe reader (json-file.ts) -> lay the flags over it (flags win) -> check
 * the schema and the cross-field rules -> report EVERY problem at once as JSON pointers, naming the
 * flag when a value came from one. Nothing is written by any of this.
 */
import path from 'node:path';
import type { z } from 'zod';
import { px } from './api.js';
import { type TrainConfig, ALGORITHMS, KAN_ONLY_KEYS, KNOWN_KEYS, MLP_ONLY_KEYS, OPTIMIZER_OPTIONS, OPTIMIZERS, TrainConfigSchema, isLayerType, show } from './config-schema.js';
import type { Ctx } from './context.js';
import { type ConfigProblem, ConfigError, PathError } from './errors.js';
import { containedPath } from './paths.js';
import { assertPrototypeUnpolluted, pointerSegment, readConfigFile } from './json-file.js';

/** How a flag's text becomes a config value. */
type FlagKind = 'string' | 'number' | 'list' | 'names' | 'norm' | 'data';

/** Train flags that set config values: commander attribute, flag, JSON path, conversion. */
export const TRAIN_FLAGS: readonly { attr: string; flag: string; path: readonly string[]; kind: FlagKind }[] = [
  { attr: 'data', flag: '--data', path: ['data', 'name'], kind: 'data' },
  { attr: 'target', flag: '--target', path: ['data', 'target'], kind: 'string' },
  { attr: 'targetType', flag: '--target-type', path: ['data', 'targetType'], kind: 'string' },
  { attr: 'ignore', flag: '--ignore', path: ['data', 'ignore'], kind: 'names' },
  { attr: 'testFraction', flag: '--test-fraction', path: ['data', 'testFraction'], kind: 'number' },
  { attr: 'model', flag: '--model', path: ['model', 'type'], kind: 'string' },
  { attr: 'hidden', flag: '--hidden', path: ['model', 'hidden'], kind: 'list' },
  { attr: 'activation', flag: '--activation', path: ['model', 'activation'], kind: 'string' },
  { attr: 'dropout', flag: '--dropout', path: ['model', 'dropout'], kind: 'number' },
  { attr: 'norm', flag: '--norm', path: ['model', 'norm'], kind: 'norm' },
  { attr: 'optimizer', flag: '--optimizer', path: ['optimizer', 'name'], kind: 'string' },
  { attr: 'lr', flag: '--lr', path: ['optimizer', 'lr'], kind: 'number' },
  { attr: 'weightDecay', flag: '--weight-decay', path: ['optimizer', 'weightDecay'], kind: 'number' },
  { attr: 'momentum', flag: '--momentum', path: ['optimizer', 'momentum'], kind: 'number' },
  { attr: 'epochs', flag: '--epochs', path: ['epochs'], kind: 'number' },
  { attr: 'batchSize', flag: '--batch-size', path: ['batchSize'], kind: 'number' },
  { attr: 'seed', flag: '--seed', path: ['seed'], kind: 'number' },
  { attr: 'clipGradNorm', flag: '--clip-grad-norm', path: ['clipGradNorm'], kind: 'number' },
  { attr: 'algorithm', flag: '--algorithm', path: ['algorithm', 'name'], kind: 'string' },
  { attr: 'out', flag: '--out', path: ['out'], kind: 'string' },
  { attr: 'name', flag: '--name', path: ['name'], kind: 'string' },
  { attr: 'backend', flag: '--backend', path: ['backend'], kind: 'string' },
];

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A flag's number, or its text unchanged so the schema reports `got "abc"` (never coerced silently). */
export function flagNumber(s: string): number | string {
  return NUMBER.test(s.trim()) ? Number(s) : s;
}

function flagValue(kind: FlagKind, s: string): unknown {
  switch (kind) {
    case 'number': return flagNumber(s);
    case 'list': return s.trim() === '' ? [] : s.split(',').map((p) => flagNumber(p));
    case 'names': return s.split(',');
    case 'norm': return s === 'none' ? null : s;
    default: return s;
  }
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets `path` in `tree`, creating (null-prototype) objects; false when a non-object is in the way. */
function setPath(tree: Tree, p: readonly string[], value: unknown): boolean {
  let node = tree;
  for (const key of p.slice(0, -1)) {
    if (!Object.hasOwn(node, key)) node[key] = Object.create(null);
    const next = node[key];
    if (!isTree(next)) return false; // the schema reports the non-object at this key
    node = next;
  }
  node[p[p.length - 1]!] = value;
  return true;
}

/** Lays the flags over the config tree; returns pointer -> flag for messages. */
function applyFlags(tree: Tree, flags: Readonly<Record<string, unknown>>): Map<string, string> {
  const from = new Map<string, string>();
  for (const f of TRAIN_FLAGS) {
    const s = flags[f.attr];
    if (typeof s !== 'string') continue;
    if (f.kind === 'data') {
      // --data csv:<path> sets both the kind and the file.
      const csv = /^csv:/i.exec(s);
      setPath(tree, ['data', 'name'], csv ? 'csv' : s);
      if (csv) {
        setPath(tree, ['data', 'path'], s.slice(4));
        from.set('/data/path', '--data');
      }
    } else {
      setPath(tree, f.path, flagValue(f.kind, s));
    }
    from.set(`/${f.path.map(pointerSegment).join('/')}`, f.flag);
  }
  return from;
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

/** batch_size, BatchSize, batch-size -> batchsize: so snake/kebab/case slips find their key. */
const squash = (k: string): string => k.replace(/[-_\s]/g, '').toLowerCase();

/** Keys of `known` that `key` may be a slip for. */
function nearKeys(key: string, known: readonly string[]): string[] {
  return known.filter((k) => squash(k) === squash(key) || distance(key, k) <= Math.max(2, Math.floor(k.length / 3)) ||
    (k === 'lr' && /^learn/i.test(key)));
}

function unknownKeyMessage(key: string, parent: string): string {
  const known = KNOWN_KEYS.get(parent) ?? [];
  let near = nearKeys(key, known).map((k) => JSON.stringify(k));
  // A key at the wrong level ("lr" at the top) is pointed to where it belongs.
  if (near.length === 0) near = [...KNOWN_KEYS].flatMap(([p, keys]) => (p === parent ? [] : nearKeys(key, keys).map((k) => `${p}/${k}`)));
  const hint = near.length ? `; did you mean ${near.join(' or ')}?` : '';
  return `unknown key${hint} (allowed here: ${known.join(', ')})`;
}

function zodProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const iss of issues) {
    const pointer = iss.path.map((k) => `/${pointerSegment(String(k))}`).join('');
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) out.push({ pointer: `${pointer}/${pointerSegment(k)}`, message: unknownKeyMessage(k, pointer) });
    } else {
      out.push({ pointer, message: iss.message });
    }
  }
  return out;
}

/** Data keys that only some sets take. */
function dataProblems(data: Tree, add: (pointer: string, message: string) => void): void {
  const name = data.name ?? 'digits';
  if (name === 'csv') {
    if (data.path === undefined) add('/data/path', 'is required for csv data (e.g. --data csv:train.csv)');
    if (data.target === undefined) add('/data/target', 'is required for csv data: the column to predict (--target <column>)');
  } else if (typeof name === 'string') {
    for (const k of ['path', 'target', 'targetType', 'ignore']) if (data[k] !== undefined) add(`/data/${k}`, `is only used with csv data, not ${show(name)}`);
  }
  if (data.dir !== undefined && name !== 'fashion-mnist') add('/data/dir', `is only used with fashion-mnist data, not ${show(name)}`);
  if (data.testFraction !== undefined && name === 'fashion-mnist') add('/data/testFraction', 'fashion-mnist has a fixed test set (10000 images); remove this key');
}

/** Options the named optimizer does not have (Adam has no momentum, SGD no betas). */
function optimizerProblems(opt: Tree, add: (pointer: string, message: string) => void): void {
  const name = opt.name ?? 'adam';
  if (typeof name !== 'string' || !(OPTIMIZERS as readonly string[]).includes(name)) return; // the schema reports it
  const allowed = OPTIMIZER_OPTIONS[name]!;
  for (const k of Object.keys(OPTIMIZER_OPTIONS).flatMap((n) => OPTIMIZER_OPTIONS[n]!).filter((k, i, a) => a.indexOf(k) === i)) {
    if (opt[k] !== undefined && !allowed.includes(k)) add(`/optimizer/${k}`, `is not an option of ${name} (its options: lr, ${allowed.join(', ')})`);
  }
}

/** Options the chosen algorithm does not declare, and values its own declaration refuses. */
function algorithmProblems(algo: Tree, add: (pointer: string, message: string) => void): void {
  const name = algo.name ?? 'backprop';
  if (typeof name !== 'string' || !(ALGORITHMS as readonly string[]).includes(name)) return; // the schema reports it
  const own = px.train.algorithmEntry(name)!.options;
  const first = (k: string): px.train.AlgorithmOptionSpec | undefined => ALGORITHMS.map((n) => px.train.algorithmEntry(n)!.options[k]).find((s) => s !== undefined);
  for (const [k, v] of Object.entries(algo)) {
    if (k === 'name' || v === undefined) continue;
    if (!Object.hasOwn(own, k)) {
      if (first(k) !== undefined) add(`/algorithm/${k}`, `is not an option of ${name} (its options: ${Object.keys(own).join(', ') || 'none'})`);
      continue;
    }
    // The schema checked the key against its first declaration; another algorithm's may differ.
    const problem = first(k) === own[k] ? null : px.train.optionProblem(own[k]!, v);
    if (problem !== null) add(`/algorithm/${k}`, problem);
  }
}

/** Model keys the chosen type does not take (an MLP has no grid, a KAN no dropout; FastKAN is always RBF). */
function modelProblems(model: Tree, add: (pointer: string, message: string) => void): void {
  const type = model.type ?? 'mlp';
  if (typeof type !== 'string') return; // the schema reports it
  const foreign: readonly string[] = type === 'mlp' ? KAN_ONLY_KEYS : type === 'kan' || type === 'fastkan' ? MLP_ONLY_KEYS : [];
  for (const k of foreign) if (model[k] !== undefined) add(`/model/${k}`, `is not an option of model type ${type}`);
  if (type === 'fastkan') for (const k of ['basis', 'k']) if (model[k] !== undefined) add(`/model/${k}`, 'is not an option of fastkan (always the Gaussian RBF basis; use type kan with basis "rbf" to choose)');
  if (type === 'kan' && model.k !== undefined && model.basis !== undefined && model.basis !== 'bspline') add('/model/k', `is the B-spline order; basis ${show(model.basis)} has none`);
  if (type === 'kan' && model.basis === 'rbf' && model.grid === 1) add('/model/grid', 'must be at least 2 for the rbf basis (two centres), got 1');
}

/** Rules across fields, checked on the raw tree so they are reported even when other fields are bad. */
function crossProblems(tree: Tree): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (pointer: string, message: string): void => { out.push({ pointer, message }); };
  if (isTree(tree.data)) dataProblems(tree.data, add);
  if (isTree(tree.optimizer)) optimizerProblems(tree.optimizer, add);
  if (isTree(tree.algorithm)) algorithmProblems(tree.algorithm, add);
  if (isTree(tree.model) && !isLayerType(tree.model.type)) modelProblems(tree.model, add);
  const have = px.availableBackends();
  if (typeof tree.backend === 'string' && tree.backend !== 'auto' && !have.includes(tree.backend)) {
    add('/backend', `must be auto or one of ${have.join(', ')}, got ${show(tree.backend)}`);
  }
  return out;
}

/**
 * The validated config of `plexus train`: the --config file (if any) with the flags over it.
 * Throws ConfigError listing every problem; CliError for an unreadable or malformed file.
 */
export function loadTrainConfig(ctx: Ctx, flags: Readonly<Record<string, unknown>>, base?: { tree: Tree; source: string }): { config: TrainConfig; source: string } {
  let tree: Tree = base?.tree ?? (Object.create(null) as Tree);
  let source = base?.source ?? 'command line';
  const problems: ConfigProblem[] = [];
  if (typeof flags.config === 'string') {
    source = flags.config;
    const read = readConfigFile(path.resolve(ctx.cwd, flags.config), flags.config);
    problems.push(...read.problems);
    if (isTree(read.value)) tree = read.value;
    else problems.push({ pointer: '', message: `must be an object, got ${show(read.value)}` });
  }
  const fromFlag = applyFlags(tree, flags);
  // A registered nn layer type: its keys are the module's own, checked by nn.fromConfig at build
  // time (build.ts), so the schema sees the rest of the config only.
  const layer = isTree(tree.model) && isLayerType(tree.model.type) ? { ...tree.model } : null;
  const parsed = TrainConfigSchema.safeParse(layer ? { ...tree, model: {} } : tree);
  problems.push(...(parsed.success ? [] : zodProblems(parsed.error.issues)), ...crossProblems(tree));
  const pathError = outProblem(ctx, tree);
  if (pathError) problems.push({ pointer: typeof tree.out === 'string' ? '/out' : '/name', message: pathError.reason });
  assertPrototypeUnpolluted();
  if (problems.length === 1 && pathError) throw pathError; // alone, keep its own code (PATH_OUTSIDE_ROOT, ...)
  if (problems.length > 0) {
    // Name the flag a value came from: "--lr (/optimizer/lr): must be ...".
    const tagged = problems.map((p) => {
      const flag = [...fromFlag].find(([ptr]) => p.pointer === ptr || p.pointer.startsWith(`${ptr}/`))?.[1];
      return flag ? { ...p, flag } : p;
    });
    throw new ConfigError(source, tagged);
  }
  const config: TrainConfig = layer ? { ...parsed.data!, model: layer as TrainConfig['model'] } : parsed.data!;
  return { config, source };
}

/** The containment check of --out / name (no disk writes), so a bad path is listed with the rest. */
function outProblem(ctx: Ctx, tree: Tree): PathError | null {
  const rel = typeof tree.out === 'string' ? tree.out : typeof tree.name === 'string' && /^[\w.-]+$/.test(tree.name) ? `runs/${tree.name}` : null;
  if (rel === null || rel === '') return null;
  try {
    containedPath(ctx.cwd, rel, typeof tree.out === 'string' ? 'output folder (--out)' : 'run folder (name)');
    return null;
  } catch (e) {
    if (e instanceof PathError) return e;
    throw e;
  }
}

/** 'auto' -> the library's own default backend (the one rule, in src/index.ts); others as given. */
export function resolveBackend(name: string): string {
  return name === 'auto' ? px.defaultBackend() : name;
}

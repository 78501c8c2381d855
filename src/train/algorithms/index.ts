/**
 * @file The training-algorithm registry: every algorithm `fit(model, data, { algorithm: '<name>' })`,
 * `plexus train --algorithm <name>` and `plexus compare` can pick by name, listed once. An entry is
 * its options (options.ts specs: kind, range, default; the CLI derives its config schema from them),
 * a factory, and optionally `appliesTo(model, options)` (why it cannot train that model, checked
 * before training). Adding an algorithm: its file under src/train/algorithms/, ONE line
 * `registerAlgorithm(name, { options, create, appliesTo? })` below, its tests (docs/algorithms.md).
 */
import { ValueError } from '../../core/errors.js';
import type { Module } from '../../nn/module.js';
import type { TrainingAlgorithm } from '../algorithm.js';
import { Backprop } from './backprop.js';
import { FORWARD_FORWARD_OPTIONS, ForwardForward, type ForwardForwardOptions } from './forward-forward.js';
import { MONO_FORWARD_OPTIONS, MonoForward, type MonoForwardOptions } from './mono-forward.js';
import { MULTISTAGE_OPTIONS, createMultiStageFit, multistageAppliesTo } from './multistage.js';
import { SET_OPTIONS, createSET, setAppliesTo } from './set.js';
import { GRADIENT_NOISE_OPTIONS, createNoisyBackprop } from './gradient-noise.js';
import { NOPROP_OPTIONS, NoProp, type NoPropOptions } from './noprop/index.js';
import { type AlgorithmOptionsSpec, resolveAlgorithmOptions } from './options.js';

export interface AlgorithmEntry {
  /** The option specs; `create` receives them validated and completed with the defaults. */
  readonly options: AlgorithmOptionsSpec;
  /** A new algorithm object from resolved options. */
  readonly create: (options: Record<string, unknown>) => TrainingAlgorithm<unknown>;
  /** Why the algorithm cannot train `model` (null: it can). Default: the created object's own appliesTo, if any. */
  readonly appliesTo?: (model: Module, options: Record<string, unknown>) => string | null;
  /** The run losses it can train with (default: any); the CLI refuses other tasks before a run starts. */
  readonly losses?: readonly string[];
  /** One line for help texts and docs. */
  readonly description: string;
}

const REGISTRY = new Map<string, AlgorithmEntry>();
const NAME_RE = /^[a-z][a-z0-9-]*$/;

/** Registers an algorithm under `name` (lower-case, dashes); a name can be registered once. */
export function registerAlgorithm(name: string, entry: AlgorithmEntry): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ValueError(`registerAlgorithm: name must be lower-case letters, digits and dashes, got ${JSON.stringify(name)}`, 'INVALID_ARGUMENT');
  if (REGISTRY.has(name)) throw new ValueError(`registerAlgorithm: '${name}' is already registered`, 'DUPLICATE_ALGORITHM');
  if (typeof entry?.create !== 'function' || typeof entry.options !== 'object' || entry.options === null) {
    throw new ValueError(`registerAlgorithm: '${name}' needs { options, create, description }`, 'INVALID_ARGUMENT');
  }
  REGISTRY.set(name, entry);
}

/** Registered names, in registration order. */
export function algorithmNames(): string[] {
  return [...REGISTRY.keys()];
}

/** The entry of `name`, or undefined. */
export function algorithmEntry(name: string): AlgorithmEntry | undefined {
  return REGISTRY.get(name);
}

function entryOf(name: unknown, who: string): AlgorithmEntry {
  const e = typeof name === 'string' ? REGISTRY.get(name) : undefined;
  if (e === undefined) throw new ValueError(`${who}: unknown algorithm ${JSON.stringify(name)} (registered: ${algorithmNames().join(', ')})`, 'INVALID_ALGORITHM');
  return e;
}

/**
 * The algorithm `name` with `options` validated (unknown option, bad value: ValueError naming it).
 * With `model`, also refuses one the algorithm does not apply to (code ALGORITHM_NOT_APPLICABLE).
 * @example const mf = train.createAlgorithm('mono-forward', { head: 'linear' });
 */
export function createAlgorithm(name: string, options: Record<string, unknown> = {}, model?: Module): TrainingAlgorithm<unknown> {
  const entry = entryOf(name, 'createAlgorithm');
  const resolved = resolveAlgorithmOptions<Record<string, unknown>>(name, entry.options, options);
  const algorithm = entry.create(resolved);
  if (model !== undefined) {
    const problem = entry.appliesTo ? entry.appliesTo(model, resolved) : (algorithm.appliesTo?.(model) ?? null);
    if (problem !== null) throw new ValueError(`${name} does not apply to this model: ${problem}`, 'ALGORITHM_NOT_APPLICABLE');
  }
  return algorithm;
}

registerAlgorithm('backprop', { options: {}, create: () => new Backprop(), description: 'backpropagation: one global loss, gradients through every layer' });
registerAlgorithm('forward-forward', { options: FORWARD_FORWARD_OPTIONS, create: (o) => new ForwardForward(o as ForwardForwardOptions), losses: ['crossEntropy'], description: 'Forward-Forward (Hinton 2022), optionally collaborative (Lorberbom et al. 2023): per-layer goodness of positive vs negative data' });
registerAlgorithm('mono-forward', { options: MONO_FORWARD_OPTIONS, create: (o) => new MonoForward(o as MonoForwardOptions), losses: ['crossEntropy'], description: 'Mono-Forward (Gong et al. 2025): per-layer projections to class scores, local cross-entropy' });
registerAlgorithm('multistage', { options: MULTISTAGE_OPTIONS, create: createMultiStageFit, appliesTo: multistageAppliesTo, losses: ['mse'], description: 'multi-stage fitting (Wang & Lai 2023): each stage fits the normalised residue, Adam then L-BFGS; one stage per epoch, whole data set as one batch' });
registerAlgorithm('set', { options: SET_OPTIONS, create: createSET, appliesTo: setAppliesTo, description: 'Sparse Evolutionary Training (Mocanu et al. 2018): backprop on Erdős–Rényi sparse layers, prune zeta and regrow after each epoch' });
registerAlgorithm('gradient-noise', { options: GRADIENT_NOISE_OPTIONS, create: createNoisyBackprop, description: 'backprop with annealed Gaussian gradient noise N(0, eta/(1+t)^gamma) (Neelakantan et al. 2015), after clipping' });
registerAlgorithm('noprop', { options: NOPROP_OPTIONS, create: (o) => new NoProp(o as NoPropOptions), losses: ['crossEntropy'], description: 'NoProp-DT (Li, Teh & Pascanu 2025): each block denoises a noisy label embedding on its own loss and optimizer; no gradient between blocks (trains an nn.NoPropModel)' });

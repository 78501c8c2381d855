/**
 * @file The optimizer registry: every optimizer the CLI (and anything else that picks one by name)
 * can build, listed once. Each entry carries its constructor, the options a config may set besides
 * `lr` (with the kind of value each takes, so a schema can be derived), the defaults, and how many
 * parameter-sized buffers it keeps (for memory estimates). Adding an optimizer: its file, one entry
 * here, its tests. Plain data, no file system: the public entry loads in a browser.
 */
import type { BaseHyper, Optimizer, Params } from './optimizer.js';
import { Adagrad, DEFAULTS as ADAGRAD } from './adagrad.js';
import { Adam, DEFAULTS as ADAM } from './adam.js';
import { AdamW, DEFAULTS as ADAMW } from './adamw.js';
import { LAMB, DEFAULTS as LAMB_DEFAULTS } from './lamb.js';
import { LARS, DEFAULTS as LARS_DEFAULTS } from './lars.js';
import { Layca, DEFAULTS as LAYCA_DEFAULTS } from './layca.js';
import { RMSprop, DEFAULTS as RMSPROP } from './rmsprop.js';
import { SGD, DEFAULTS as SGD_DEFAULTS } from './sgd.js';

/** The kind of value an option takes: a finite number >= 0, > 0, in [0, 1), a boolean, or two numbers in [0, 1). */
export type OptionKind = 'nonNegative' | 'positive' | 'unitInterval' | 'boolean' | 'betas';

export interface OptimizerEntry {
  /** The config / CLI name (lower case). */
  readonly name: string;
  readonly ctor: new (params: Params<BaseHyper>, options?: Record<string, unknown>) => Optimizer<BaseHyper>;
  /** Options a config may set besides `lr`, with their kinds (PyTorch's meaning, camelCase). */
  readonly options: Readonly<Record<string, OptionKind>>;
  /** The optimizer's defaults (lr included). */
  readonly defaults: Readonly<object>;
  /** Parameter-sized state buffers it keeps at most (with the options above). */
  readonly buffers: number;
}

type AnyCtor = OptimizerEntry['ctor'];

/** Every optimizer, by config name, in the order help texts list them. */
export const OPTIMIZERS: readonly OptimizerEntry[] = [
  { name: 'sgd', ctor: SGD as unknown as AnyCtor, options: { weightDecay: 'nonNegative', momentum: 'unitInterval', nesterov: 'boolean' }, defaults: SGD_DEFAULTS, buffers: 1 },
  { name: 'adam', ctor: Adam as unknown as AnyCtor, options: { weightDecay: 'nonNegative', betas: 'betas', eps: 'positive' }, defaults: ADAM, buffers: 2 },
  { name: 'adamw', ctor: AdamW as unknown as AnyCtor, options: { weightDecay: 'nonNegative', betas: 'betas', eps: 'positive' }, defaults: ADAMW, buffers: 2 },
  { name: 'rmsprop', ctor: RMSprop as unknown as AnyCtor, options: { weightDecay: 'nonNegative', momentum: 'unitInterval', eps: 'positive' }, defaults: RMSPROP, buffers: 2 },
  { name: 'adagrad', ctor: Adagrad as unknown as AnyCtor, options: { weightDecay: 'nonNegative', eps: 'positive' }, defaults: ADAGRAD, buffers: 1 },
  { name: 'lamb', ctor: LAMB as unknown as AnyCtor, options: { weightDecay: 'nonNegative', betas: 'betas', eps: 'positive' }, defaults: LAMB_DEFAULTS, buffers: 2 },
  { name: 'lars', ctor: LARS as unknown as AnyCtor, options: { weightDecay: 'nonNegative', momentum: 'unitInterval' }, defaults: LARS_DEFAULTS, buffers: 1 },
  { name: 'layca', ctor: Layca as unknown as AnyCtor, options: { momentum: 'unitInterval' }, defaults: LAYCA_DEFAULTS, buffers: 1 },
];

/** The entry named `name`, or undefined. */
export function optimizerEntry(name: string): OptimizerEntry | undefined {
  return OPTIMIZERS.find((o) => o.name === name);
}

/**
 * @file Sparse Evolutionary Training (Mocanu et al. 2018, "Scalable training of artificial neural
 * networks with adaptive sparse connectivity inspired by network science", Nat. Commun. 9:2383,
 * https://doi.org/10.1038/s41467-018-04316-3) as a `TrainingAlgorithm`, over a model holding
 * `nn.SparseLinear` layers (e.g. `nn.SparseMLP`; their Erdős–Rényi epsilon is a layer option):
 *
 *   each batch: backprop on the sparse weights only (W = values at indices);
 *   after each epoch, in every sparse layer:
 *     remove the fraction zeta of the positive weights closest to 0 and of the negative ones closest to 0,
 *     regrow as many connections at uniformly random empty positions (values from the layer's init),
 *   so the parameter count never changes.
 *
 * The optimizer's per-parameter buffers (momentum, Adam moments) follow the surviving connections to
 * their new slots; regrown connections start with zero buffers. With `epochs` given, the evolution
 * after that (last) epoch is skipped, as in the reference implementation, so the trained model is
 * not left with freshly random connections. The random positions come from `seed` (a generator of
 * the algorithm's own, `generatorState()` / `setGeneratorState()` for checkpoints) or, by default,
 * from the default generator (which checkpoints save). Topology is model state: the layers'
 * `indices` buffers are saved and loaded with the weights.
 * Options: zeta in (0, 1) (default 0.3), epochs (integer >= 1, optional), seed (integer, optional).
 */
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator, defaultGenerator } from '../../core/rng.js';
import type { Batch } from '../../data/dataset.js';
import type { Module } from '../../nn/module.js';
import { SparseLinear } from '../../nn/sparse/index.js';
import { isNum, isPlainObject, show } from '../../optim/hyper.js';
import type { EpochInfo, StepMetrics, TrainContext, TrainingAlgorithm } from '../algorithm.js';
import { Backprop, type BackpropState } from './backprop.js';

export interface SETOptions {
  /** Fraction of the positive and of the negative weights replaced after each epoch, in (0, 1) (default 0.3). */
  zeta?: number;
  /** fit's epochs: no evolution after this one (default: evolve after every epoch). */
  epochs?: number;
  /** Seed of the algorithm's own generator (default: use the default generator). */
  seed?: number;
}

const KEYS = ['zeta', 'epochs', 'seed'];

/** Validates SET options (typed ValueError naming the option); returns them resolved. */
export function parseSETOptions(opts: unknown = {}): { zeta: number; epochs?: number; seed?: number } {
  const bad = (msg: string, code = 'INVALID_ARGUMENT'): never => { throw new ValueError(`SET: ${msg}`, code); };
  if (!isPlainObject(opts)) bad(`options must be an object {zeta?, epochs?, seed?}, got ${show(opts)}`);
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) bad(`unknown option '${k}' (known: ${KEYS.join(', ')})`, 'UNKNOWN_OPTION');
  const zeta = o.zeta ?? 0.3;
  if (!(isNum(zeta) && zeta > 0 && zeta < 1)) bad(`zeta must be a number in (0, 1), got ${show(zeta)}`);
  if (o.epochs !== undefined && !(Number.isInteger(o.epochs) && (o.epochs as number) >= 1)) bad(`epochs must be an integer >= 1, got ${show(o.epochs)}`);
  if (o.seed !== undefined && !(isNum(o.seed) && Number.isInteger(o.seed))) bad(`seed must be an integer, got ${show(o.seed)}`);
  return { zeta: zeta as number, ...(o.epochs === undefined ? {} : { epochs: o.epochs as number }), ...(o.seed === undefined ? {} : { seed: o.seed as number }) };
}

/**
 * The options as declared data for the algorithm registry (kind, range, default, doc; the shape of
 * train/algorithms/options.ts' AlgorithmOptionsSpec). `epochs` 0 means "evolve after every epoch".
 * The registry's SET draws from the default generator (no seed option), which checkpoints save.
 */
export const SET_OPTIONS = {
  zeta: { kind: 'number', gt: 0, max: 1, default: 0.3, doc: 'fraction of the positive and of the negative weights replaced after each epoch, in (0, 1) (1 itself is refused by SET)' },
  epochs: { kind: 'integer', min: 0, default: 0, doc: "no evolution after this epoch (fit's epochs); 0: evolve after every epoch" },
} as const;

/** Why SET cannot train `model` (it has no nn.SparseLinear layer), or null. */
export function setAppliesTo(model: Module): string | null {
  return model.modules().some((m) => m instanceof SparseLinear) ? null : `SET evolves nn.SparseLinear layers and ${model.constructor.name} has none (use nn.SparseMLP)`;
}

/** A SET from resolved registry options (SET_OPTIONS). */
export function createSET(o: Record<string, unknown>): SET {
  return new SET({ zeta: o.zeta as number, ...((o.epochs as number) > 0 ? { epochs: o.epochs as number } : {}) });
}

export interface SETState extends BackpropState {
  layers: SparseLinear[];
  /** Evolutions done in this run. */
  evolutions: number;
}

/**
 * @example
 * const model = new nn.SparseMLP([784, 1000, 1000, 1000, 10], { epsilon: 20, dropout: 0.3 });
 * await fit(model, train, { optimizer: new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }), epochs: 10, algorithm: new SET({ zeta: 0.3, epochs: 10 }) });
 */
export class SET implements TrainingAlgorithm<SETState> {
  readonly name = 'set';
  readonly zeta: number;
  readonly epochs: number | undefined;
  readonly generator: Generator;
  private readonly backprop = new Backprop();

  constructor(options: SETOptions = {}) {
    const o = parseSETOptions(options);
    this.zeta = o.zeta;
    this.epochs = o.epochs;
    this.generator = o.seed === undefined ? defaultGenerator : new Generator(o.seed);
  }

  init(model: Module, ctx: TrainContext): SETState {
    const layers = model.modules().filter((m): m is SparseLinear => m instanceof SparseLinear);
    if (layers.length === 0) throw new ValueError(`SET: the model has no nn.SparseLinear layer to evolve (use nn.SparseMLP or SparseLinear layers), got ${model.constructor.name}`, 'INVALID_ARGUMENT');
    return { ...this.backprop.init(model, ctx), layers, evolutions: 0 };
  }

  step(model: Module, batch: Batch, state: SETState): StepMetrics {
    return this.backprop.step(model, batch, state);
  }

  onEpochEnd(model: Module, state: SETState, info: EpochInfo): void {
    this.backprop.onEpochEnd(model, state, info);
    if (this.epochs !== undefined && info.epoch >= this.epochs) return;
    for (const layer of state.layers) evolveLayer(layer, this.zeta, this.generator, state);
    state.evolutions++;
  }

  /** The algorithm's generator state (for a checkpoint's extra; with no seed it is the default generator's). */
  generatorState(): number[] {
    return this.generator.getState();
  }

  setGeneratorState(s: readonly number[]): void {
    this.generator.setState(s);
  }
}

/** One layer's evolution, with the optimizer's buffers for `values` moved along. */
function evolveLayer(layer: SparseLinear, zeta: number, g: Generator, state: SETState): void {
  const from = layer.evolve(zeta, g);
  const s = state.ctx.optimizer.state.get(layer.values);
  if (s === undefined) return;
  noGrad(() => {
    for (const buf of Object.values(s)) {
      if (typeof buf === 'number' || buf.size !== from.length) continue;
      const old = Float64Array.from(buf._peek());
      buf.mutate((a) => { for (let j = 0; j < from.length; j++) a[j] = from[j]! >= 0 ? old[from[j]!]! : 0; });
    }
  });
}

/**
 * @file Model and optimizer from a validated config. The order of random draws is part of the
 * contract that makes `plexus train` reproducible and equal to a direct `fit` call:
 *   manualSeed(seed) -> new nn.MLP(...) (its init draws) -> fit(..., { seed }) (the shuffle's own generator).
 *
 * A `model.type` that names a registered nn layer (MLPMixer, ResMLP, HourglassMLP, ... any
 * nn.registeredModules() entry) is built by nn.fromConfig from the model keys, with the sizes the
 * data decides filled in where the config leaves them out and the module reads them (dataFill):
 * the same call a library user makes, `nn.fromConfig(model, { fill })`.
 */
import { px } from './api.js';
import { type TrainConfig, builtinModel, isLayerModel } from './config-schema.js';
import type { ConfigProblem } from './errors.js';

type Module = InstanceType<typeof px.nn.Module>;
type Optimizer = px.optim.Optimizer<px.optim.BaseHyper>;
type JsonValue = px.nn.JsonValue;

/** What the data says about the model's ends. */
export interface DataShape {
  inputs: number;
  outputs: number;
  /** Number of classes (classification only). */
  classes: number | null;
  /** Image sets: [h, w] and channels behind the flat rows. */
  image: { size: [number, number]; channels: number } | null;
}

/**
 * The keys the CLI fills for a layer model from the data: inFeatures and outFeatures (flat input
 * width, output width), numClasses (classification), imageSize and inChannels (image sets). A key
 * the config gives wins; a key the module does not read is not passed.
 */
export function dataFill(d: DataShape): Record<string, JsonValue> {
  return {
    inFeatures: d.inputs, outFeatures: d.outputs,
    ...(d.classes === null ? {} : { numClasses: d.classes }),
    ...(d.image === null ? {} : { imageSize: [...d.image.size], inChannels: d.image.channels }),
  };
}

/**
 * Seeds the global generator and builds [inputs, ...hidden, outputs]: an MLP, a KAN (basis, grid,
 * k) or a FastKAN (Gaussian RBF basis with LayerNorm, grid = centres); or the registered nn layer
 * the model type names (nn.fromConfig with dataFill; its errors are ValueErrors naming model.<key>).
 */
export function buildModel(cfg: TrainConfig, inputs: number, outputs: number, fill: Record<string, JsonValue> = {}): Module {
  px.manualSeed(cfg.seed);
  if (isLayerModel(cfg.model)) return px.nn.fromConfig(cfg.model, { path: 'model', fill });
  const m = builtinModel(cfg.model);
  const widths = [inputs, ...m.hidden, outputs];
  if (m.type === 'kan') return new px.nn.KAN(widths, { basis: (m.basis ?? 'bspline') as px.nn.BasisName, ...(m.grid === undefined ? {} : { grid: m.grid }), k: m.k ?? 3 });
  if (m.type === 'fastkan') return new px.nn.KAN(widths, { basis: 'rbf', grid: m.grid ?? 8 });
  return new px.nn.MLP(widths, {
    activation: m.activation as px.nn.ActivationName, dropout: m.dropout, norm: m.norm as px.nn.NormName | null, residual: m.residual,
  });
}

/**
 * A layer model's build error as a config problem: the JSON pointer of the key it names
 * (`model.patchSize` in fromConfig's messages, or a model key the constructor's message names),
 * and a note on the filled keys when a required one is missing.
 */
export function layerProblem(e: Error, model: Readonly<Record<string, unknown>>, fill: Readonly<Record<string, unknown>>): ConfigProblem {
  let message = e.message;
  let key: string | undefined;
  const reader = /^fromConfig\([^)]*\): model\.([A-Za-z_$][\w$]*) (.*)$/s.exec(message);
  const unknown = /unknown key\(s\) "([^"]+)"/.exec(message);
  if (reader) {
    key = reader[1]!;
    message = reader[2]!;
    if (/, got undefined$/.test(message)) {
      message = `is required by ${String(model.type)} (${message.replace(/, got undefined$/, '')}); the CLI fills ${Object.keys(fill).join(', ')} from this data set`;
    }
  } else if (unknown) {
    key = unknown[1]!;
  } else {
    key = [...Object.keys(model), ...Object.keys(fill)].find((k) => k !== 'type' && new RegExp(`\\b${k}\\b`).test(message));
  }
  return { pointer: key === undefined ? '/model' : `/model/${key}`, message };
}

/** The optimizer the config names, with only the options it gave (the rest: the optimizer's defaults). */
export function buildOptimizer(cfg: TrainConfig, model: Module): Optimizer {
  const { name, ...given } = cfg.optimizer;
  const opts = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const Ctor = px.optim.optimizerEntry(name)!.ctor;
  return new Ctor(model.parameters(), opts); // the schema admits registered names only
}

const showValue = (v: unknown): string => (Array.isArray(v) ? v.join('x') : String(v));

/** "MLP 64-128-10 relu", "KAN 64-128-10 bspline grid 5 k 3", "FastKAN 64-128-10 rbf grid 8", "MLPMixer imageSize 28x28 patchSize 4x4 ..." */
export function describeModel(cfg: TrainConfig, inputs: number, outputs: number, model?: Module): string {
  if (isLayerModel(cfg.model)) {
    const { type, dtype: _dtype, ...args } = (model?.getConfig() ?? cfg.model) as Record<string, unknown>;
    return `${String(type)} ${Object.entries(args).map(([k, v]) => `${k} ${showValue(v)}`).join(', ')}`;
  }
  const m = builtinModel(cfg.model);
  const sizes = [inputs, ...m.hidden, outputs].join('-');
  if (m.type === 'kan') {
    const basis = m.basis ?? 'bspline';
    return `KAN ${sizes} ${basis} grid ${m.grid ?? px.nn.BASIS_DEFAULT_SIZES[basis as px.nn.BasisName]}${basis === 'bspline' ? ` k ${m.k ?? 3}` : ''}`;
  }
  if (m.type === 'fastkan') return `FastKAN ${sizes} rbf grid ${m.grid ?? 8}`;
  const extras = [m.norm ? `${m.norm} norm` : '', m.dropout > 0 ? `dropout ${m.dropout}` : '', m.residual ? 'residual' : ''].filter(Boolean);
  return `MLP ${[inputs, ...m.hidden, outputs].join('-')} ${m.activation}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

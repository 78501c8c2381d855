/**
 * @file The schema of `plexus train` configs (zod, strict objects: an unknown key is an error, so a
 * typo such as `learningRat` is caught rather than silently ignored). Numbers must be JSON numbers:
 * no coercion of "10" to 10, and zod 4 refuses NaN and ±Infinity. Every message reads
 * "must be <what>, got <value>" so the CLI can print `/optimizer/lr: must be a finite number > 0, got "0.1"`.
 *
 * Cross-field rules (csv needs a path, momentum only for the optimizers that have one, ...) are in
 * config.ts, because zod skips refinements of an object that already has an issue, and every
 * problem must be reported at once.
 */
import { z } from 'zod';
import { px } from './api.js';

/** A value as messages show it: strings quoted, numbers as JS prints them (Infinity), short. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** zod error callback producing "must be <want>, got <input>". */
const must = (want: string) => (iss: { input?: unknown }): string => `must be ${want}, got ${show(iss.input)}`;

const int = (min: number, max: number, want = `an integer in [${min}, ${max}]`) => z.int({ error: must(want) }).min(min).max(max);
const positive = (want = 'a finite number > 0') => z.number({ error: must(want) }).positive();
const nonNegative = () => z.number({ error: must('a finite number >= 0') }).nonnegative();
const unitOpen = (want = 'a number in [0, 1)') => z.number({ error: must(want) }).min(0).lt(1);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: must(`one of ${values.join(', ')}`) });
const bool = () => z.boolean({ error: must('true or false') });
const text = (want: string) => z.string({ error: must(want) }).min(1);
const object = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape, { error: must('an object') });

export const DATASETS = ['digits', 'iris', 'fashion-mnist', 'csv'] as const;
/** mlp; kan = KAN (Liu et al. 2024) with `basis`, `grid`, `k`; fastkan = Gaussian-RBF KAN with LayerNorm (Li 2024). */
export const MODEL_TYPES = ['mlp', 'kan', 'fastkan'] as const;

/**
 * The other values `model.type` takes: every registered nn layer type (nn.registeredModules(), read
 * when asked, so a family that registers a module is usable here with no CLI change). Such a model's
 * other keys are the module's own config keys, checked by nn.fromConfig when the model is built.
 */
export function layerTypes(): string[] {
  return px.nn.registeredModules().filter((t) => !(MODEL_TYPES as readonly string[]).includes(t));
}

/** True when `type` names a registered nn layer rather than a built-in shorthand. */
export function isLayerType(type: unknown): type is string {
  return typeof type === 'string' && layerTypes().includes(type);
}
/** Model keys only some types take (config.ts reports them on the others). */
export const MLP_ONLY_KEYS = ['activation', 'dropout', 'norm', 'residual'] as const;
export const KAN_ONLY_KEYS = ['grid', 'k', 'basis'] as const;
/** Optimizer names, options and defaults come from the library's registry (optim.OPTIMIZERS). */
export const OPTIMIZERS = px.optim.OPTIMIZERS.map((o) => o.name) as unknown as readonly [string, ...string[]];
/** Norm names: the library's registry (nn.NORM_NAMES). */
export const NORMS = px.nn.NORM_NAMES;
export type OptimizerName = string;

/** The options each optimizer takes beyond name and lr (their meaning is PyTorch's). */
export const OPTIMIZER_OPTIONS: Readonly<Record<OptimizerName, readonly string[]>> = Object.fromEntries(px.optim.OPTIMIZERS.map((o) => [o.name, Object.keys(o.options)]));

const OPTION_SCHEMAS: Readonly<Record<px.optim.OptionKind, () => z.ZodType>> = {
  nonNegative: () => nonNegative(),
  positive: () => positive(),
  unitInterval: () => unitOpen(),
  boolean: () => bool(),
  betas: () => z.tuple([unitOpen(), unitOpen()], { error: must('two numbers in [0, 1)') }),
};

/** Every option key any optimizer takes, with the schema of its kind. */
function optionShape(): Record<string, z.ZodOptional<z.ZodType>> {
  const out: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const o of px.optim.OPTIMIZERS) for (const [k, kind] of Object.entries(o.options)) out[k] ??= OPTION_SCHEMAS[kind]().optional();
  return out;
}

/** Training algorithms: the library's registry (train.algorithmNames(), read when this module loads). */
export const ALGORITHMS = px.train.algorithmNames() as unknown as readonly [string, ...string[]];

/** The zod schema of one declared algorithm option (its spec in the library's registry). */
function algorithmOptionSchema(spec: px.train.AlgorithmOptionSpec): z.ZodType {
  const want = px.train.describeOption(spec);
  switch (spec.kind) {
    case 'boolean': return bool();
    case 'enum': return oneOf(spec.values as unknown as readonly [string, ...string[]]);
    case 'integer': return z.int({ error: must(want) }).min(spec.min, { error: must(want) }).max(spec.max ?? Number.MAX_SAFE_INTEGER, { error: must(want) });
    case 'numbers': return z.array(z.number({ error: must(want) }), { error: must(want) }).refine((v) => px.train.optionProblem(spec, v) === null, { error: must(want) });
    case 'number': {
      let n = z.number({ error: must(want) });
      if (spec.gt !== undefined) n = n.gt(spec.gt, { error: must(want) });
      if (spec.min !== undefined) n = n.min(spec.min, { error: must(want) });
      if (spec.max !== undefined) n = n.max(spec.max, { error: must(want) });
      return n;
    }
  }
}

/** Every option key any algorithm declares (the first declaration gives its schema; config.ts checks the chosen algorithm's own). */
function algorithmOptionShape(): Record<string, z.ZodOptional<z.ZodType>> {
  const out: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const name of ALGORITHMS) {
    for (const [k, spec] of Object.entries(px.train.algorithmEntry(name)!.options)) out[k] ??= algorithmOptionSchema(spec).optional();
  }
  return out;
}

export const ALGORITHM_SHAPE = {
  /** backprop (default), forward-forward, mono-forward, ... (train.algorithmNames()). */
  name: oneOf(ALGORITHMS).default('backprop'),
  ...algorithmOptionShape(),
};

export const DATA_SHAPE = {
  /** Which data: a built-in set, Fashion-MNIST (Debian package) or a CSV file. */
  name: oneOf(DATASETS).default('digits'),
  /** csv: the file (relative to the working folder). */
  path: z.string({ error: must('a file path') }).min(1, { error: 'must be a non-empty file path' }).optional(),
  /** csv: the target column. */
  target: text('a column name').optional(),
  /** csv: 'categorical' = classification, 'numeric' = regression, 'auto' = categorical unless every label is a number. */
  targetType: oneOf(['auto', 'categorical', 'numeric']).optional(),
  /** csv: columns to leave out of the features (e.g. an id). */
  ignore: z.array(text('a column name'), { error: must('an array of column names') }).optional(),
  /** digits / iris / csv: fraction held out as the test set (default 0.2). */
  testFraction: z.number({ error: must('a number in (0, 1)') }).gt(0).lt(1).optional(),
  /** fashion-mnist: folder of the four IDX files (default the Debian package's). */
  dir: text('a folder path').optional(),
};

export const MODEL_SHAPE = {
  type: z.enum(MODEL_TYPES, { error: (iss) => `must be one of ${MODEL_TYPES.join(', ')} or a registered nn layer type (${layerTypes().join(', ')}), got ${show(iss.input)}` }).default('mlp'),
  /** Hidden layer widths; input and output sizes come from the data. */
  hidden: z.array(int(1, 65536, 'an integer in [1, 65536]'), { error: must('an array of layer widths') }).max(64).default([128]),
  activation: oneOf(px.nn.ACTIVATION_NAMES as unknown as readonly [string, ...string[]]).default('relu'),
  dropout: unitOpen().default(0),
  norm: oneOf(NORMS as unknown as readonly [string, ...string[]]).nullable().default(null),
  residual: bool().default(false),
  /** kan / fastkan: the basis resolution (B-spline intervals G, RBF centres, Chebyshev degree, Fourier frequencies); default 5 (kan), 8 (fastkan). */
  grid: int(1, 1000).optional(),
  /** kan with basis bspline: the spline order (default 3). */
  k: int(0, 10).optional(),
  /** kan: the activation space (default bspline). */
  basis: oneOf(px.nn.BASIS_NAMES as unknown as readonly [string, ...string[]]).optional(),
};

export const OPTIMIZER_SHAPE = {
  name: oneOf(OPTIMIZERS).default('adam'),
  /** Default: the optimizer's own (optim.OPTIMIZERS[i].defaults.lr). */
  lr: positive().optional(),
  ...optionShape(),
};

export const TOP_SHAPE = {
  /** Run folder name under runs/ (default: a timestamp). */
  name: z.string({ error: must('a folder name') }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: must('a folder name of letters, digits, ".", "_" or "-" (at most 100)') }).optional(),
  /** Run folder (default runs/<name>); must lie inside the working folder. */
  out: z.string({ error: must('a folder path') }).min(1, { error: 'must be a non-empty folder path' }).optional(),
  /** 'auto' = the fastest registered backend (wasm, then js, then reference). */
  backend: text('a backend name').default('auto'),
  seed: int(0, 2 ** 32 - 1).default(0),
  epochs: int(1, 1_000_000).default(20),
  batchSize: int(1, 1_000_000).default(32),
  /** Clip the global gradient norm to this before each step (default: no clipping). */
  clipGradNorm: positive().nullable().default(null),
  data: object(DATA_SHAPE).prefault({}),
  model: object(MODEL_SHAPE).prefault({}),
  optimizer: object(OPTIMIZER_SHAPE).prefault({}),
  /** The training algorithm and its options ({ name: 'forward-forward', threshold: 2 }). */
  algorithm: object(ALGORITHM_SHAPE).prefault({}),
};

export const TrainConfigSchema = object(TOP_SHAPE);
/** The model section for mlp, kan and fastkan. */
export type BuiltinModelConfig = z.output<typeof TrainConfigSchema>['model'];
/** The model section when `type` is a registered nn layer: that module's own config keys. */
export interface LayerModelConfig {
  type: string;
  [key: string]: unknown;
}
export type TrainConfig = Omit<z.output<typeof TrainConfigSchema>, 'model'> & { model: BuiltinModelConfig | LayerModelConfig };

/** A model section of a registered nn layer type (built with nn.fromConfig). */
export function isLayerModel(m: TrainConfig['model']): m is LayerModelConfig {
  return !(MODEL_TYPES as readonly string[]).includes(m.type);
}

/** The built-in model section (callers have ruled out a layer model). */
export function builtinModel(m: TrainConfig['model']): BuiltinModelConfig {
  return m as BuiltinModelConfig;
}

/** Allowed keys by object pointer, for "unknown key" messages. */
export const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(TOP_SHAPE)],
  ['/data', Object.keys(DATA_SHAPE)],
  ['/model', Object.keys(MODEL_SHAPE)],
  ['/optimizer', Object.keys(OPTIMIZER_SHAPE)],
  ['/algorithm', Object.keys(ALGORITHM_SHAPE)],
]);

/**
 * @file Reading a model's intermediate representations: `activations(model, X, layers)` runs X
 * through the model (in batches, without gradients, in eval mode) and collects the output of each
 * named module by forward hooks (Module.registerForwardHook), removed again even when forward throws.
 * Layers are the qualified names of `model.namedModules()` ('layers.0', 'encoder.2', ...).
 * `layerCKA` compares every layer of one model with every layer of another on the same inputs.
 *
 * Read-only: the modes (training flags) are restored, no gradient is made, BatchNorm statistics are
 * not updated (eval mode), no parameter is touched. Outputs are host float64 copies [N, features]
 * (an output of rank > 2 is flattened per sample), taken inside the hook, so they survive the
 * forward's frame.
 */
import { tensor } from '../core/create.js';
import { PlexusError, ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { checkArgCount, checkOptions } from '../core/args.js';
import { noGrad } from '../core/grad-mode.js';
import { scope } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import { sliceAxis } from '../ops/primitives/movement.js';
import { Module } from '../nn/module.js';
import { type CKAOptions, ckaMatrix } from './similarity/cka.js';

export interface ActivationOptions {
  /** Samples per forward pass (default 256). */
  batchSize?: number;
}

/** A layer name that is not a module of the model; `available` lists the names that are. */
export class UnknownLayerError extends ValueError {
  constructor(where: string, readonly layer: string, readonly available: readonly string[]) {
    super(`${where}: unknown layer ${JSON.stringify(layer)}; the model's layers (namedModules) are: ${available.map((a) => JSON.stringify(a)).join(', ')}`, 'UNKNOWN_LAYER');
  }
}

/** The modules of `model` under `layers`, checked (unknown names, duplicates). */
function resolveLayers(model: Module, layers: unknown, where: string): [string, Module][] {
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((l) => typeof l === 'string')) {
    throw new ValueError(`${where}: layers must be a non-empty array of module names (see model.namedModules()), got ${Array.isArray(layers) ? `[${layers.map(String).join(', ')}]` : typeof layers}`);
  }
  const byName = new Map(model.namedModules());
  const seen = new Set<string>();
  return (layers as string[]).map((name) => {
    const m = byName.get(name);
    if (!m) throw new UnknownLayerError(where, name, [...byName.keys()].filter((k) => k !== ''));
    if (seen.has(name)) throw new ValueError(`${where}: layer ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    return [name, m];
  });
}

/**
 * Records the innermost module whose forward threw, so a failure names the layer (an own `forward`
 * wrapper on every module for the duration of the call; `remove()` restores each exactly). A child
 * that its parent's fast path calls without `forward` (an MLP's fused hidden layers) is not seen: the
 * failure is then named by the parent.
 */
function failureTracker(model: Module): { failedAt(): [string, string] | null; remove(): void } {
  let failed: [string, string] | null = null;
  const restores: (() => void)[] = [];
  for (const [name, m] of model.namedModules()) {
    const own = Object.getOwnPropertyDescriptor(m, 'forward');
    const inner = m.forward as (...inputs: Tensor[]) => Tensor;
    Object.defineProperty(m, 'forward', {
      configurable: true, enumerable: false, writable: true,
      value: function trackedForward(this: Module, ...inputs: Tensor[]): Tensor {
        try {
          return inner.apply(this, inputs);
        } catch (e) {
          failed ??= [name === '' ? '(the model)' : name, m.constructor.name];
          throw e;
        }
      },
    });
    restores.push(() => {
      if (own) Object.defineProperty(m, 'forward', own);
      else delete (m as { forward?: unknown }).forward;
    });
  }
  return { failedAt: () => failed, remove: () => { for (const r of restores.reverse()) r(); } };
}

/** The layers a model's analysis defaults to: modules holding parameters of their own, in order. */
export function defaultLayers(model: Module): string[] {
  const own = new Set(model.namedParameters().map(([k]) => k.slice(0, Math.max(0, k.lastIndexOf('.')))));
  return model.namedModules().map(([k]) => k).filter((k) => k !== '' && own.has(k));
}

function batchSizeOf(opts: ActivationOptions | undefined, where: string): number {
  const bs = opts?.batchSize ?? 256;
  if (!(Number.isInteger(bs) && bs >= 1)) throw new ValueError(`${where}: batchSize must be an integer >= 1, got ${String(bs)}`);
  return bs;
}

/**
 * The outputs of `layers` of `model` on X [N, ...]: a Map from layer name to a float64 Tensor
 * [N, features]. A layer that runs more than once per forward (a shared module) is refused: its
 * output would be ambiguous. Input that does not fit the model is a ShapeError naming X's shape
 * and the model's complaint.
 * @example const acts = analysis.activations(model, xTest, ['layers.0', 'layers.1']);
 */
export function activations(model: Module, X: Tensor, layers: readonly string[], opts?: ActivationOptions, ...rest: unknown[]): Map<string, Tensor> {
  const where = 'activations';
  checkArgCount(where, 4 + rest.length, 4, 'activations(model, X, layers, options?)');
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be an nn.Module, got ${model === null ? 'null' : typeof model}`);
  if (!(X instanceof Tensor)) throw new ValueError(`${where}: X must be a Tensor [N, ...], got ${X === null ? 'null' : typeof X}`);
  if (X.rank < 1 || X.shape[0] === 0) throw new ShapeError(`${where}: X must hold at least one sample along dim 0, got shape ${fmtShape(X.shape)}`);
  const o = checkOptions(where, opts, ['batchSize']);
  const bs = batchSizeOf(o, where);
  const mods = resolveLayers(model, layers, where);
  const N = X.shape[0]!;
  const chunks = mods.map(() => [] as Float64Array[]);
  const widths = mods.map(() => -1);
  let calls = mods.map(() => 0);
  let rows = 0;
  const handles = mods.map(([name, m], li) => m.registerForwardHook((_mod, _inputs, out) => {
    if (++calls[li]! > 1) throw new ValueError(`${where}: layer ${JSON.stringify(name)} ran more than once in one forward (a module shared by several places); choose a module that runs once`, 'AMBIGUOUS_LAYER');
    if (out.rank < 1 || out.shape[0] !== rows) throw new ShapeError(`${where}: layer ${JSON.stringify(name)} returned shape ${fmtShape(out.shape)}, expected ${rows} samples along dim 0`);
    const p = rows ? out.size / rows : 0;
    if (widths[li]! >= 0 && widths[li] !== p) throw new ShapeError(`${where}: layer ${JSON.stringify(name)} gave ${p} features per sample, ${widths[li]} in an earlier batch`);
    widths[li] = p;
    chunks[li]!.push(Float64Array.from(out._peek() as Float32Array | Float64Array));
  }));
  const modes = model.modules().map((m) => [m, m.training] as const);
  const tracker = failureTracker(model);
  try {
    model.eval();
    for (let s = 0; s < N; s += bs) {
      const e = Math.min(N, s + bs);
      rows = e - s;
      calls = mods.map(() => 0);
      noGrad(() => scope(() => {
        const xb = s === 0 && e === N ? X : sliceAxis(X, 0, s, e);
        try {
          model.forward(xb);
        } catch (err) {
          if (err instanceof PlexusError && (err.code === 'AMBIGUOUS_LAYER' || /^activations: layer/.test(err.message))) throw err;
          const msg = err instanceof Error ? err.message : String(err);
          const at = tracker.failedAt();
          const inLayer = at ? ` in layer ${JSON.stringify(at[0])} (${at[1]})` : '';
          throw new ShapeError(`${where}: the model's forward failed${inLayer} on X of shape ${fmtShape(X.shape)} (batch [${s}, ${e})): ${msg}`);
        }
      }));
      calls.forEach((c, li) => {
        if (c === 0) throw new ValueError(`${where}: layer ${JSON.stringify(mods[li]![0])} did not run in the model's forward`, 'LAYER_NOT_RUN');
      });
    }
  } finally {
    tracker.remove(); // before the hooks: it wraps their wrappers
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  return new Map(mods.map(([name], li) => {
    const p = widths[li]!;
    const all = new Float64Array(N * p);
    let off = 0;
    for (const c of chunks[li]!) { all.set(c, off); off += c.length; }
    return [name, tensor(all, { dtype: 'float64', shape: [N, p] })];
  }));
}

export interface LayerCKAOptions extends CKAOptions, ActivationOptions {
  /** Layers of model A (default: its parameterised modules, `defaultLayers`). */
  layers?: readonly string[];
  /** Layers of model B (default: the same names as A's, which B must have). */
  layersB?: readonly string[];
}

export interface LayerCKA {
  /** Model A's layers (rows). */
  rows: string[];
  /** Model B's layers (columns). */
  cols: string[];
  /** matrix[i][j] = CKA(A's rows[i], B's cols[j]) on X. */
  matrix: number[][];
}

/**
 * CKA between every layer of model A and every layer of model B on the same inputs X (Kornblith et
 * al.'s figure: for two trainings from different seeds the diagonal dominates). Layers pair by name:
 * without `layersB`, every layer of A must exist in B, else an UnknownLayerError names it.
 * @example const { matrix } = analysis.layerCKA(netA, netB, xTest);
 */
export function layerCKA(modelA: Module, modelB: Module, X: Tensor, opts?: LayerCKAOptions, ...rest: unknown[]): LayerCKA {
  const where = 'layerCKA';
  checkArgCount(where, 4 + rest.length, 4, 'layerCKA(modelA, modelB, X, options?)');
  const o = checkOptions(where, opts, ['layers', 'layersB', 'kernel', 'threshold', 'unbiased', 'batchSize']);
  if (!(modelA instanceof Module) || !(modelB instanceof Module)) throw new ValueError(`${where}: modelA and modelB must be nn.Modules`);
  const rows = o.layers ? [...o.layers] : defaultLayers(modelA);
  const cols = o.layersB ? [...o.layersB] : rows;
  const namesB = new Set(modelB.namedModules().map(([k]) => k));
  if (!o.layersB) {
    const missing = rows.filter((r) => !namesB.has(r));
    if (missing.length) {
      throw new UnknownLayerError(`${where} (pairing layers by name: model B has no ${missing.map((m) => JSON.stringify(m)).join(', ')}; the models differ in architecture, pass layersB)`, missing[0]!, [...namesB].filter((k) => k !== ''));
    }
  }
  const batch = o.batchSize === undefined ? {} : { batchSize: o.batchSize };
  const a = activations(modelA, X, rows, batch);
  const b = activations(modelB, X, cols, batch);
  const ckaOpts: CKAOptions = {};
  if (o.kernel !== undefined) ckaOpts.kernel = o.kernel;
  if (o.threshold !== undefined) ckaOpts.threshold = o.threshold;
  if (o.unbiased !== undefined) ckaOpts.unbiased = o.unbiased;
  return { rows, cols, matrix: ckaMatrix([...a.values()], [...b.values()], ckaOpts) };
}

/**
 * @file Local rank of each layer's feature manifold (Patel & Shwartz-Ziv, "Learning to Compress:
 * Local Rank and Information Compression in Deep Neural Networks", https://arxiv.org/abs/2410.07687).
 *
 * Our reading of the definition: the local rank of layer l is the expected rank, over the data, of
 * the Jacobian d z_l(x) / d x of the layer's pre-activation features z_l with respect to the input,
 * i.e. the dimension of the feature manifold near x. Numerically, the rank counts the singular values
 * above `tol` times the largest singular value of that Jacobian (default tol 1e-3; a choice of ours,
 * reported with the result). The paper finds it falls in the last phase of training.
 *
 * Features come from `layers`: names of submodules (namedModules paths) whose outputs are read by
 * forward hooks (default for nn.MLP / NTKMLP: every hidden Linear, 'layers.0' ..., whose outputs are
 * the pre-activations), or from a function x => Tensor | Tensor[] | Record<string, Tensor>. Each unit's
 * Jacobian row for every sample comes from one reverse pass over the batch (samples are independent in
 * eval mode), so the cost is (sum of widths) backward passes.
 */
import { checkOptions, describe } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { gradients } from '../../core/autograd.js';
import { enableGrad } from '../../core/grad-mode.js';
import { frame, keep } from '../../core/memory.js';
import { Tensor } from '../../core/tensor.js';
import { MLP } from '../../nn/mlp.js';
import { Module } from '../../nn/module.js';
import { checkNumber } from '../../nn/check.js';
import { eighArray } from '../linalg.js';
import { NTKMLP } from '../ntk/ntk-mlp.js';
import { f64, inEval } from '../ntk/host.js';
import { featureEntries } from './features.js';
import { UnknownLayerError } from '../activations.js';

export interface LocalRankOptions {
  /** Submodule names whose outputs are the features (Module input only). */
  layers?: readonly string[];
  /** Relative singular-value threshold (default 1e-3). */
  tol?: number;
}

export interface LayerLocalRank {
  /** Mean rank over the samples. */
  mean: number;
  /** Rank per sample. */
  perSample: number[];
  /** The layer's feature count and the input dimension (the rank's upper bounds). */
  features: number;
  inputs: number;
}

/**
 * Runs `model.forward(x)` and returns the outputs of the named submodules, read by forward hooks
 * (Module.registerForwardHook; nn.MLP then runs its Linear layers unfused, so a Linear's output is
 * the pre-activation), removed again even when forward throws. The outputs stay in the autograd graph
 * and are kept (core/memory.ts), because the model's framed forward would otherwise free them.
 */
export function captureOutputs(model: Module, x: Tensor, layers: readonly string[], where: string): Record<string, Tensor> {
  const byName = new Map(model.namedModules());
  const known = [...byName.keys()].filter((k) => k !== '');
  for (const k of layers) if (!byName.has(k)) throw new UnknownLayerError(where, k, known);
  const out: Record<string, Tensor> = {};
  const handles = layers.map((k) => byName.get(k)!.registerForwardHook((_m, _inputs, y) => { out[k] = keep(y); }));
  try {
    model.forward(x);
  } finally {
    for (const h of handles) h.remove();
  }
  const silent = layers.filter((k) => !(k in out));
  if (silent.length) throw new ValueError(`${where}: layer ${silent.join(', ')} was not called by the model's forward`, 'UNKNOWN_LAYER');
  return out;
}

/** Default feature layers: the hidden Linear layers of an MLP. */
function defaultLayers(model: Module, where: string): string[] {
  if (model instanceof MLP || model instanceof NTKMLP) return Array.from({ length: model.layers.length - 1 }, (_, i) => `layers.${i}`);
  throw new ValueError(`${where}: name the feature layers with the layers option for a ${model.constructor.name}`, 'INVALID_ARGUMENT');
}

/**
 * The local rank of each feature layer over the samples of X.
 * @example analysis.localRank(model, x)   // { 'layers.0': { mean, perSample, features, inputs }, ... }
 */
export function localRank(
  model: Module | ((x: Tensor) => Tensor | readonly Tensor[] | Record<string, Tensor>), x: Tensor, opts: LocalRankOptions = {},
): Record<string, LayerLocalRank> {
  const where = 'localRank';
  checkOptions(where, opts, ['layers', 'tol']);
  const tol = checkNumber(where, 'tol', opts.tol ?? 1e-3, 0, 1);
  if (!(x instanceof Tensor) || x.rank < 2 || (x.dtype !== 'float32' && x.dtype !== 'float64')) {
    throw new ShapeError(`${where}: X must be a float Tensor [N, ...], got ${x instanceof Tensor ? `${x.dtype} ${fmtShape(x.shape)}` : describe(x)}`);
  }
  if (!(model instanceof Module) && typeof model !== 'function') throw new ValueError(`${where}: model must be an nn.Module or a function x => features, got ${describe(model)}`, 'INVALID_ARGUMENT');
  if (!(model instanceof Module) && opts.layers !== undefined) throw new ValueError(`${where}: layers applies to a Module; a function names its features itself`, 'INVALID_ARGUMENT');
  const layers = model instanceof Module ? [...(opts.layers ?? defaultLayers(model, where))] : [];
  if (model instanceof Module && (!Array.isArray(opts.layers ?? layers) || !layers.every((k) => typeof k === 'string'))) throw new ValueError(`${where}: layers must be an array of layer names`, 'INVALID_ARGUMENT');
  const N = x.shape[0]!;
  const D = x.size / Math.max(N, 1);
  const xv = f64(x);
  const run = (): Record<string, LayerLocalRank> => {
    const result: Record<string, LayerLocalRank> = {};
    // Jacobians per layer: J[n] [k, D], filled one unit (row) at a time for every sample.
    const jac = frame(() => enableGrad(() => {
      const xt = tensor(x.dtype === 'float64' ? xv : Float32Array.from(xv), { dtype: x.dtype, shape: x.shape }).requiresGrad_();
      const feats = model instanceof Module ? captureOutputs(model, xt, layers, where) : model(xt);
      const entries = featureEntries(where, feats);
      return entries.map(([name, z]) => {
        if (z.rank < 1 || z.shape[0] !== N) throw new ShapeError(`${where}: features '${name}' must be [${N}, ...] (one row per sample), got ${fmtShape(z.shape)}`);
        const k = z.size / Math.max(N, 1);
        const J = new Float64Array(N * k * D);
        for (let j = 0; j < k; j++) {
          const seed = new Float64Array(N * k);
          for (let n = 0; n < N; n++) seed[n * k + j] = 1;
          const s = tensor(z.dtype === 'float64' ? seed : Float32Array.from(seed), { dtype: z.dtype, shape: z.shape });
          const [g] = z.requiresGrad ? gradients([z], [xt], { gradOutputs: [s], retainGraph: true, allowUnused: true }) : [null];
          const gv = g ? f64(g) : new Float64Array(N * D);
          for (let n = 0; n < N; n++) J.set(gv.subarray(n * D, (n + 1) * D), (n * k + j) * D);
        }
        return { name, k, J };
      });
    }));
    for (const { name, k, J } of jac) {
      const perSample = Array.from({ length: N }, (_, n) => rankOf(J.subarray(n * k * D, (n + 1) * k * D), k, D, tol, where));
      result[name] = { mean: perSample.reduce((a, r) => a + r, 0) / Math.max(N, 1), perSample, features: k, inputs: D };
    }
    return result;
  };
  return model instanceof Module ? inEval(model, run) : run();
}

/** Numerical rank of a row-major [k, D] matrix: singular values (from the smaller Gram matrix) above tol * max. */
function rankOf(J: Float64Array, k: number, D: number, tol: number, where: string): number {
  const small = Math.min(k, D);
  const G = new Float64Array(small * small);
  if (k <= D) {
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += J[a * D + i]! * J[b * D + i]!;
      G[a * k + b] = s; G[b * k + a] = s;
    }
  } else {
    for (let a = 0; a < D; a++) for (let b = a; b < D; b++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += J[i * D + a]! * J[i * D + b]!;
      G[a * D + b] = s; G[b * D + a] = s;
    }
  }
  const { values } = eighArray(G, small, where);
  const top = Math.sqrt(Math.max(values[0] ?? 0, 0));
  if (top === 0) return 0;
  let r = 0;
  for (const v of values) if (Math.sqrt(Math.max(v, 0)) > tol * top) r++;
  return r;
}

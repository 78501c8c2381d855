/**
 * @file Pruning of KANs (Liu et al. 2024, arXiv 2404.19756, section 2.5.1; pykan's prune_node /
 * prune_edge): edges and hidden nodes whose importance on sample inputs is below a threshold are
 * removed, giving a smaller model that computes approximately the same function.
 *
 * Importance. Edge (j, i) of layer l scores e_ji = mean_n |phi_ji(x_n)| / max_(j',i') mean_n
 * |phi_j'i'(x_n)|: its mean magnitude relative to the layer's strongest edge (scale-free, so one
 * threshold fits every layer). A hidden node i between layers l-1 and l scores
 * min(max_k e^(l-1)_ik, max_j e^(l)_ji) and is kept when both its strongest incoming and its
 * strongest outgoing edge reach the threshold (pykan's `in_important * out_important`). Inputs and
 * outputs are never removed.
 *
 * What "approximately preserved" means here: a removed node or edge takes its outputs with it;
 * their mean over the samples (a removed node whose input edges are dead still sends the constant
 * phi(0) onward) is added to the next layer's bias, so only the part that varies is lost. When that
 * constant is non-zero and the model has no bias, the pruned model gets biases in every layer
 * (KAN configs share one `bias` flag). Pruned edges are zeroed (spline coefficients and base
 * weight); training afterwards may revive them; fix them to '0' with SymbolicKAN to keep them off.
 * Layers with a LayerNorm before the basis (FastKAN) normalise over all their inputs, so nodes
 * feeding one are never removed (removing one would change the others' normalisation).
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, mean } from '../../ops/index.js';
import { checkNumber } from '../check.js';
import { KAN } from './kan.js';
import { KANLinear } from './kan-linear.js';
import { SKAN, SKANGroup, SKANLinear, range, subsetBasis } from './s-kan.js';
import { Parameter } from '../module.js';
import { ModuleList } from '../container.js';

export interface PruneOptions {
  /** Node threshold on the scaled importance (default 1e-2, pykan's prune_node). */
  threshold?: number;
  /** Edge threshold (default 3e-2, pykan's prune_edge); 0 keeps every edge. */
  edgeThreshold?: number;
}

export interface PruneResult<M> {
  /** The pruned model (a new one; the input model is unchanged). */
  model: M;
  /** Hidden nodes removed, in total and per hidden layer (index = layer of the node - 1). */
  removedNodes: number;
  removedNodesPerLayer: number[];
  /** Edges removed: those of removed nodes plus those below edgeThreshold between kept nodes. */
  removedEdges: number;
  /** Per hidden layer, the original indices of the kept nodes. */
  keptNodes: number[][];
  /** The scores used: per layer, edge scores [out * in] row-major (before pruning). */
  edgeScores: Float64Array[];
  /** Per hidden layer, the node scores. */
  nodeScores: Float64Array[];
}

type PrunableLayer = KANLinear | SKANLinear;

/** Per layer, mean_n |phi_ji(x_n)| [out * in] (unscaled), on samples x [N, n_0]. */
export function edgeMagnitudes(model: KAN | SKAN, x: Tensor): Float64Array[] {
  return noGrad(() => model.forwardWithEdges(x).edges.map((e) => Float64Array.from(mean(abs(e), 0).values)));
}

/** Per layer, the scaled edge importance (mean |phi| over the layer's largest), [out * in]. */
export function edgeScores(model: KAN | SKAN, x: Tensor): Float64Array[] {
  return edgeMagnitudes(model, x).map((m) => {
    let top = 0;
    for (const v of m) top = Math.max(top, v);
    return m.map((v) => (top > 0 ? v / top : 0));
  });
}

/**
 * Removes hidden nodes and edges of low importance on samples x [N, n_0] (see the file header).
 * Works on KAN and SKAN (mixture or selected). Returns a NEW model and what was removed.
 * @example
 * const { model: small, removedNodes, removedEdges } = nn.pruneKAN(model, xTrain, { threshold: 1e-2 });
 */
export function pruneKAN<M extends KAN | SKAN>(model: M, x: Tensor, opts: PruneOptions = {}): PruneResult<M> {
  const th = checkNumber('pruneKAN', 'threshold', opts.threshold ?? 1e-2, 0);
  const eth = checkNumber('pruneKAN', 'edgeThreshold', opts.edgeThreshold ?? 3e-2, 0);
  const L = model.depth;
  const layers = range(L).map((l) => model.layer(l) as PrunableLayer);
  const scores = edgeScores(model, x);
  const edges = noGrad(() => model.forwardWithEdges(x).edges.map((e) => ({ shape: e.shape, values: Float64Array.from(e.values) })));
  // Node scores and the kept sets; index l = nodes between layer l and l + 1.
  const nodeScores: Float64Array[] = [];
  const kept: number[][] = [range(model.widths[0]!)];
  for (let l = 1; l < L; l++) {
    const n = model.widths[l]!;
    const prev = layers[l - 1]!;
    const next = layers[l]!;
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let inMax = 0;
      for (let k = 0; k < prev.inFeatures; k++) inMax = Math.max(inMax, scores[l - 1]![i * prev.inFeatures + k]!);
      let outMax = 0;
      for (let j = 0; j < next.outFeatures; j++) outMax = Math.max(outMax, scores[l]![j * n + i]!);
      s[i] = Math.min(inMax, outMax);
    }
    nodeScores.push(s);
    const guarded = next instanceof KANLinear && next.layerNorm !== null;
    const keep = range(n).filter((i) => guarded || s[i]! >= th);
    kept.push(keep.length ? keep : [argmaxOf(s)]); // a layer cannot be empty: keep its best node
  }
  kept.push(range(model.widths[L]!));
  // Per layer: edges to drop among kept nodes, and the constants the dropped edges leave behind.
  const dropEdge: boolean[][] = [];
  const constants: Float64Array[] = [];
  let removedEdges = 0;
  for (let l = 0; l < L; l++) {
    const layer = layers[l]!;
    const F = layer.inFeatures;
    const out = layer.outFeatures;
    const { values, shape } = edges[l]!;
    const N = shape[0]!;
    const keptIn = new Set(kept[l]);
    const keptOut = new Set(kept[l + 1]);
    const drop = new Array<boolean>(out * F).fill(false);
    const c = new Float64Array(out);
    for (let j = 0; j < out; j++) {
      for (let i = 0; i < F; i++) {
        const gone = !keptIn.has(i) || !keptOut.has(j) || scores[l]![j * F + i]! < eth;
        if (!gone) continue;
        drop[j * F + i] = true;
        removedEdges++;
        if (!keptOut.has(j)) continue; // the whole output node goes; nothing to compensate
        let m = 0;
        for (let n = 0; n < N; n++) m += values[(n * out + j) * F + i]!;
        c[j] = c[j]! + m / N;
      }
    }
    dropEdge.push(drop);
    constants.push(c);
  }
  const needBias = constants.some((c) => c.some((v) => v !== 0));
  const withBias = layers.some((m) => m.bias !== null) || needBias;
  const pruned = layers.map((layer, l) => sliceLayer(layer, kept[l]!, kept[l + 1]!, dropEdge[l]!, constants[l]!, withBias));
  const widths = kept.map((k) => k.length);
  const out = (model instanceof KAN ? new KAN(widths, {}, pruned as KANLinear[]) : new SKAN(widths, {}, pruned as SKANLinear[])) as M;
  const removedNodesPerLayer = range(L - 1).map((l) => model.widths[l + 1]! - kept[l + 1]!.length);
  return {
    model: out, removedNodes: removedNodesPerLayer.reduce((a, b) => a + b, 0), removedNodesPerLayer, removedEdges,
    keptNodes: kept.slice(1, -1), edgeScores: scores, nodeScores,
  };
}

function argmaxOf(s: Float64Array): number {
  let b = 0;
  for (let i = 1; i < s.length; i++) if (s[i]! > s[b]!) b = i;
  return b;
}

/** A copy of `layer` restricted to inputs `ins` and outputs `outs`, dropped edges zeroed, constants into the bias. */
function sliceLayer(layer: PrunableLayer, ins: number[], outs: number[], drop: boolean[], constants: Float64Array, bias: boolean): PrunableLayer {
  const F = layer.inFeatures;
  const dropped = (j: number, i: number): boolean => drop[j * F + i]!;
  const biasValues = Float64Array.from(outs, (j) => (layer.bias ? layer.bias.values[j]! : 0) + constants[j]!);
  return layer instanceof KANLinear ? sliceKANLinear(layer, ins, outs, dropped, biasValues, bias) : sliceSKANLinear(layer, ins, outs, dropped, biasValues, bias);
}

/** Rows `outs` of a row-major [out, F * block] matrix, column blocks `ins`, zeroing dropped edges. */
function sliceEdges(v: ArrayLike<number>, F: number, block: number, ins: readonly number[], outs: readonly number[], dropped: (j: number, i: number) => boolean): Float64Array {
  const dst = new Float64Array(outs.length * ins.length * block);
  outs.forEach((j, jj) => ins.forEach((i, ii) => {
    if (dropped(j, i)) return;
    for (let c = 0; c < block; c++) dst[(jj * ins.length + ii) * block + c] = v[(j * F + i) * block + c]!;
  }));
  return dst;
}

function sliceKANLinear(layer: KANLinear, ins: number[], outs: number[], dropped: (j: number, i: number) => boolean, biasValues: Float64Array, bias: boolean): KANLinear {
  const dtype = layer.splineWeight.dtype as FloatDType;
  const F = layer.inFeatures;
  const nb = layer.numBases;
  const m = new KANLinear(ins.length, outs.length, { ...layer.options, grid: layer.basis.size, bias, dtype, generator: new Generator(0) });
  const sd = new Map<string, Tensor>();
  const put = (key: string, v: Float64Array, shape: number[]): void => { sd.set(key, tensor(v, { dtype, shape })); };
  const all = (): boolean => false;
  if (layer.baseWeight) put('baseWeight', sliceEdges(layer.baseWeight.values, F, 1, ins, outs, dropped), [outs.length, ins.length]);
  put('splineWeight', sliceEdges(layer.splineWeight.values, F, nb, ins, outs, dropped), [outs.length, ins.length * nb]);
  if (layer.splineScaler) put('splineScaler', sliceEdges(layer.splineScaler.values, F, 1, ins, outs, all), [outs.length, ins.length]);
  if (bias) put('bias', biasValues, [outs.length]);
  for (const [key, t] of layer.basis.namedBuffers()) {
    // basis.grid is per feature [F, K]; rbf centres are shared [size].
    if (key === 'grid') put('basis.grid', sliceEdges(t.values, 1, t.shape[1]!, [0], ins, all), [ins.length, t.shape[1]!]);
    else put(`basis.${key}`, Float64Array.from(t.values), [...t.shape]);
  }
  if (layer.layerNorm) for (const [key, t] of layer.layerNorm.stateDict()) put(`layerNorm.${key}`, Float64Array.from(t.values), [...t.shape]);
  m.loadStateDict(sd);
  for (const t of sd.values()) t.dispose();
  return m;
}

function sliceSKANLinear(layer: SKANLinear, ins: number[], outs: number[], dropped: (j: number, i: number) => boolean, biasValues: Float64Array, bias: boolean): SKANLinear {
  const dtype = layer.group(0).splineWeight.dtype as FloatDType;
  const F = layer.inFeatures;
  const o = layer.options;
  const grid = Object.fromEntries(o.pool.map((p, s) => [p, o.sizes[s]!]));
  const selected = layer.selected ? ins.map((i) => layer.selected![i]!) : null;
  const m = new SKANLinear(ins.length, outs.length, { ...o, grid, bias, selected, dtype, generator: new Generator(0) });
  noGrad(() => {
    if (layer.baseWeight) m.baseWeight!.assign(sliceEdges(layer.baseWeight.values, F, 1, ins, outs, dropped));
    if (layer.splineScaler) m.splineScaler!.assign(sliceEdges(layer.splineScaler.values, F, 1, ins, outs, () => false));
    if (layer.mixLogits) m.mixLogits!.assign(sliceEdges(layer.mixLogits.values, 1, o.pool.length, [0], ins, () => false));
    if (bias) m.bias!.assign(biasValues);
  });
  // Rebuild each group over the kept features it covered (new feature positions within `ins`).
  const groups: SKANGroup[] = [];
  for (let g = 0; g < layer.numGroups; g++) {
    const grp = layer.group(g);
    const pos = new Map(grp.features.map((i, f) => [i, f]));
    const keptOld = ins.filter((i) => pos.has(i));
    if (!keptOld.length) continue;
    const nb = grp.basis.numBases;
    const local = keptOld.map((i) => pos.get(i)!);
    const W = sliceEdges(grp.splineWeight.values, grp.features.length, nb, local, outs, (j, f) => dropped(j, grp.features[f]!));
    const feats = keptOld.map((i) => ins.indexOf(i));
    groups.push(new SKANGroup(grp.space, feats, subsetBasis(grp.basis, local), new Parameter(tensor(W, { dtype, shape: [outs.length, feats.length * nb] }))));
  }
  if (!groups.length) throw new ValueError('pruneKAN: internal error, a pruned S-KAN layer lost all its groups');
  m.groups = new ModuleList(groups);
  return m;
}

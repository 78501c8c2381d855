/**
 * @file A linear layer with a sparse weight (SET, Mocanu et al. 2018, "Scalable training of
 * artificial neural networks with adaptive sparse connectivity inspired by network science",
 * https://doi.org/10.1038/s41467-018-04316-3): y = x Wᵀ + b with W [out, in] holding `nnz`
 * connections, stored as a trained vector `values` [nnz] and an int32 buffer `indices` [nnz] of the
 * flat positions o·in + k (strictly increasing: CSR order). The forward is the `sparseLinear`
 * primitive, O(batch · nnz) instead of O(batch · in · out).
 *
 * Initial topology: Erdős–Rényi, with density p = epsilon (in + out) / (in · out) (the paper's
 * rule; capped at 1), so nnz = round(p · in · out) positions drawn uniformly without replacement.
 * Initial values: He-uniform on the effective fan-in nnz / out, U(±sqrt(6 · out / nnz)) (a dense
 * fan-in would make the sparse layer's outputs shrink by sqrt(p) per layer); bias U(±1/sqrt(nnz/out)).
 * `evolve` is SET's prune-and-regrow step (train/algorithms/set.ts drives it). Both buffers are saved
 * with the model, so a loaded model has exactly the saved topology.
 * Shapes: x [..., inFeatures] -> [..., outFeatures].
 */
import { checkOptions } from '../../core/args.js';
import { empty, tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { type Generator, defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { CsrPattern, add, sparseLinear } from '../../ops/primitives/index.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkTrailing, paramDType, show } from '../check.js';
import * as init from '../init.js';
import { Module, Parameter } from '../module.js';

export interface SparseLinearOptions {
  /** Erdős–Rényi sparsity parameter (> 0, default 20, the paper's MLP setting): density epsilon (in + out) / (in · out). */
  epsilon?: number;
  /** The number of connections instead (an integer in [1, in · out]); overrides epsilon. */
  nnz?: number;
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/** nnz of an Erdős–Rényi layer: round(min(1, epsilon (in + out) / (in · out)) · in · out), at least 1. */
export function erdosRenyiCount(inFeatures: number, outFeatures: number, epsilon: number): number {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new ValueError(`SparseLinear: epsilon must be a finite number > 0, got ${show(epsilon)}`);
  const total = inFeatures * outFeatures;
  return Math.max(1, Math.round(Math.min(1, (epsilon * (inFeatures + outFeatures)) / total) * total));
}

/** `count` distinct integers of [0, n), sorted, uniformly (Floyd's algorithm: exactly `count` draws). */
export function sampleSorted(n: number, count: number, g: Generator, exclude?: ReadonlySet<number>): number[] {
  const free = n - (exclude?.size ?? 0);
  if (count > free) throw new ValueError(`sampleSorted: cannot draw ${count} positions from ${free} free ones`);
  const chosen = new Set<number>();
  if (!exclude || exclude.size === 0) {
    for (let j = n - count; j < n; j++) {
      const t = g.nextInt(0, j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
  } else {
    // Rejection: SET regrows a few percent of the connections into a mostly empty matrix.
    while (chosen.size < count) {
      const t = g.nextInt(0, n);
      if (!exclude.has(t)) chosen.add(t);
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

/** @example new nn.SparseLinear(784, 1000, { epsilon: 20 }) // 35,680 of 784,000 connections */
export class SparseLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly nnz: number;
  values: Parameter;
  bias: Parameter | null;
  private cache: { t: Tensor; version: number; pattern: CsrPattern } | null = null;

  constructor(inFeatures: number, outFeatures: number, opts: SparseLinearOptions = {}) {
    super();
    checkOptions('SparseLinear', opts, ['epsilon', 'nnz', 'bias', 'dtype', 'generator']);
    this.inFeatures = checkInt('SparseLinear', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('SparseLinear', 'outFeatures', outFeatures, 1);
    const total = inFeatures * outFeatures;
    if (total > 2 ** 31) throw new ValueError(`SparseLinear: ${inFeatures} x ${outFeatures} positions exceed int32 indices`);
    if (opts.nnz !== undefined) {
      checkInt('SparseLinear', 'nnz', opts.nnz, 1);
      if (opts.nnz > total) throw new ValueError(`SparseLinear: nnz must be an integer in [1, ${total}], got ${opts.nnz}`);
    }
    this.nnz = opts.nnz ?? erdosRenyiCount(inFeatures, outFeatures, opts.epsilon ?? 20);
    const dtype = paramDType('SparseLinear', opts.dtype);
    const g = opts.generator ?? defaultGenerator;
    this.registerBuffer('indices', tensor(sampleSorted(total, this.nnz, g), { dtype: 'int32' }));
    this.values = new Parameter(init.uniform(empty([this.nnz], { dtype }), -this.initBound(), this.initBound(), { generator: g }));
    const bb = 1 / Math.sqrt(this.nnz / outFeatures);
    this.bias = opts.bias === false ? null : new Parameter(init.uniform(empty([outFeatures], { dtype }), -bb, bb, { generator: g }));
  }

  /** He-uniform bound on the effective fan-in: sqrt(6 / (nnz / out)). */
  initBound(): number {
    return Math.sqrt((6 * this.outFeatures) / this.nnz);
  }

  /** The current connections as a CSR pattern (rebuilt when the indices buffer changes: evolution, loadStateDict). */
  get pattern(): CsrPattern {
    const t = this.getBuffer('indices')!;
    const c = this.cache;
    if (c !== null && c.t === t && c.version === t._storage.version) return c.pattern;
    const pattern = CsrPattern.fromIndices(this.outFeatures, this.inFeatures, t._peek());
    this.cache = { t, version: t._storage.version, pattern };
    return pattern;
  }

  /** The dense weight [out, in] (zeros off the pattern), for inspection and tests. */
  denseWeight(): Tensor {
    const w = new Float64Array(this.outFeatures * this.inFeatures);
    const idx = this.getBuffer('indices')!._peek();
    const v = this.values._peek();
    for (let j = 0; j < idx.length; j++) w[idx[j]!] = v[j]!;
    return tensor(w, { dtype: this.values.dtype, shape: [this.outFeatures, this.inFeatures] });
  }

  forward(x: Tensor): Tensor {
    const where = `SparseLinear(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.values.dtype as FloatDType);
    const y = sparseLinear(x, this.values, this.pattern);
    return this.bias === null ? y : add(y, this.bias);
  }

  /**
   * SET's evolution step: removes the fraction zeta of the positive weights closest to zero and of
   * the negative weights closest to zero, and regrows as many connections at random empty positions
   * (values from the initial distribution). The count stays nnz. Returns, per new slot, the old slot
   * it came from (-1 for a regrown one), so optimizer state can follow (set.ts does).
   */
  evolve(zeta: number, g: Generator = defaultGenerator): Int32Array {
    if (typeof zeta !== 'number' || !(zeta > 0 && zeta < 1)) throw new ValueError(`SparseLinear.evolve: zeta must be a number in (0, 1), got ${show(zeta)}`);
    const v = this.values._peek();
    const idx = this.getBuffer('indices')!._peek();
    const pos: number[] = [];
    const neg: number[] = [];
    for (let j = 0; j < v.length; j++) (v[j]! >= 0 ? pos : neg).push(j);
    pos.sort((a, b) => v[a]! - v[b]! || a - b);
    neg.sort((a, b) => v[b]! - v[a]! || a - b);
    const removed = new Set([...pos.slice(0, Math.floor(zeta * pos.length)), ...neg.slice(0, Math.floor(zeta * neg.length))]);
    const kept = new Set<number>();
    for (let j = 0; j < idx.length; j++) if (!removed.has(j)) kept.add(idx[j]!);
    const grown = sampleSorted(this.inFeatures * this.outFeatures, removed.size, g, kept);
    // Merge kept (already sorted) and grown positions into the new CSR order.
    const slot = new Map<number, number>();
    for (let j = 0; j < idx.length; j++) if (!removed.has(j)) slot.set(idx[j]!, j);
    const merged = [...kept, ...grown].sort((a, b) => a - b);
    const from = Int32Array.from(merged, (f) => slot.get(f) ?? -1);
    const b = this.initBound();
    const fresh = Array.from({ length: grown.length }, () => g.nextFloat() * 2 * b - b);
    let k = 0;
    const old = Float64Array.from(v);
    noGrad(() => {
      this.values.mutate((a) => { for (let j = 0; j < from.length; j++) a[j] = from[j]! >= 0 ? old[from[j]!]! : fresh[k++]!; });
      this.getBuffer('indices')!.mutate((a) => a.set(merged));
    });
    return from;
  }

  override getConfig(): ModuleConfig {
    return { type: 'SparseLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, nnz: this.nnz, bias: this.bias !== null, dtype: this.values.dtype };
  }
}

registerModule('SparseLinear', (c) => new SparseLinear(c.int('inFeatures'), c.int('outFeatures'), { nnz: c.int('nnz'), bias: c.bool('bias', true), dtype: c.dtype() }));

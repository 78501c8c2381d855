/**
 * @file Metrics for `fit` / `evaluate` and the running averages behind epoch logs. A metric returns
 * a (sum, count) pair per batch rather than a batch mean, so an epoch's value is exact when the last
 * batch is smaller: the mean of batch means would over-weight it.
 */
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';

/** A metric's contribution from one batch: `sum / count` summed over batches is the epoch value. */
export interface MetricValue {
  sum: number;
  count: number;
}

/** A named metric computed from the model output and the target of one batch. */
export interface Metric {
  readonly name: string;
  batch(pred: Tensor, target: Tensor): MetricValue;
}

export interface AccuracyOptions {
  /**
   * For one output per sample (binary): predicted class is `pred > threshold`. 0 for logits
   * (the default; fit uses it with the 'bce' loss), 0.5 for probabilities or regression to 0/1.
   */
  threshold?: number;
}

/**
 * Top-1 accuracy as (correct, total). Shapes:
 * - pred [N, C, ...] with class-index targets [N, ...]: argmax over dim 1 (the class dim, as crossEntropy);
 * - pred and target of one shape with C > 1 in dim 1 (one-hot / probability targets): argmax of both;
 * - pred and target of one shape with one output (binary, [N] or [N, 1]): `pred > threshold` vs `target > 0.5`;
 * - pred [N, 1] with target [N]: binary as above.
 * Ties in argmax go to the lowest index (as torch.argmax).
 * @example accuracy(logits, labels) // { sum: 57, count: 64 }
 */
export function accuracy(pred: Tensor, target: Tensor, opts: AccuracyOptions = {}): MetricValue {
  const threshold = opts.threshold ?? 0;
  const p = pred.values;
  const t = target.values;
  if (pred.rank >= 2 && target.rank === pred.rank - 1 && pred.shape[1]! > 1) {
    checkClassShapes(pred, target);
    return argmaxAccuracy(p, pred.shape, (i) => t[i]!);
  }
  if (pred.size === target.size && (pred.rank === target.rank || (pred.rank === target.rank + 1 && pred.shape[pred.rank - 1] === 1))) {
    if (pred.rank >= 2 && pred.rank === target.rank && pred.shape[1]! > 1) {
      const tArg = argmaxAlong(t, target.shape);
      return argmaxAccuracy(p, pred.shape, (i) => tArg[i]!);
    }
    let correct = 0;
    for (let i = 0; i < p.length; i++) if ((p[i]! > threshold) === (t[i]! > 0.5)) correct++;
    return { sum: correct, count: p.length };
  }
  throw new ShapeError(`accuracy: cannot compare output ${fmtShape(pred.shape)} with target ${fmtShape(target.shape)}`);
}

function checkClassShapes(pred: Tensor, target: Tensor): void {
  const want = [pred.shape[0]!, ...pred.shape.slice(2)];
  if (target.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`accuracy: output ${fmtShape(pred.shape)} (N, C, ...) needs target ${fmtShape(want)}, got ${fmtShape(target.shape)}`);
  }
}

/** Argmax over dim 1 of a contiguous [N, C, ...rest] array: one index per (n, rest) position. */
function argmaxAlong(v: ArrayLike<number>, shape: readonly number[]): Int32Array {
  const n = shape[0]!;
  const c = shape[1]!;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Int32Array(n * inner);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < inner; r++) {
      const base = i * c * inner + r;
      let best = 0;
      let bestV = v[base]!;
      for (let k = 1; k < c; k++) {
        const x = v[base + k * inner]!;
        // NaN counts as the maximum, as in torch.argmax, so a NaN row is never skipped from the count.
        if (x > bestV || (Number.isNaN(x) && !Number.isNaN(bestV))) {
          best = k;
          bestV = x;
        }
      }
      out[i * inner + r] = best;
    }
  }
  return out;
}

function argmaxAccuracy(p: ArrayLike<number>, shape: readonly number[], target: (i: number) => number): MetricValue {
  const arg = argmaxAlong(p, shape);
  let correct = 0;
  for (let i = 0; i < arg.length; i++) if (arg[i] === target(i)) correct++;
  return { sum: correct, count: arg.length };
}

/** The built-in metric for a name; `threshold` is passed to accuracy's binary case. */
export function resolveMetric(m: string | Metric, opts: AccuracyOptions = {}): Metric {
  if (typeof m === 'object' && m !== null && typeof m.batch === 'function' && typeof m.name === 'string') {
    // Names become keys of plain log objects; keep them identifiers (no '__proto__' surprises).
    if (!/^[A-Za-z][\w]*$/.test(m.name) || m.name === 'loss') {
      throw new ValueError(`metric name ${JSON.stringify(m.name)} must be an identifier other than 'loss'`, 'INVALID_METRIC');
    }
    return m;
  }
  if (m === 'accuracy') return { name: 'accuracy', batch: (pred, target) => accuracy(pred, target, opts) };
  throw new ValueError(`unknown metric ${JSON.stringify(m)}; expected 'accuracy' or an object {name, batch(pred, target) => {sum, count}}`, 'INVALID_METRIC');
}

/** Running weighted means keyed by name (loss weighted by batch size, metrics by their counts). */
export class MeanTracker {
  private readonly sums = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  add(name: string, v: MetricValue): void {
    this.sums.set(name, (this.sums.get(name) ?? 0) + v.sum);
    this.counts.set(name, (this.counts.get(name) ?? 0) + v.count);
  }

  /** The summed count of `name` (for the loss: samples seen). */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** The mean so far, NaN before any count. */
  mean(name: string): number {
    const c = this.counts.get(name) ?? 0;
    return c > 0 ? this.sums.get(name)! / c : NaN;
  }

  /** Every tracked name with its mean, in insertion order. */
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of this.sums.keys()) out[k] = this.mean(k);
    return out;
  }
}

/**
 * @file Metrics of the sequence tasks: accuracy over the scored positions (targets != ignoreIndex),
 * optionally only at the last position, and the exact-match rate of whole sequences. Predictions are
 * logits [n, seqLen, classes] (argmax taken here) or class ids int32 [n, seqLen].
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { IGNORE_INDEX } from './common.js';

export const METRIC_POSITIONS = ['all', 'last'] as const;

export interface SequenceMetricOptions {
  /** Targets equal to this are not scored (default -100). */
  ignoreIndex?: number;
  /** 'all' scored positions (default) or only the 'last' position of each sequence. */
  positions?: (typeof METRIC_POSITIONS)[number];
}

/** Predicted class ids [n * seqLen] and the targets, with shapes checked. */
function classes(op: string, pred: Tensor, target: Tensor): { p: ArrayLike<number>; y: ArrayLike<number>; n: number; t: number } {
  if (target.rank !== 2 || target.dtype !== 'int32') throw new ShapeError(`${op}: targets must be int32 [n, seqLen], got ${target.dtype} ${fmtShape(target.shape)}`);
  const [n, t] = target.shape as [number, number];
  const ids = pred.rank === 2 && pred.dtype === 'int32';
  if (!(ids && pred.shape[0] === n && pred.shape[1] === t) && !(pred.rank === 3 && pred.shape[0] === n && pred.shape[1] === t)) {
    throw new ShapeError(`${op}: predictions must be logits [${n}, ${t}, classes] or int32 ids [${n}, ${t}], got ${pred.dtype} ${fmtShape(pred.shape)}`);
  }
  const y = target._peek() as ArrayLike<number>;
  if (ids) return { p: pred._peek() as ArrayLike<number>, y, n, t };
  const c = pred.shape[2]!;
  const v = pred._peek() as ArrayLike<number>;
  const p = new Int32Array(n * t);
  for (let r = 0; r < n * t; r++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (v[r * c + k]! > v[r * c + best]!) best = k;
    p[r] = best;
  }
  return { p, y, n, t };
}

function metricArgs(op: string, opts: SequenceMetricOptions): { ignore: number; last: boolean } {
  checkOptions(op, opts, ['ignoreIndex', 'positions']);
  const ignore = opts.ignoreIndex ?? IGNORE_INDEX;
  if (!Number.isInteger(ignore)) throw new ValueError(`${op}: ignoreIndex must be an integer, got ${String(ignore)}`);
  return { ignore, last: checkEnum(op, 'positions', opts.positions ?? 'all', METRIC_POSITIONS) === 'last' };
}

/**
 * Fraction of scored positions predicted right (NaN when none is scored).
 * @example data.tokenAccuracy(model.forward(x), y)   // logits [n, T, C], targets [n, T]
 */
export function tokenAccuracy(pred: Tensor, target: Tensor, opts: SequenceMetricOptions = {}): number {
  const { ignore, last } = metricArgs('tokenAccuracy', opts);
  const { p, y, n, t } = classes('tokenAccuracy', pred, target);
  let hit = 0, count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = last ? t - 1 : 0; j < t; j++) {
      const r = i * t + j;
      if (y[r] === ignore) continue;
      count++;
      if (p[r] === y[r]) hit++;
    }
  }
  return hit / count;
}

/** Fraction of sequences whose every scored position is right (sequences with none scored are skipped). */
export function sequenceExactMatch(pred: Tensor, target: Tensor, opts: Omit<SequenceMetricOptions, 'positions'> = {}): number {
  const { ignore } = metricArgs('sequenceExactMatch', opts);
  const { p, y, n, t } = classes('sequenceExactMatch', pred, target);
  let hit = 0, count = 0;
  for (let i = 0; i < n; i++) {
    let scored = false, ok = true;
    for (let j = 0; j < t; j++) {
      const r = i * t + j;
      if (y[r] === ignore) continue;
      scored = true;
      if (p[r] !== y[r]) ok = false;
    }
    if (scored) { count++; if (ok) hit++; }
  }
  return hit / count;
}

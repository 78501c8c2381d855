/**
 * @file Per-column standardisation (sklearn's StandardScaler): fit mean and population std on the
 * training features, save them with the model as plain JSON, and apply the same numbers to test and
 * prediction inputs. A constant column gets std 1 (centred, not divided by zero), as sklearn does.
 */
import { isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fromTyped } from './rows.js';

/** JSON-serialisable standardisation statistics, one entry per feature column. */
export interface Standardizer {
  mean: number[];
  std: number[];
}

function checkX(op: string, x: Tensor): [number, number] {
  if (x.rank !== 2) throw new ShapeError(`${op}: expected features of shape [rows, columns], got ${fmtShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected float32 or float64 features, got ${x.dtype}`);
  return [x.shape[0]!, x.shape[1]!];
}

/**
 * Column means and population standard deviations of `x` [rows, columns], in float64 (two passes,
 * so large offsets do not cancel the variance).
 * @example const s = fitStandardizer(train.x); const xt = applyStandardizer(test.x, s);
 */
export function fitStandardizer(x: Tensor): Standardizer {
  const [n, f] = checkX('fitStandardizer', x);
  if (n === 0) throw new ShapeError('fitStandardizer: no rows to fit');
  const v = x._peek(); // read right here (docs/memory.md: no move to host memory for a library read)
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const a = v[i * f + j]!;
      if (!Number.isFinite(a)) throw new ValueError(`fitStandardizer: row ${i}, column ${j} is ${a}`, 'NON_FINITE');
      mean[j]! += a;
    }
  }
  for (let j = 0; j < f; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) std[j]! += (v[i * f + j]! - mean[j]!) ** 2;
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]! / n) || 1;
  return { mean, std };
}

/** `(x - mean) / std` per column, in x's dtype; validates `s` (it may come from a JSON file). */
export function applyStandardizer(x: Tensor, s: Standardizer): Tensor {
  const [n, f] = checkX('applyStandardizer', x);
  const okList = (a: unknown, positive: boolean): a is number[] =>
    Array.isArray(a) && a.every((e) => typeof e === 'number' && Number.isFinite(e) && (!positive || e > 0));
  if (typeof s !== 'object' || s === null || !okList(s.mean, false) || !okList(s.std, true) || s.mean.length !== s.std.length) {
    throw new ValueError('applyStandardizer: expected { mean: number[], std: number[] } of equal length, finite, with std > 0', 'INVALID_STANDARDIZER');
  }
  if (s.mean.length !== f) {
    throw new ShapeError(`applyStandardizer: standardizer has ${s.mean.length} columns but x ${fmtShape(x.shape)} has ${f}`);
  }
  const v = x._peek(); // read right here (docs/memory.md: no move to host memory for a library read)
  const out = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out[i * f + j] = (v[i * f + j]! - s.mean[j]!) / s.std[j]!;
  return fromTyped(out, [n, f], x.dtype);
}

/**
 * @file Tolerance comparison, `|actual - expected| <= atol + rtol * |expected|` elementwise, with NaN
 * and +-Infinity required at the same positions (docs/reliability.md "Tolerances").
 */
import { Tensor } from '../core/tensor.js';
import { fmtShape } from '../core/errors.js';

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Tolerances (docs/reliability.md "Tolerances"): PyTorch's per-dtype defaults. */
export const TOLERANCE = {
  float64: { rtol: 1e-7, atol: 1e-7 },
  float32: { rtol: 1.3e-6, atol: 1e-5 },
} as const;

export interface CloseReport {
  ok: boolean;
  /** Largest |actual - expected| among finite pairs. */
  maxAbsError: number;
  /** First failing flat index and values, for the message. */
  worst?: { index: number; actual: number; expected: number };
  message: string;
}

type Values = ArrayLike<number> | Tensor;

const toValues = (v: Values): ArrayLike<number> => (v instanceof Tensor ? v.values : v);

export function compareClose(actual: Values, expected: Values, tol: Tolerance = TOLERANCE.float64): CloseReport {
  const a = toValues(actual);
  const e = toValues(expected);
  const { rtol = 1e-7, atol = 1e-7 } = tol;
  if (a.length !== e.length) return { ok: false, maxAbsError: Infinity, message: `length ${a.length} != expected ${e.length}` };
  let maxAbsError = 0;
  let worst: CloseReport['worst'];
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y)) && x !== y) {
        if (!worst) worst = { index: i, actual: x, expected: y };
        worstExcess = Infinity;
      }
      continue;
    }
    const err = Math.abs(x - y);
    if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : Math.max(maxAbsError, err);
    const excess = Number.isNaN(err) ? Infinity : err - (atol + rtol * Math.abs(y));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = { index: i, actual: x, expected: y };
    }
  }
  const ok = worst === undefined;
  const message = ok
    ? `close (max abs error ${maxAbsError.toExponential(2)})`
    : `mismatch at index ${worst!.index}: actual ${worst!.actual}, expected ${worst!.expected} (rtol ${rtol}, atol ${atol}; max abs error ${maxAbsError.toExponential(2)})`;
  return { ok, maxAbsError, worst, message };
}

/** Throws an Error naming the worst element when values (and shapes, for tensors) differ. */
export function assertClose(actual: Values, expected: Values, tol?: Tolerance, what = 'values'): void {
  if (actual instanceof Tensor && expected instanceof Tensor) {
    if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
      throw new Error(`${what}: shape ${fmtShape(actual.shape)} != expected ${fmtShape(expected.shape)}`);
    }
  }
  const r = compareClose(actual, expected, tol);
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
}

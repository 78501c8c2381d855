/**
 * @file Strict numeric cells. JS coercion is too forgiving for data: Number("") is 0, Number(" ") is 0,
 * Number("0x10") is 16, parseFloat("1,5") is 1 and "1e400" becomes Infinity (docs/reliability.md "Data files").
 * Here a cell is a decimal literal (surrounding spaces/tabs allowed), NaN/Infinity only when enabled,
 * and a finite literal that overflows the target dtype is an error, never Infinity.
 */
import type { FloatDType } from '../core/dtype.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** A parsed number, or why the cell is not one: `code` is a CsvError code, `reason` ends a message. */
export type NumberResult = { ok: true; value: number } | { ok: false; code: string; reason: string };

export function parseNumberCell(cell: string, dtype: FloatDType, allowNonFinite: boolean): NumberResult {
  const s = cell.trim();
  if (s === '') return { ok: false, code: 'EMPTY_CELL', reason: `${JSON.stringify(cell)} is empty (a missing value)` };
  if (DECIMAL.test(s)) {
    const v = Number(s);
    const stored = dtype === 'float32' ? Math.fround(v) : v;
    if (!Number.isFinite(stored)) return { ok: false, code: 'NUMBER_OVERFLOW', reason: `${JSON.stringify(cell)} overflows ${dtype}` };
    return { ok: true, value: v };
  }
  if (NON_FINITE.test(s)) {
    if (!allowNonFinite) {
      return { ok: false, code: 'NON_FINITE', reason: `${JSON.stringify(cell)} is not finite (set allowNonFinite to accept NaN/Infinity)` };
    }
    const neg = s.startsWith('-');
    return { ok: true, value: /nan/i.test(s) ? NaN : neg ? -Infinity : Infinity };
  }
  return { ok: false, code: 'INVALID_NUMBER', reason: `${JSON.stringify(cell)} is not a number` };
}

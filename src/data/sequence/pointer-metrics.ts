/**
 * @file Exact-sequence accuracy of pointer outputs: the fraction of samples whose predicted
 * position sequence equals the target's scored entries (y != -100) exactly, in order and length.
 */
import type { Tensor } from '../../core/tensor.js';
import { checkSequences, targetRows } from './pointer-common.js';

/**
 * Fraction of samples predicted exactly.
 * @example data.pointerExactMatch(net.decode(x).sequences, y)
 */
export function pointerExactMatch(predictions: readonly (readonly number[])[], target: Tensor): number {
  const rows = targetRows('pointerExactMatch', target);
  const pred = checkSequences('pointerExactMatch', predictions, rows.length);
  let hit = 0;
  rows.forEach((r, i) => {
    const p = pred[i]!;
    if (p.length === r.length && p.every((k, j) => k === r[j])) hit++;
  });
  return hit / rows.length;
}

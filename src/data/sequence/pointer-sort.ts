/**
 * @file Sorting by pointing (Vinyals et al., "Pointer Networks" 2015, https://arxiv.org/abs/1506.03134;
 * "Order Matters" 2015, https://arxiv.org/abs/1511.06391): n numbers uniform in [0, 1) in, the
 * permutation that sorts them ascending out (y[j] = the position of the j-th smallest; ties, which
 * float32 makes possible but rare, go to the lower position).
 */
import { Generator } from '../../core/rng.js';
import { fromTyped } from '../rows.js';
import { intArg, taskArgs } from './common.js';
import type { PointerTask } from './pointer-common.js';

export interface PointerSortTaskOptions {
  n?: number;
  /** Numbers per set (default 5). */
  length?: number;
  seed?: number;
}

/**
 * Sorting samples: x float32 [n, length, 1], y int32 [n, length] (the sorting permutation).
 * @example const { x, y } = data.pointerSortTask({ n: 256, length: 5 });
 */
export function pointerSortTask(opts: PointerSortTaskOptions = {}): PointerTask {
  const { n, seed } = taskArgs('pointerSortTask', opts, ['length']);
  const len = intArg('pointerSortTask', 'length', opts.length ?? 5, 1);
  const g = new Generator(seed);
  const x = new Float32Array(n * len);
  const y = new Int32Array(n * len);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < len; j++) x[i * len + j] = g.nextFloat();
    const row = x.subarray(i * len, (i + 1) * len);
    const perm = Array.from({ length: len }, (_, j) => j).sort((a, b) => row[a]! - row[b]! || a - b);
    y.set(perm, i * len);
  }
  return { x: fromTyped(x, [n, len, 1], 'float32'), y: fromTyped(y, [n, len], 'int32') };
}

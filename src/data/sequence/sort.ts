/**
 * @file Sorting: read a list of numbers and emit it in ascending order (the sorting task of the
 * sequence-to-sequence and pointer-network literature, e.g. Vinyals et al., "Order Matters" 2015,
 * https://arxiv.org/abs/1511.06391), as one causal token stream.
 *
 * Layout: numbers are tokens 1..vocab, vocab + 1 is the separator. A sample is
 * [a_1 .. a_L, sep, b_1 .. b_{L-1}] (length 2L), b = sort(a) ascending (duplicates allowed); the
 * separator's position predicts b_1, position L + j predicts b_{j+1}; the first L positions are -100.
 * Trained with teacher forcing (the sorted prefix is in the input), like a language model.
 * Metric: `sequenceExactMatch` (the whole sorted list right) and `tokenAccuracy`.
 */
import { Generator } from '../../core/rng.js';
import { IGNORE_INDEX, type TokenTask, intArg, packTokens, taskArgs } from './common.js';

export interface SortTaskOptions {
  n?: number;
  /** Numbers per list (default 6). */
  length?: number;
  /** Numbers are drawn from 1..vocab (default 16). */
  vocab?: number;
  seed?: number;
}

/**
 * Sorting samples: x, y int32 [n, 2 length].
 * @example const { x, y } = data.sortTask({ n: 512, length: 6, vocab: 16 });
 */
export function sortTask(opts: SortTaskOptions = {}): TokenTask {
  const { n, seed } = taskArgs('sortTask', opts, ['length', 'vocab']);
  const len = intArg('sortTask', 'length', opts.length ?? 6, 1);
  const vocab = intArg('sortTask', 'vocab', opts.vocab ?? 16, 1);
  const t = 2 * len;
  const g = new Generator(seed);
  const x = new Int32Array(n * t);
  const y = new Int32Array(n * t).fill(IGNORE_INDEX);
  for (let i = 0; i < n; i++) {
    const a = Array.from({ length: len }, () => g.nextInt(1, vocab + 1));
    const b = [...a].sort((p, q) => p - q);
    const row = i * t;
    for (let j = 0; j < len; j++) {
      x[row + j] = a[j]!;
      y[row + len + j] = b[j]!;
      if (j < len - 1) x[row + len + 1 + j] = b[j]!;
    }
    x[row + len] = vocab + 1;
  }
  return packTokens(x, y, n, t, vocab + 2, vocab + 2);
}

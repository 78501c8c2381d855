/**
 * @file Parity of a bit string, the state-tracking task of Grazzi et al., "Unlocking State-Tracking
 * in Linear RNNs Through Negative Eigenvalues" (2024, https://arxiv.org/abs/2411.12537): the target at
 * position t is the parity (sum mod 2) of bits 1..t, so one sequence scores every prefix length.
 * Training on short strings and testing on longer ones measures length generalisation.
 * Metric: `tokenAccuracy(logits, y, { positions: 'last' })`, the parity of the whole string (chance 50%).
 */
import { Generator } from '../../core/rng.js';
import { type TokenTask, intArg, packTokens, taskArgs } from './common.js';

export interface ParityTaskOptions {
  n?: number;
  /** Bits per string (default 10). */
  length?: number;
  seed?: number;
}

/**
 * Random bit strings x int32 [n, length] (tokens 0, 1) and their prefix parities y int32 [n, length].
 * @example const { x, y } = data.parityTask({ n: 512, length: 10 });
 */
export function parityTask(opts: ParityTaskOptions = {}): TokenTask {
  const { n, seed } = taskArgs('parityTask', opts, ['length']);
  const len = intArg('parityTask', 'length', opts.length ?? 10, 1);
  const g = new Generator(seed);
  const x = new Int32Array(n * len);
  const y = new Int32Array(n * len);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let j = 0; j < len; j++) {
      const b = g.nextU32() & 1;
      p ^= b;
      x[i * len + j] = b;
      y[i * len + j] = p;
    }
  }
  return packTokens(x, y, n, len, 2, 2);
}

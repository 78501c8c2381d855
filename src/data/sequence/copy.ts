/**
 * @file The copy task with a delay (Hochreiter & Schmidhuber 1997; the "copy memory" problem of
 * Arjovsky et al. 2016, https://arxiv.org/abs/1511.06464): remember a string of symbols over a gap of
 * blanks and reproduce it after a go marker.
 *
 * Layout (tokens): 0 blank, 1..vocab symbols, vocab + 1 the go marker. A sample is
 * [s_1 .. s_L, 0 x delay, go, 0 x (L - 1)] of length 2L + delay; the targets are s_1 .. s_L at the
 * last L positions (the go marker's position predicts s_1), -100 elsewhere.
 * Metric: `tokenAccuracy` over the scored positions (chance 1/vocab) and `sequenceExactMatch`.
 */
import { Generator } from '../../core/rng.js';
import { IGNORE_INDEX, type TokenTask, intArg, packTokens, taskArgs } from './common.js';

export interface CopyTaskOptions {
  n?: number;
  /** Symbols to copy (default 8). */
  length?: number;
  /** Blanks between the symbols and the go marker (default 0). */
  delay?: number;
  /** Distinct symbols (default 8). */
  vocab?: number;
  seed?: number;
}

/**
 * Copy-with-delay samples: x, y int32 [n, 2 length + delay].
 * @example const { x, y, vocabSize } = data.copyTask({ n: 256, length: 5, delay: 10 });
 */
export function copyTask(opts: CopyTaskOptions = {}): TokenTask {
  const { n, seed } = taskArgs('copyTask', opts, ['length', 'delay', 'vocab']);
  const len = intArg('copyTask', 'length', opts.length ?? 8, 1);
  const delay = intArg('copyTask', 'delay', opts.delay ?? 0, 0);
  const vocab = intArg('copyTask', 'vocab', opts.vocab ?? 8, 1);
  const t = 2 * len + delay;
  const g = new Generator(seed);
  const x = new Int32Array(n * t);
  const y = new Int32Array(n * t).fill(IGNORE_INDEX);
  for (let i = 0; i < n; i++) {
    const row = i * t;
    for (let j = 0; j < len; j++) {
      const s = g.nextInt(1, vocab + 1);
      x[row + j] = s;
      y[row + len + delay + j] = s;
    }
    x[row + len + delay] = vocab + 1;
  }
  return packTokens(x, y, n, t, vocab + 2, vocab + 2);
}

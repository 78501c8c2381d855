/**
 * @file Recall tasks for in-context retrieval. Associative recall (Ba et al., "Using Fast Weights to
 * Attend to the Recent Past" 2016, https://arxiv.org/abs/1610.06258; the Zoology benchmark of Arora
 * et al. 2023, https://arxiv.org/abs/2312.04927): key-value pairs then a key, predict its value.
 * Induction heads (Olsson et al. 2022, https://arxiv.org/abs/2209.11895): in a random stream,
 * a token A seen once before followed by B appears again at the end; predict B (the bigram copy).
 *
 * associativeRecall layout: keys are tokens 0..numKeys-1 (distinct within a sample), values
 * numKeys..numKeys+numValues-1; a sample is [k_1, v_1, .., k_P, v_P, k_q] (length 2P + 1) with the target
 * v_q at the last position, -100 elsewhere. inductionHead layout: tokens 0..vocab-1, A occurs exactly
 * twice (at a random position p < length - 2, followed by B, and last), target B at the last position.
 * Metric: `tokenAccuracy` (only the last position is scored; chance 1/numValues or 1/(vocab - 1)).
 */
import { ValueError } from '../../core/errors.js';
import { Generator } from '../../core/rng.js';
import { IGNORE_INDEX, type TokenTask, intArg, packTokens, taskArgs } from './common.js';
import { shuffleInPlace } from '../split.js';

export interface AssociativeRecallOptions {
  n?: number;
  /** Key-value pairs per sample (default 4). */
  numPairs?: number;
  /** Distinct keys, >= numPairs (default 8). */
  numKeys?: number;
  /** Distinct values (default 8). */
  numValues?: number;
  seed?: number;
}

/**
 * Associative recall samples: x, y int32 [n, 2 numPairs + 1]; vocabSize = numClasses = numKeys + numValues.
 * @example const { x, y, vocabSize } = data.associativeRecall({ n: 1024, numPairs: 4 });
 */
export function associativeRecall(opts: AssociativeRecallOptions = {}): TokenTask {
  const { n, seed } = taskArgs('associativeRecall', opts, ['numPairs', 'numKeys', 'numValues']);
  const pairs = intArg('associativeRecall', 'numPairs', opts.numPairs ?? 4, 1);
  const nk = intArg('associativeRecall', 'numKeys', opts.numKeys ?? 8, 1);
  const nv = intArg('associativeRecall', 'numValues', opts.numValues ?? 8, 1);
  if (nk < pairs) throw new ValueError(`associativeRecall: numKeys (${nk}) must be >= numPairs (${pairs}): keys are distinct within a sample`);
  const t = 2 * pairs + 1;
  const g = new Generator(seed);
  const x = new Int32Array(n * t);
  const y = new Int32Array(n * t).fill(IGNORE_INDEX);
  const keys = Int32Array.from({ length: nk }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    shuffleInPlace(keys, g);
    const row = i * t;
    const vals: number[] = [];
    for (let j = 0; j < pairs; j++) {
      vals.push(nk + g.nextInt(0, nv));
      x[row + 2 * j] = keys[j]!;
      x[row + 2 * j + 1] = vals[j]!;
    }
    const q = g.nextInt(0, pairs);
    x[row + t - 1] = keys[q]!;
    y[row + t - 1] = vals[q]!;
  }
  return packTokens(x, y, n, t, nk + nv, nk + nv);
}

export interface InductionHeadOptions {
  n?: number;
  /** Tokens per sample, >= 4 (default 16). */
  length?: number;
  /** Distinct tokens, >= 3 (default 16). */
  vocab?: number;
  seed?: number;
}

/**
 * Bigram induction-head samples: x, y int32 [n, length].
 * @example const { x, y } = data.inductionHead({ n: 1024, length: 16, vocab: 16 });
 */
export function inductionHead(opts: InductionHeadOptions = {}): TokenTask {
  const { n, seed } = taskArgs('inductionHead', opts, ['length', 'vocab']);
  const len = intArg('inductionHead', 'length', opts.length ?? 16, 4);
  const vocab = intArg('inductionHead', 'vocab', opts.vocab ?? 16, 3);
  const g = new Generator(seed);
  const x = new Int32Array(n * len);
  const y = new Int32Array(n * len).fill(IGNORE_INDEX);
  for (let i = 0; i < n; i++) {
    const row = i * len;
    const a = g.nextInt(0, vocab);
    // Every other token is drawn from the vocabulary without A, so A occurs exactly twice.
    const other = (): number => { const v = g.nextInt(0, vocab - 1); return v >= a ? v + 1 : v; };
    for (let j = 0; j < len - 1; j++) x[row + j] = other();
    const p = g.nextInt(0, len - 2);
    x[row + p] = a;
    x[row + len - 1] = a;
    y[row + len - 1] = x[row + p + 1]!;
  }
  return packTokens(x, y, n, len, vocab, vocab);
}

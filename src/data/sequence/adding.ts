/**
 * @file The adding problem (Hochreiter & Schmidhuber 1997, "Long Short-Term Memory", experiment 4,
 * https://doi.org/10.1162/neco.1997.9.8.1735; the variant of Le et al. 2015, arXiv 1504.00941):
 * a long-range memory benchmark for recurrent networks. Each sequence has T steps of two channels:
 * a value drawn from U(0, 1) and a marker that is 1 at exactly two steps (one in each half of the
 * sequence) and 0 elsewhere; the target is the sum of the two marked values. Predicting the mean
 * (1) scores MSE = Var(U + U) = 1/6 ≈ 0.167, so a model must beat that to show it remembers.
 *
 * Shape contract: x [n, T, 2] (sample-major, i.e. batchFirst; channel 0 the values, channel 1 the
 * markers), y [n, 1]. Seeded: the same options give the same tensors (the global generator is untouched).
 */
import type { FloatDType } from '../../core/dtype.js';
import { checkOptions } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';
import { Generator } from '../../core/rng.js';
import type { Split } from '../dataset.js';
import { fromTyped } from '../rows.js';

export interface AddingProblemOptions {
  /** Number of sequences (default 1000). */
  n?: number;
  /** Steps per sequence, >= 2 (default 100). */
  length?: number;
  /** Seed of the private generator (default 0). */
  seed?: number;
  /** dtype of x and y (default float32). */
  dtype?: FloatDType;
}

/**
 * n sequences of the adding problem: x [n, T, 2] (value, marker), y [n, 1] = sum of the two marked values.
 * @example const { x, y } = data.addingProblem({ n: 256, length: 100, seed: 1 });
 */
export function addingProblem(opts: AddingProblemOptions = {}): Split {
  checkOptions('addingProblem', opts, ['n', 'length', 'seed', 'dtype']);
  const n = opts.n ?? 1000;
  const T = opts.length ?? 100;
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`addingProblem: n must be an integer >= 1, got ${String(n)}`);
  if (!Number.isInteger(T) || T < 2) throw new ValueError(`addingProblem: length must be an integer >= 2, got ${String(T)}`);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ValueError(`addingProblem: seed must be an integer, got ${String(seed)}`);
  const dtype = opts.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`addingProblem: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
  const g = new Generator(seed);
  const x = new Float64Array(n * T * 2);
  const y = new Float64Array(n);
  const half = Math.floor(T / 2);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < T; t++) x[(s * T + t) * 2] = g.nextFloat();
    const a = g.nextInt(0, half);
    const b = g.nextInt(half, T);
    x[(s * T + a) * 2 + 1] = 1;
    x[(s * T + b) * 2 + 1] = 1;
    y[s] = x[(s * T + a) * 2]! + x[(s * T + b) * 2]!;
  }
  return { x: fromTyped(x, [n, T, 2], dtype), y: fromTyped(y, [n, 1], dtype) };
}

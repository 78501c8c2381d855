/**
 * @file Shared pieces of the sequence tasks: the returned shape (token ids x, targets y with -100
 * where nothing is scored, as crossEntropy's ignoreIndex), option checks and the int32 packing.
 */
import { checkOptions } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTyped } from '../rows.js';

/** Targets at positions that are not scored (crossEntropy's default ignoreIndex). */
export const IGNORE_INDEX = -100;

/** A token task: x int32 [n, seqLen] token ids, y int32 [n, seqLen] targets (-100: not scored). */
export interface TokenTask {
  x: Tensor;
  y: Tensor;
  /** Number of distinct input tokens (an Embedding's numEmbeddings). */
  vocabSize: number;
  /** Number of output classes (a head's outFeatures). */
  numClasses: number;
}

/** Checks the option keys and returns n and seed (defaults 1000, 0). */
export function taskArgs(op: string, opts: object, keys: readonly string[]): { n: number; seed: number } {
  checkOptions(op, opts, ['n', 'seed', ...keys]);
  const o = opts as { n?: number; seed?: number };
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ValueError(`${op}: seed must be a finite number, got ${String(seed)}`);
  return { n: intArg(op, 'n', o.n ?? 1000, 1), seed };
}

/** An integer option >= min. */
export function intArg(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Packs row-major token ids and targets into int32 [n, seqLen] tensors. */
export function packTokens(x: Int32Array, y: Int32Array, n: number, seqLen: number, vocabSize: number, numClasses: number): TokenTask {
  return { x: fromTyped(x, [n, seqLen], 'int32'), y: fromTyped(y, [n, seqLen], 'int32'), vocabSize, numClasses };
}

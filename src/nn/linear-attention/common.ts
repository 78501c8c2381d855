/**
 * @file Shared pieces of the linear-attention family: the `mode` / `chunkSize` options, the input
 * check for (batch, seq, dim) tensors, head split / merge, causal masks and the chunk loop helpers.
 * Every method computes the same causal map in two forms: 'recurrent' (one step per position,
 * carrying a fixed-size state) and 'chunk' (chunkwise-parallel: matmuls inside a chunk, the state
 * carried between chunks); the tests check that both agree to float64 rounding.
 */
import { checkEnum } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import type { Tensor } from '../../core/tensor.js';
import { permute, reshape, sliceAxis } from '../../ops/primitives/index.js';
import { checkInputDType, checkInt } from '../check.js';

/** How a causal mixer runs: one position at a time, or chunkwise-parallel. */
export const MIXER_MODES = ['recurrent', 'chunk'] as const;
export type MixerMode = (typeof MIXER_MODES)[number];

/** Options every chunked mixer takes. */
export interface MixerModeOptions {
  /** 'recurrent' (step by step) or 'chunk' (chunkwise-parallel, the default). */
  mode?: MixerMode;
  /** Positions per chunk in 'chunk' mode (default 16). */
  chunkSize?: number;
}

/** Checks and returns mode and chunkSize (defaults 'chunk', 16). */
export function modeArgs(where: string, opts: MixerModeOptions): { mode: MixerMode; chunkSize: number } {
  return { mode: checkEnum(where, 'mode', opts.mode ?? 'chunk', MIXER_MODES), chunkSize: checkInt(where, 'chunkSize', opts.chunkSize ?? 16, 1) };
}

/** Input must be (batch, seq, dim) with seq >= 1 and the layer's dim and dtype. */
export function checkSeq(where: string, x: Tensor, dim: number, dtype: FloatDType): void {
  if (x.rank !== 3 || x.shape[2] !== dim || x.shape[1] === 0) {
    throw new ShapeError(`${where}: input shape must be [batch, seq >= 1, ${dim}], got ${fmtShape(x.shape)}`);
  }
  checkInputDType(where, x, dtype);
}

/** An embedding size must split into `numHeads` equal heads. */
export function checkHeads(where: string, dim: number, numHeads: number): number {
  checkInt(where, 'numHeads', numHeads, 1);
  if (dim % numHeads !== 0) throw new ShapeError(`${where}: dim ${dim} must be divisible by numHeads ${numHeads}`);
  return dim / numHeads;
}

/** [B, L, H*d] -> [B, H, L, d]. */
export function splitHeads(x: Tensor, h: number): Tensor {
  const [b, l, hd] = x.shape as [number, number, number];
  return permute(reshape(x, [b, l, h, hd / h]), [0, 2, 1, 3]);
}

/** [B, H, L, d] -> [B, L, H*d]. */
export function mergeHeads(x: Tensor): Tensor {
  const [b, h, l, d] = x.shape as [number, number, number, number];
  return reshape(permute(x, [0, 2, 1, 3]), [b, l, h * d]);
}

/** A [n, n] lower-triangular 0/1 matrix (diagonal included when `strict` is false). */
export function trilOnes(n: number, dtype: FloatDType, strict = false): Tensor {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < (strict ? i : i + 1); j++) a[i * n + j] = 1;
  return tensor(a, { shape: [n, n], dtype });
}

/** The [start, end) bounds of the chunks of a length-`len` axis. */
export function chunkBounds(len: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < len; s += size) out.push([s, Math.min(len, s + size)]);
  return out;
}

/** Position `t` of axis `axis`, keeping the axis (length 1). */
export function at(x: Tensor, axis: number, t: number): Tensor {
  return sliceAxis(x, axis, t, t + 1);
}

/**
 * @file The public `scaledDotProductAttention`, PyTorch's F.scaled_dot_product_attention
 * (https://pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html)
 * in camelCase: query [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev], the leading
 * dims broadcast; attnMask broadcastable to [..., L, S], bool (true = attend) or additive float;
 * isCausal (top-left tril); dropoutP (applied whenever > 0, as PyTorch; modules pass it only in
 * training), scale (default 1/sqrt(E)), enableGqa (key/value dim -3 may divide query's).
 *
 * It brings the operands to the primitive's rank-4 contract (attention.ts) with reshapes: grouped
 * key/value heads are read in place by the kernel, never repeated. Only outer batch dims that
 * genuinely broadcast (rare) and a mask whose outer dims broadcast are expanded.
 */
import { checkArgCount, checkOptions, tensorArg } from '../../core/args.js';
import { bernoulli } from '../../core/create.js';
import { apply } from '../../core/dispatch.js';
import { isFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { framed } from '../../core/memory.js';
import type { Generator } from '../../core/rng.js';
import { broadcastShapes } from '../../core/shape.js';
import { Tensor } from '../../core/tensor.js';
import { mul } from './binary.js';
import { expand, reshape } from './shape-ops.js';
import { type AttentionAttrs, SCALED_DOT_PRODUCT_ATTENTION } from './attention.js';

export interface ScaledDotProductAttentionOptions {
  /** Broadcastable to [..., L, S]: bool (true = take part in attention) or float added to the scores. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0: none). Applied whenever > 0. */
  dropoutP?: number;
  /** Causal (top-left) mask: query i attends keys j <= i. Not together with attnMask (as PyTorch). */
  isCausal?: boolean;
  /** Score scale (default 1/sqrt(E)). */
  scale?: number | null;
  /** Allow key/value dim -3 (heads) to divide query's: grouped-query attention (default false, as PyTorch). */
  enableGqa?: boolean;
  /** Generator for the dropout draws (default: the default generator). */
  generator?: Generator;
}

const OP = 'scaledDotProductAttention';
const KEYS = ['attnMask', 'dropoutP', 'isCausal', 'scale', 'enableGqa', 'generator'];

const pad = (s: readonly number[], r: number): number[] => [...Array<number>(r - s.length).fill(1), ...s];
const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

function sdpa(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  checkArgCount(OP, arguments.length, 4, `${OP}(query, key, value, { attnMask, dropoutP, isCausal, scale, enableGqa, generator })`);
  tensorArg(OP, 'query', query);
  tensorArg(OP, 'key', key);
  tensorArg(OP, 'value', value);
  checkOptions(OP, opts, KEYS);
  const { attnMask = null, dropoutP = 0, isCausal = false, enableGqa = false, generator } = opts;
  if (typeof isCausal !== 'boolean') throw new ValueError(`${OP}: isCausal must be true or false, got ${String(isCausal)}`);
  if (typeof enableGqa !== 'boolean') throw new ValueError(`${OP}: enableGqa must be true or false, got ${String(enableGqa)}`);
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new ValueError(`${OP}: dropoutP must be a number in [0, 1], got ${String(dropoutP)}`);
  if (attnMask !== null) tensorArg(OP, 'attnMask', attnMask);
  if (attnMask !== null && isCausal) throw new ValueError(`${OP}: pass either attnMask or isCausal, not both (as PyTorch)`);
  const shapes = (): string => `query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}`;
  if (query.rank < 2 || key.rank < 2 || value.rank < 2) throw new ShapeError(`${OP}: query, key and value need rank >= 2 ([..., L, E], [..., S, E], [..., S, Ev]), got ${shapes()}`);
  if (!isFloat(query.dtype)) throw new DTypeError(`${OP}: query must be float32 or float64, got ${query.dtype}`);
  if (key.dtype !== query.dtype || value.dtype !== query.dtype) throw new DTypeError(`${OP}: query, key and value must share a dtype, got ${query.dtype}, ${key.dtype}, ${value.dtype}`);
  const E = query.shape[query.rank - 1]!;
  const L = query.shape[query.rank - 2]!;
  const S = key.shape[key.rank - 2]!;
  const Ev = value.shape[value.rank - 1]!;
  if (key.shape[key.rank - 1] !== E) throw new ShapeError(`${OP}: key's last dim must equal query's embedding dim E = ${E}, got ${shapes()}`);
  if (value.shape[value.rank - 2] !== S) throw new ShapeError(`${OP}: value's dim -2 must equal key's sequence length S = ${S}, got ${shapes()}`);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new ValueError(`${OP}: scale must be a finite number or null, got ${String(scale)}`);

  const R = Math.max(query.rank, key.rank, value.rank, 3);
  const qs = pad(query.shape, R);
  const ks = pad(key.shape, R);
  const vs = pad(value.shape, R);
  let outer: number[];
  try {
    outer = broadcastShapes(OP, broadcastShapes(OP, qs.slice(0, R - 3), ks.slice(0, R - 3)), vs.slice(0, R - 3));
  } catch {
    throw new ShapeError(`${OP}: batch dims of query, key and value do not broadcast, got ${shapes()}`);
  }
  let Hq = qs[R - 3]!;
  const Hk = ks[R - 3]!;
  if (vs[R - 3] !== Hk) throw new ShapeError(`${OP}: key and value must have the same dim -3 (heads), got ${shapes()}`);
  let q4 = query;
  if (Hk !== Hq && Hk !== 1) {
    if (Hq === 1) Hq = Hk; // query broadcasts over the heads: expanded below
    else if (!enableGqa) throw new ShapeError(`${OP}: dim -3 of key/value (${Hk}) differs from query's (${Hq}); pass enableGqa: true for grouped-query attention, got ${shapes()}`);
    else if (Hq % Hk !== 0) throw new ShapeError(`${OP}: with enableGqa the key/value heads (${Hk}) must divide the query heads (${Hq}), got ${shapes()}`);
  }
  const B = prod(outer);
  const full = (s: number[], h: number, t: Tensor): Tensor => {
    const want = [...outer, h, s[R - 2]!, s[R - 1]!];
    const same = s.every((d, i) => d === want[i]);
    return reshape(same ? t : expand(reshape(t, s), want), [B, h, s[R - 2]!, s[R - 1]!]);
  };
  q4 = full(qs, Hq, query);
  const k4 = full(ks, Hk, key);
  const v4 = full(vs, Hk, value);
  const inputs = [q4, k4, v4];
  const attrs: AttentionAttrs = { scale, causal: isCausal, mask: 'none', dropout: false };
  if (attnMask !== null) {
    attrs.mask = attnMask.dtype === 'bool' ? 'bool' : 'float';
    if (attrs.mask === 'float' && attnMask.dtype !== query.dtype) throw new DTypeError(`${OP}: attnMask must be bool or ${query.dtype} (the query's dtype), got ${attnMask.dtype}`);
    const target = [...outer, Hq, L, S];
    const ms = attnMask.rank > R ? null : pad(attnMask.shape, R);
    if (!ms || attnMask.rank < 1 || ms.some((d, i) => d !== 1 && d !== target[i])) throw new ShapeError(`${OP}: attnMask ${fmtShape(attnMask.shape)} must broadcast to [..., L, S] = ${fmtShape(target)}`);
    const outerOne = ms.slice(0, R - 3).every((d) => d === 1);
    const m4 = outerOne ? reshape(attnMask, [1, ...ms.slice(R - 3)]) : reshape(expand(reshape(attnMask, ms), [...outer, ...ms.slice(R - 3)]), [B, ...ms.slice(R - 3)]);
    inputs.push(m4);
  }
  if (dropoutP > 0) {
    const keep = bernoulli(1 - dropoutP, [B, Hq, L, S], { dtype: query.dtype, generator });
    inputs.push(dropoutP === 1 ? keep : mul(keep, 1 / (1 - dropoutP)));
    attrs.dropout = true;
  }
  const out = apply(SCALED_DOT_PRODUCT_ATTENTION, inputs, attrs);
  // Back to the callers' rank: R pads rank-2 operands to 3.
  return reshape(out, [...outer, Hq, L, Ev].slice(R - Math.max(query.rank, key.rank, value.rank)));
}

/**
 * Attention softmax(scale·q kᵀ + mask) v as one fused kernel (PyTorch's F.scaled_dot_product_attention).
 * Shapes: query [..., Hq, L, E], key [..., Hk, S, E], value [..., Hk, S, Ev] -> [..., Hq, L, Ev]
 * (Hk = Hq, 1, or with enableGqa any divisor of Hq).
 * @example scaledDotProductAttention(q, k, v, { isCausal: true })
 */
export const scaledDotProductAttention = framed(sdpa);

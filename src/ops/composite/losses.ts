/**
 * @file Loss functions, PyTorch semantics: class dim is 1 (input [N, C] or [N, C, d1, ...]),
 * integer targets are int32 class indices, `reduction` is 'mean' | 'sum' | 'none'.
 */
import { isFloat, requireFloat } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, add, cast, div, eq, exp, gather, indexSelect, log1p, maximum, mul, ne, neg, reshape, sub, sum, where } from '../primitives/index.js';
import { logSoftmax } from '../primitives/log-softmax.js';
import { mean } from './stats.js';
import { squeeze, unsqueeze } from './shape.js';
import { type IndexLike, checkIndices } from '../primitives/indexing.js';
import { badArgument, checkArgCount, checkEnum, checkOptions, describe, tensorArg } from '../../core/args.js';
import { indexArg } from '../args.js';

export const REDUCTIONS = ['mean', 'sum', 'none'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/**
 * The entry check of a loss: tensors where tensors go (a plain array of class indices becomes an
 * int32 target when `classTargets`), a known-keys options object and a valid `reduction`, all
 * before anything is computed.
 */
function lossArgs<O extends { reduction?: Reduction }>(
  op: string, argc: number, input: unknown, target: unknown, opts: unknown, keys: readonly string[], classTargets: boolean,
): { input: Tensor; target: Tensor; opts: O; reduction: Reduction } {
  checkArgCount(op, argc, 3, `${op}(input, target, { ${keys.join(', ')} })`);
  const x = tensorArg(op, 'input', input);
  const t = classTargets && Array.isArray(target) ? indexArg(op, target) : tensorArg(op, 'target', target);
  if (typeof opts === 'string') throw badArgument(`${op}: pass the reduction in the options object: ${op}(input, target, { reduction: ${JSON.stringify(opts)} })`);
  const o = checkOptions(op, opts as O | undefined, keys);
  const reduction = o.reduction === undefined ? 'mean' : checkEnum(op, 'reduction', o.reduction, REDUCTIONS);
  for (const k of ['weight', 'posWeight'] as const) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) tensorArg(op, k, v);
  }
  return { input: x, target: t, opts: o, reduction };
}

function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case 'mean': return mean(loss);
    case 'sum': return sum(loss);
    case 'none': return loss;
    default: throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: input shape ${fmtShape(a.shape)} and target shape ${fmtShape(b.shape)} differ`);
  }
}

export interface MseOptions {
  reduction?: Reduction;
}

/** Mean squared error (PyTorch mse_loss). @example mse(pred, y, { reduction: 'sum' }) */
export function mse(pred: Tensor, y: Tensor, opts?: MseOptions): Tensor {
  const { input, target, reduction } = lossArgs('mse', arguments.length, pred, y, opts, ['reduction'], false);
  requireFloat('mse', input.dtype);
  sameShape('mse', input, target);
  const d = sub(input, target);
  return reduce('mse', mul(d, d), reduction);
}

export interface NllOptions {
  reduction?: Reduction;
  /** Per-class weights [C]; 'mean' then divides by the summed weights of the targets (PyTorch). */
  weight?: Tensor;
  /** Target value that contributes nothing (PyTorch default -100). */
  ignoreIndex?: number;
}

function checkClassTargets(op: string, input: Tensor, target: Tensor): void {
  if (target.dtype !== 'int32') throw new DTypeError(`${op}: class-index targets must be int32, got ${target.dtype}`);
  const want = [input.shape[0]!, ...input.shape.slice(2)];
  if (input.rank < 2 || target.rank !== want.length || target.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${op}: input ${fmtShape(input.shape)} (N, C, ...) needs target shape ${fmtShape(input.rank < 2 ? ['N'] as unknown as number[] : want)}, got ${fmtShape(target.shape)}`);
  }
}

const NLL_KEYS = ['reduction', 'weight', 'ignoreIndex'] as const;

/** Whether any element of an int32 tensor equals `v` (read in place: runs inside a frame). */
function contains(t: Tensor, v: number): boolean {
  const a = t._peek();
  for (let i = 0; i < a.length; i++) if (a[i] === v) return true;
  return false;
}

/** Negative log-likelihood of class-index targets given log-probabilities [N, C, ...]. */
export function nll(input: Tensor, classes: IndexLike, options?: NllOptions): Tensor {
  const { input: logProbs, target, opts, reduction } = lossArgs<NllOptions>('nll', arguments.length, input, classes, options, NLL_KEYS, true);
  const { weight, ignoreIndex = -100 } = opts;
  if (opts.ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) throw badArgument(`nll: ignoreIndex must be an integer, got ${describe(ignoreIndex)}`);
  requireFloat('nll', logProbs.dtype);
  checkClassTargets('nll', logProbs, target);
  const C = logProbs.shape[1]!;
  // Unweighted with no ignored target (every training batch): w would be all ones, so the mask, the
  // product by w and the sum of w (N, exact) are left out: the same numbers forward and backward
  // (x·1 and Σ1 are exact), five fewer ops and their backward, which a small MLP's step notices.
  if (!weight && !contains(target, ignoreIndex)) {
    checkIndices('nll', target, C);
    const loss = neg(squeeze(gather(logProbs, 1, unsqueeze(target, 1)), 1));
    if (reduction === 'mean') return div(sum(loss), target.size);
    return reduce('nll', loss, reduction);
  }
  const keepMask = ne(target, ignoreIndex);
  const safeTarget = where(keepMask, target, 0);
  checkIndices('nll', safeTarget, C);
  const picked = squeeze(gather(logProbs, 1, unsqueeze(safeTarget, 1)), 1);
  let w = cast(keepMask, logProbs.dtype);
  if (weight) {
    if (weight.rank !== 1 || weight.shape[0] !== C) throw new ShapeError(`nll: weight must have shape [${C}], got ${fmtShape(weight.shape)}`);
    w = mul(w, reshape(indexSelect(weight, 0, reshape(safeTarget, [safeTarget.size])), safeTarget.shape));
  }
  const loss = neg(mul(picked, w));
  if (reduction === 'mean') return div(sum(loss), sum(w));
  return reduce('nll', loss, reduction);
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - eps) * target + eps / C (Szegedy et al. 2016). */
  labelSmoothing?: number;
}

/** The class weights [C] reshaped to broadcast along dim 1 of an input of `rank` dims. */
function classWeights(op: string, weight: Tensor, C: number, rank: number): Tensor {
  if (weight.rank !== 1 || weight.shape[0] !== C) throw new ShapeError(`${op}: weight must have shape [${C}], got ${fmtShape(weight.shape)}`);
  return reshape(weight, [1, C, ...Array<number>(rank - 2).fill(1)]);
}

/**
 * Cross-entropy from logits [N, C, ...]: stable log-softmax + NLL. Targets are int32 class indices
 * [N, ...] or class probabilities of the input's shape. `weight` scales each class's term in both
 * forms and in the label-smoothing term (PyTorch); with probability targets 'mean' divides by the
 * number of samples N * d1 * ..., not by the weights.
 * A class whose logit is -Infinity (masked) and whose target probability is exactly 0 contributes 0
 * (the 0 log 0 = 0 convention) rather than 0 * -Inf = NaN, which PyTorch returns.
 * @example crossEntropy(logits, tensor([2, 0], { dtype: 'int32' }), { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, classesOrProbs: IndexLike, options?: CrossEntropyOptions): Tensor {
  const { input: logits, target, opts, reduction } = lossArgs<CrossEntropyOptions>(
    'crossEntropy', arguments.length, input, classesOrProbs, options, [...NLL_KEYS, 'labelSmoothing'], true);
  const { labelSmoothing = 0, weight } = opts;
  requireFloat('crossEntropy', logits.dtype);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  if (logits.rank < 2) throw new ShapeError(`crossEntropy: logits must be [N, C, ...], got ${fmtShape(logits.shape)}`);
  const logp = logSoftmax(logits, 1);
  const C = logits.shape[1]!;
  const wc = weight ? classWeights('crossEntropy', weight, C, logits.rank) : undefined;
  if (isFloat(target.dtype)) {
    sameShape('crossEntropy', logits, target);
    const t = labelSmoothing ? add(mul(target, 1 - labelSmoothing), labelSmoothing / C) : target;
    // Where t == 0 the term is 0 whatever logp is; the inner where keeps a -Inf logp out of the product.
    const safeLogp = where(eq(t, 0), where(eq(logp, -Infinity), 0, logp), logp);
    const terms = mul(safeLogp, wc ? mul(t, wc) : t);
    return reduce('crossEntropy', neg(sum(terms, 1)), reduction);
  }
  const base = nll(logp, target, { reduction, ...(weight ? { weight } : {}), ...(opts.ignoreIndex === undefined ? {} : { ignoreIndex: opts.ignoreIndex }) });
  if (!labelSmoothing) return base;
  // eps/C * sum_c -w_c logp_c over non-ignored samples, reduced like the NLL term (PyTorch): 'mean'
  // divides by the summed weights of the targets, the same denominator as the NLL term.
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const keepMask = ne(target, ignoreIndex);
  const keep = cast(keepMask, logits.dtype);
  const smooth = mul(neg(sum(wc ? mul(logp, wc) : logp, 1)), keep);
  let smoothRed: Tensor;
  if (reduction === 'mean') {
    const tw = weight ? mul(keep, reshape(indexSelect(weight, 0, reshape(where(keepMask, target, 0), [target.size])), target.shape)) : keep;
    smoothRed = div(sum(smooth), sum(tw));
  } else {
    smoothRed = reduce('crossEntropy', smooth, reduction);
  }
  return add(mul(base, 1 - labelSmoothing), mul(smoothRed, labelSmoothing / C));
}

export interface BceOptions {
  reduction?: Reduction;
  /** Weight of positive examples (broadcast over the class dim), as PyTorch's pos_weight. */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy on logits, stable for any magnitude:
 * (1 - t) x + (1 + (pw - 1) t) (log1p(e^-|x|) + max(-x, 0)).
 */
export function bceWithLogits(input: Tensor, y: Tensor, options?: BceOptions): Tensor {
  const { input: logits, target, opts, reduction } = lossArgs<BceOptions>('bceWithLogits', arguments.length, input, y, options, ['reduction', 'posWeight'], false);
  const { posWeight } = opts;
  requireFloat('bceWithLogits', logits.dtype);
  sameShape('bceWithLogits', logits, target);
  const softplusNeg = add(log1p(exp(neg(abs(logits)))), maximum(neg(logits), 0));
  const coef = posWeight ? add(mul(sub(posWeight, 1), target), 1) : undefined;
  const loss = add(mul(sub(1, target), logits), coef ? mul(coef, softplusNeg) : softplusNeg);
  return reduce('bceWithLogits', loss, reduction);
}

/**
 * @file Gradient clipping, as PyTorch's `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`,
 * with a non-finite total norm an error by default (docs/reliability.md "Numerics and training"): scaling by a
 * NaN/Inf norm would silently turn every weight into NaN at the next step.
 */
import { framed } from '../core/memory.js';
import { Tensor } from '../core/tensor.js';
import { PlexusError, ValueError } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import { isNum, show } from './hyper.js';
import { describe } from './optimizer.js';

/** The gradients' total norm is NaN or ±Infinity; names the first parameter at fault. */
export class NonFiniteGradientError extends PlexusError {
  constructor(
    message: string,
    /** The (non-finite) total norm. */
    readonly totalNorm: number,
    /** Position in the given list of the first parameter with a non-finite gradient (or norm), or -1. */
    readonly paramIndex: number,
    readonly paramName: string | undefined,
  ) {
    super('NON_FINITE_GRADIENT', message);
  }
}

export interface ClipGradNormOptions {
  /** Order p of the norm: any p > 0, or Infinity for the max-abs norm (default 2). */
  normType?: number;
  /** Throw NonFiniteGradientError when the total norm is NaN/Inf (default true). */
  errorIfNonfinite?: boolean;
}

/** p-norm of a vector in float64; NaN propagates (Math.max would, but only by accident of order). */
function pNorm(x: ArrayLike<number>, p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]!);
      if (!(a <= m)) m = a;
    }
    return m;
  }
  let s = 0;
  if (p === 2) for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  else for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!) ** p;
  return p === 2 ? Math.sqrt(s) : s ** (1 / p);
}

function toList(params: Tensor | Iterable<Tensor>): Tensor[] {
  return params instanceof Tensor ? [params] : [...params];
}

/**
 * Scales all gradients together so that their total norm (as if concatenated into one vector) is at
 * most `maxNorm`, and returns the total norm before clipping. Parameters without a gradient are
 * ignored; with none, returns 0. The scale is maxNorm / (norm + 1e-6), capped at 1 (PyTorch).
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 */
export const clipGradNorm = framed(function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = true } = options;
  if (!(isNum(maxNorm) && maxNorm >= 0)) throw new ValueError(`clipGradNorm: invalid maxNorm: ${show(maxNorm)}`, 'INVALID_HYPERPARAMETER');
  if (!(typeof normType === 'number' && normType > 0)) {
    throw new ValueError(`clipGradNorm: invalid normType: ${show(normType)} (expected p > 0 or Infinity)`, 'INVALID_HYPERPARAMETER');
  }
  const list = toList(params);
  const withGrad = list.filter((p) => p.grad !== null);
  if (withGrad.length === 0) return 0;
  const norms = withGrad.map((p) => pNorm(p.grad!.values, normType));
  const total = pNorm(norms, normType);
  if (!Number.isFinite(total) && errorIfNonfinite) throw nonFiniteError(list, total, normType);
  const coef = maxNorm / (total + 1e-6);
  // Multiplying by exactly 1 changes nothing, so skipping it is bit-identical to PyTorch.
  if (coef >= 1) return total;
  noGrad(() => {
    for (const p of withGrad) p.grad!.mutate((g) => { for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef; });
  });
  return total;
});

/** Names the first parameter whose gradient holds NaN/Inf, else the first whose norm overflowed. */
function nonFiniteError(list: readonly Tensor[], total: number, normType: number): NonFiniteGradientError {
  let at = list.findIndex((p) => p.grad !== null && p.grad.values.some((v) => !Number.isFinite(v)));
  let why = 'has a non-finite gradient';
  if (at < 0) {
    at = list.findIndex((p) => p.grad !== null && !Number.isFinite(pNorm(p.grad.values, normType)));
    why = 'has a finite gradient whose norm overflows';
  }
  const p = list[at];
  const culprit = p === undefined ? 'the norm of the per-parameter norms overflows' : `parameter ${at} (${describe(p)}) ${why}`;
  return new NonFiniteGradientError(
    `clipGradNorm: the total ${normType}-norm of the gradients is ${total}, so it cannot be clipped; ${culprit}. ` +
      'Pass {errorIfNonfinite: false} to scale by it anyway.',
    total, at, p?.name,
  );
}

/**
 * Clamps every gradient element into [-clipValue, clipValue] in place (NaN stays NaN).
 * @example
 * clipGradValue(model.parameters(), 0.5);
 */
export const clipGradValue = framed(function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(isNum(clipValue) && clipValue >= 0)) throw new ValueError(`clipGradValue: invalid clipValue: ${show(clipValue)}`, 'INVALID_HYPERPARAMETER');
  noGrad(() => {
    for (const p of toList(params)) {
      p.grad?.mutate((g) => {
        for (let i = 0; i < g.length; i++) {
          const v = g[i]!;
          if (v > clipValue) g[i] = clipValue;
          else if (v < -clipValue) g[i] = -clipValue;
        }
      });
    }
  });
});

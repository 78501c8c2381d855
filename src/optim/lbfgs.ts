/**
 * @file L-BFGS (Liu & Nocedal 1989, "On the limited memory BFGS method for large scale
 * optimization", https://doi.org/10.1007/BF01589116) with an optional strong-Wolfe line search
 * (Nocedal & Wright, Numerical Optimization, Alg. 3.5/3.6, with cubic interpolation), following
 * PyTorch's `torch.optim.LBFGS` step for step so that iterates match it: the two-loop recursion
 * with initial Hessian scale ys/yy, curvature pairs kept only when y's > 1e-10 (option
 * toleranceYs, from pykan's variant), the first step
 * min(1, 1/|g|_1) * lr, and `_strong_wolfe` / `_cubic_interpolate` (ported from torch/optim's
 * lswolfe.lua / polyinterp.lua).
 *
 * All the algebra runs in float64 on the parameters flattened into one vector (plain
 * Float64Arrays); parameters are written back in their own dtype. `step(closure)` needs a closure
 * that zeroes the gradients, recomputes the loss, calls backward and returns the loss, because
 * one step evaluates the function several times (PyTorch API).
 *
 * State: the curvature history lives in the optimizer, not in `stateDict()` (which holds the
 * hyperparameters only); after `loadStateDict` the next step starts afresh from steepest descent.
 */
import type { TypedArray } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { enableGrad, noGrad } from '../core/grad-mode.js';
import type { Tensor } from '../core/tensor.js';
import { type Check, nonNegative, positive, positiveInt, show } from './hyper.js';
import { type OptimizerSpec, type ParamGroup, type ParamState, type Params, Optimizer, mutateAll } from './optimizer.js';
import type { OptimizerStateDictInput } from './optimizer-state.js';

export interface LBFGSOptions {
  /** Step length multiplier (default 1). */
  lr: number;
  /** Iterations per `step` call (default 20). */
  maxIter: number;
  /** Function evaluations per `step` call (default floor(maxIter * 5 / 4)). */
  maxEval: number;
  /** Stop when max |grad| <= this (default 1e-7). */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less than this (default 1e-9). */
  toleranceChange: number;
  /** Curvature pairs kept (default 100). */
  historySize: number;
  /**
   * A curvature pair (s, y) is stored only when y's > this (default 1e-10, PyTorch's constant).
   * pykan's LBFGS lowers it to 1e-32: with losses ~1e-8 (a well-fit KAN) y's is of that size
   * too, every pair is dropped and L-BFGS stalls to near steepest descent.
   */
  toleranceYs: number;
  /** 'strong_wolfe' or null for fixed steps of length lr (default null, as PyTorch). */
  lineSearchFn: 'strong_wolfe' | null;
}

const lineSearch: Check = (v) => (v === null || v === 'strong_wolfe' ? null : `invalid lineSearchFn: ${show(v)} (expected 'strong_wolfe' or null)`);

const SPEC: OptimizerSpec<LBFGSOptions> = {
  name: 'LBFGS',
  checks: {
    lr: positive('learning rate'),
    maxIter: positiveInt('maxIter'),
    maxEval: positiveInt('maxEval'),
    toleranceGrad: nonNegative('toleranceGrad'),
    toleranceChange: nonNegative('toleranceChange'),
    historySize: positiveInt('historySize'),
    toleranceYs: nonNegative('toleranceYs'),
    lineSearchFn: lineSearch,
  },
  stateTensors: [],
  hasStep: false,
};

/** The evaluation of f and its gradient along a line: x + t d. */
type DirEval = (t: number) => { f: number; g: Float64Array };

interface History {
  d: Float64Array;
  t: number;
  oldDirs: Float64Array[];
  oldStps: Float64Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Float64Array;
  prevLoss: number;
}

/**
 * @example
 * const opt = new LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe', historySize: 10 });
 * for (let i = 0; i < 50; i++) opt.step(() => { opt.zeroGrad(); const l = loss(); l.backward(); return l; });
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private hist: History | null = null;
  /** Iterations over all steps (PyTorch state n_iter). */
  nIter = 0;
  /** Closure evaluations over all steps (PyTorch state func_evals). */
  funcEvals = 0;

  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const maxIter = options.maxIter ?? 20;
    const maxEval = options.maxEval ?? (Number.isInteger(maxIter) ? Math.floor((maxIter * 5) / 4) : maxIter);
    const defaults: LBFGSOptions = { lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, toleranceYs: 1e-10, lineSearchFn: null };
    super(params, { ...options, maxEval }, defaults, SPEC);
    if (this.paramGroups.length !== 1) throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)", 'INVALID_PARAMETERS');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  /** Runs up to maxIter iterations; returns the loss at the start of the step. */
  override step(closure?: () => Tensor | number): number {
    if (typeof closure !== 'function') throw new ValueError('LBFGS.step: a closure that recomputes the loss and its gradients is required', 'INVALID_ARGUMENT');
    const evaluate = (): number => {
      const l = enableGrad(closure);
      return typeof l === 'number' ? l : l.item();
    };
    return noGrad(() => this.run(evaluate));
  }

  private run(evaluate: () => number): number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, toleranceYs, lineSearchFn } = this.paramGroups[0]!;
    const origLoss = evaluate();
    let loss = origLoss;
    let currentEvals = 1;
    this.funcEvals += 1;
    let flatGrad = this.gatherFlatGrad();
    if (maxAbs(flatGrad) <= toleranceGrad) return origLoss;

    let h = this.hist;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      this.nIter++;
      // ---- direction: steepest descent on the first iteration, else the two-loop recursion.
      let d: Float64Array;
      const fresh = h === null; // the very first iteration (PyTorch: state n_iter == 1)
      if (h === null) {
        d = scaled(flatGrad, -1);
        h = { d, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: flatGrad.slice(), prevLoss: loss };
      } else {
        const y = sub(flatGrad, h.prevFlatGrad);
        const s = scaled(h.d, h.t);
        const ys = dot(y, s);
        if (ys > toleranceYs) {
          if (h.oldDirs.length === historySize) {
            h.oldDirs.shift();
            h.oldStps.shift();
            h.ro.shift();
          }
          h.oldDirs.push(y);
          h.oldStps.push(s);
          h.ro.push(1 / ys);
          h.hDiag = ys / dot(y, y);
        }
        d = twoLoop(flatGrad, h);
      }
      h.d = d;
      h.prevFlatGrad.set(flatGrad);
      h.prevLoss = loss;
      // ---- step length
      let t = fresh ? Math.min(1, 1 / sumAbs(flatGrad)) * lr : lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) {
        h.t = t;
        break;
      }
      let lsEvals: number;
      let optCond = false;
      if (lineSearchFn === 'strong_wolfe') {
        const x0 = this.params.map((p) => p.values.slice());
        const obj: DirEval = (tt) => {
          this.addToParams(tt, d);
          const f = evaluate();
          const g = this.gatherFlatGrad();
          this.setParams(x0);
          return { f, g };
        };
        const r = strongWolfe(obj, t, d, loss, flatGrad, gtd, toleranceChange);
        ({ f: loss, g: flatGrad, t, evals: lsEvals } = r);
        this.addToParams(t, d);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.addToParams(t, d);
        lsEvals = 0;
        if (nIter !== maxIter) {
          // Re-evaluate only if another iteration follows (PyTorch: no use in a stochastic setting).
          loss = evaluate();
          flatGrad = this.gatherFlatGrad();
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      h.t = t;
      currentEvals += lsEvals;
      this.funcEvals += lsEvals;
      // ---- stopping rules, in PyTorch's order
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (maxAbs(d) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(loss - h.prevLoss) < toleranceChange) break;
    }
    this.hist = h;
    return origLoss;
  }

  /** Never called: `step` is overridden (the base's per-parameter update does not fit L-BFGS). */
  protected override update(_p: Tensor, _g: TypedArray, _s: ParamState, _group: ParamGroup<LBFGSOptions>): void {
    throw new ValueError('LBFGS.update is not used; call step(closure)', 'INVALID_STATE');
  }

  /** Hyperparameters as saved; the curvature history is dropped (see the file header). */
  override loadStateDict(sd: OptimizerStateDictInput): void {
    super.loadStateDict(sd);
    this.hist = null;
  }

  /** Concatenated gradients in float64 (a missing gradient counts as zeros, as PyTorch). */
  private gatherFlatGrad(): Float64Array {
    const n = this.params.reduce((a, p) => a + p.size, 0);
    const out = new Float64Array(n);
    let off = 0;
    for (const p of this.params) {
      if (p.grad) out.set(p.grad.values, off);
      off += p.size;
    }
    return out;
  }

  /** p += t * d[slice of p], in each parameter's dtype. */
  private addToParams(t: number, d: Float64Array): void {
    let off = 0;
    mutateAll(this.params, (arrays) => {
      for (const a of arrays) {
        for (let i = 0; i < a.length; i++) a[i] = a[i]! + t * d[off + i]!;
        off += a.length;
      }
    });
  }

  private setParams(values: readonly TypedArray[]): void {
    mutateAll(this.params, (arrays) => arrays.forEach((a, i) => a.set(values[i]!)));
  }
}

/** -H g by the two-loop recursion, H = the L-BFGS inverse Hessian (initial scale hDiag). */
function twoLoop(g: Float64Array, h: History): Float64Array {
  const m = h.oldDirs.length;
  const al = new Array<number>(m);
  const q = scaled(g, -1);
  for (let i = m - 1; i >= 0; i--) {
    al[i] = dot(h.oldStps[i]!, q) * h.ro[i]!;
    axpy(q, -al[i]!, h.oldDirs[i]!);
  }
  const r = scaled(q, h.hDiag);
  for (let i = 0; i < m; i++) {
    const be = dot(h.oldDirs[i]!, r) * h.ro[i]!;
    axpy(r, al[i]! - be, h.oldStps[i]!);
  }
  return r;
}

/**
 * Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds` (default the
 * interval between the points); the midpoint when the cubic has no real minimiser.
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

interface Point { t: number; f: number; g: Float64Array; gtd: number }

/**
 * Strong-Wolfe line search (PyTorch's `_strong_wolfe`): bracket a step satisfying
 *   f(t) <= f(0) + c1 t g'd   and   |g(t)'d| <= -c2 g'd,
 * then zoom into the bracket by safeguarded cubic interpolation. Returns the best point and the
 * number of evaluations.
 */
export function strongWolfe(
  obj: DirEval, t0: number, d: Float64Array, f: number, g: Float64Array, gtd: number,
  toleranceChange = 1e-9, c1 = 1e-4, c2 = 0.9, maxLs = 25,
): { f: number; g: Float64Array; t: number; evals: number } {
  const dNorm = maxAbs(d);
  let t = t0;
  let { f: fNew, g: gNew } = obj(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let prev: Point = { t: 0, f, g, gtd };
  let bracket: Point[] | null = null;
  let done = false;
  let lsIter = 0;
  while (lsIter < maxLs) {
    const cur: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= prev.f)) {
      bracket = [prev, cur];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [cur];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [prev, cur];
      break;
    }
    // Extrapolate: the cubic minimiser, kept within [t + 0.01 (t - t_prev), 10 t].
    const next = cubicInterpolate(prev.t, prev.f, prev.gtd, t, fNew, gtdNew, [t + 0.01 * (t - prev.t), t * 10]);
    prev = cur;
    t = next;
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) bracket = [{ t: 0, f, g, gtd }, { t, f: fNew, g: gNew, gtd: gtdNew }];
  const br = bracket!;
  let [low, high] = br[0]!.f <= br[br.length - 1]!.f ? [0, 1] : [1, 0];
  let insufProgress = false;
  while (!done && lsIter < maxLs) {
    const a = br[0]!;
    const b = br[1]!;
    if (Math.abs(b.t - a.t) * dNorm < toleranceChange) break;
    t = cubicInterpolate(a.t, a.f, a.gtd, b.t, b.f, b.gtd);
    // Keep t at least 10% of the bracket away from its ends (after a first warning), so the
    // bracket keeps shrinking.
    const bmax = Math.max(a.t, b.t);
    const bmin = Math.min(a.t, b.t);
    const eps = 0.1 * (bmax - bmin);
    if (Math.min(bmax - t, t - bmin) < eps) {
      if (insufProgress || t >= bmax || t <= bmin) {
        t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    ({ f: fNew, g: gNew } = obj(t));
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    const cur: Point = { t, f: fNew, g: gNew, gtd: gtdNew };
    if (fNew > f + c1 * t * gtd || fNew >= br[low]!.f) {
      // Not sufficient decrease, or not below the low end: the new point is the high end.
      br[high] = cur;
      [low, high] = br[0]!.f <= br[1]!.f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (br[high]!.t - br[low]!.t) >= 0) br[high] = br[low]!; // old low becomes high
      br[low] = cur;
    }
  }
  const best = br[low]!;
  return { f: best.f, g: best.g, t: best.t, evals };
}

// ---- float64 vector helpers --------------------------------------------------------------------

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(y: Float64Array, alpha: number, x: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + alpha * x[i]!;
}

function scaled(x: Float64Array, a: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i]!;
  return out;
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > m || v !== v) m = v; // NaN propagates, so a NaN gradient never looks optimal
  }
  return m;
}

function sumAbs(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!);
  return s;
}

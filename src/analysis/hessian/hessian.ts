/**
 * @file Curvature of a loss: Hessian-vector products by double backward (Pearlmutter 1994: H v is
 * the gradient of g(theta) . v), the top eigenvalue by power iteration on them, and the trace by
 * Hutchinson's estimator (E[z^T H z] = tr H for Rademacher z). Compared with 2 / lr, the top
 * eigenvalue says whether gradient descent trains at the edge of stability (Cohen et al. 2021,
 * https://arxiv.org/abs/2103.00065: GD drives the sharpness up to about 2 / lr and hovers there).
 *
 * Losses are functions of a parameter list, `(params: Tensor[]) => scalar Tensor`; `lossFunction`
 * builds one for a model and data through nn.functionalCall, so the model's own parameters and
 * `.grad` are never touched (and it runs in eval mode: no dropout noise, no running-statistics update).
 * Power iteration converges to the eigenvalue of largest magnitude (at a minimum, the largest).
 */
import { checkOptions, describe } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ValueError, ShapeError, fmtShape } from '../../core/errors.js';
import { gradients } from '../../core/autograd.js';
import { enableGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { add, mul, sum } from '../../ops/primitives/index.js';
import { crossEntropy, mse } from '../../ops/composite/index.js';
import { functionalCall } from '../../nn/functional-call.js';
import { Module } from '../../nn/module.js';
import { checkInt, checkNumber } from '../../nn/check.js';
import { f64, inEval } from '../ntk/host.js';

/** A scalar loss of a parameter list. */
export type LossOfParams = (params: Tensor[]) => Tensor;

interface Flat { shapes: number[][]; dtype: 'float32' | 'float64'; size: number }

function flatOf(where: string, params: unknown): Flat {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
    throw new ValueError(`${where}: params must be a non-empty array of Tensors, got ${describe(params)}`, 'INVALID_ARGUMENT');
  }
  const ps = params as Tensor[];
  const dtype = ps[0]!.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${where}: params must be float tensors, got ${dtype}`, 'INVALID_ARGUMENT');
  return { shapes: ps.map((p) => [...p.shape]), dtype, size: ps.reduce((a, p) => a + p.size, 0) };
}

/** The host vector cut into tensors of the parameters' shapes. */
function split(f: Flat, v: Float64Array): Tensor[] {
  let at = 0;
  return f.shapes.map((shape) => {
    const n = shape.reduce((a, s) => a * s, 1);
    const part = v.subarray(at, (at += n));
    return tensor(f.dtype === 'float64' ? part : Float32Array.from(part), { dtype: f.dtype, shape });
  });
}

/** H v at `point` (host vectors over the flattened parameters), one double backward. */
function hvpFlat(fn: LossOfParams, f: Flat, point: Float64Array, v: Float64Array, where: string): Float64Array {
  return frame(() => enableGrad(() => {
    const ps = split(f, point).map((p) => p.requiresGrad_());
    const loss = fn(ps);
    if (!(loss instanceof Tensor) || loss.size !== 1) throw new ShapeError(`${where}: the loss function must return a one-element Tensor, got ${loss instanceof Tensor ? fmtShape(loss.shape) : describe(loss)}`);
    const gs = gradients([loss], ps, { createGraph: true, allowUnused: true });
    const vs = split(f, v);
    let dot: Tensor | null = null;
    gs.forEach((g, i) => { const t = sum(mul(g, vs[i]!)); dot = dot === null ? t : add(dot, t); });
    const hv = dot !== null && (dot as Tensor).requiresGrad ? gradients([dot], ps, { allowUnused: true }) : ps.map((p) => mul(p, 0));
    const out = new Float64Array(f.size);
    let at = 0;
    for (const h of hv) { out.set(f64(h), at); at += h.size; }
    return out;
  }));
}

const hostOf = (ps: readonly Tensor[], size: number): Float64Array => {
  const out = new Float64Array(size);
  let at = 0;
  for (const p of ps) { out.set(f64(p), at); at += p.size; }
  return out;
};

/**
 * The Hessian-vector product H v of `fn` at `params`, as tensors shaped like `params`.
 * @example const hv = analysis.hvp((ps) => ps[0].pow(3).sum(), [w], [v]);   // 6 w v
 */
export function hvp(fn: LossOfParams, params: readonly Tensor[], vectors: readonly Tensor[]): Tensor[] {
  const where = 'hvp';
  if (typeof fn !== 'function') throw new ValueError(`${where}: fn must be a function of the parameter list, got ${describe(fn)}`, 'INVALID_ARGUMENT');
  const f = flatOf(where, params);
  if (!Array.isArray(vectors) || vectors.length !== params.length || vectors.some((v, i) => !(v instanceof Tensor) || v.size !== params[i]!.size)) {
    throw new ShapeError(`${where}: vectors must be one Tensor per parameter, of its shape (${params.map((p) => fmtShape(p.shape)).join(', ')})`);
  }
  return split(f, hvpFlat(fn, f, hostOf(params, f.size), hostOf(vectors, f.size), where));
}

export interface HessianEigenOptions {
  /** Most power iterations (default 100). */
  maxIter?: number;
  /** Stop when the estimate changes by at most tol * |estimate| (default 1e-6). */
  tol?: number;
  /** Seed of the starting vector (default 0). */
  seed?: number;
}

export interface HessianEigen {
  /** The eigenvalue of largest magnitude. */
  value: number;
  /** Its unit eigenvector, one tensor per parameter. */
  vector: Tensor[];
  iterations: number;
  converged: boolean;
}

/**
 * The top Hessian eigenvalue of `fn` at `params` by power iteration on Hessian-vector products.
 * @example const { value } = analysis.hessianEigenvalue(fn, params); console.log(value, 2 / lr);
 */
export function hessianEigenvalue(fn: LossOfParams, params: readonly Tensor[], opts: HessianEigenOptions = {}): HessianEigen {
  const where = 'hessianEigenvalue';
  checkOptions(where, opts, ['maxIter', 'tol', 'seed']);
  const maxIter = checkInt(where, 'maxIter', opts.maxIter ?? 100, 1);
  const tol = checkNumber(where, 'tol', opts.tol ?? 1e-6, 0);
  const g = new Generator(checkNumber(where, 'seed', opts.seed ?? 0));
  if (typeof fn !== 'function') throw new ValueError(`${where}: fn must be a function of the parameter list, got ${describe(fn)}`, 'INVALID_ARGUMENT');
  const f = flatOf(where, params);
  const point = hostOf(params, f.size);
  let v: Float64Array = Float64Array.from({ length: f.size }, () => g.nextNormal());
  const normalize = (a: Float64Array): number => { let n = 0; for (const x of a) n += x * x; n = Math.sqrt(n); for (let i = 0; i < a.length; i++) a[i] = a[i]! / (n || 1); return n; };
  normalize(v);
  let value = NaN;
  let it = 0;
  let converged = false;
  while (it < maxIter) {
    it++;
    const w = hvpFlat(fn, f, point, v, where);
    let ray = 0;
    for (let i = 0; i < w.length; i++) ray += v[i]! * w[i]!;
    const norm = normalize(w);
    const prev = value;
    value = ray;
    v = w;
    if (norm === 0) { converged = true; value = 0; break; }
    if (Math.abs(value - prev) <= tol * Math.abs(value)) { converged = true; break; }
  }
  return { value, vector: split(f, v), iterations: it, converged };
}

export interface HessianTraceOptions {
  /** Rademacher probes (default 100). */
  probes?: number;
  /** Seed of the probes (default 0). */
  seed?: number;
}

/**
 * tr H of `fn` at `params` by Hutchinson's estimator, with its standard error.
 * @example const { value, stderr } = analysis.hessianTrace(fn, params, { probes: 200 });
 */
export function hessianTrace(fn: LossOfParams, params: readonly Tensor[], opts: HessianTraceOptions = {}): { value: number; stderr: number; probes: number } {
  const where = 'hessianTrace';
  checkOptions(where, opts, ['probes', 'seed']);
  const probes = checkInt(where, 'probes', opts.probes ?? 100, 1);
  const g = new Generator(checkNumber(where, 'seed', opts.seed ?? 0));
  if (typeof fn !== 'function') throw new ValueError(`${where}: fn must be a function of the parameter list, got ${describe(fn)}`, 'INVALID_ARGUMENT');
  const f = flatOf(where, params);
  const point = hostOf(params, f.size);
  let mean = 0, m2 = 0;
  for (let k = 0; k < probes; k++) {
    const z = Float64Array.from({ length: f.size }, () => (g.nextFloat() < 0.5 ? -1 : 1));
    const hz = hvpFlat(fn, f, point, z, where);
    let s = 0;
    for (let i = 0; i < z.length; i++) s += z[i]! * hz[i]!;
    const d = s - mean;   // Welford
    mean += d / (k + 1);
    m2 += d * (s - mean);
  }
  return { value: mean, stderr: probes > 1 ? Math.sqrt(m2 / (probes - 1) / probes) : NaN, probes };
}

export interface LossFunctionOptions {
  /** 'crossEntropy' (integer targets), 'mse', or a function (pred, target) => scalar Tensor. */
  loss: 'crossEntropy' | 'mse' | ((pred: Tensor, target: Tensor) => Tensor);
}

/** The loss option as a function (pred, target) => scalar Tensor, or a typed error naming the choices. */
export function resolveLoss(where: string, loss: unknown): (pred: Tensor, target: Tensor) => Tensor {
  if (loss === 'crossEntropy') return (p, t) => crossEntropy(p, t);
  if (loss === 'mse') return (p, t) => mse(p, t);
  if (typeof loss === 'function') return loss as (pred: Tensor, target: Tensor) => Tensor;
  throw new ValueError(`${where}: loss must be 'crossEntropy', 'mse' or a function (pred, target) => Tensor, got ${describe(loss)}`, 'INVALID_ENUM');
}

/**
 * The loss of `model` on (x, y) as a function of its parameter list, with that list (the model's
 * trainable parameters, in namedParameters() order) to evaluate it at.
 * @example const { fn, params } = analysis.lossFunction(model, x, y, { loss: 'crossEntropy' });
 */
export function lossFunction(model: Module, x: Tensor, y: Tensor, opts: LossFunctionOptions): { fn: LossOfParams; params: Tensor[]; names: string[] } {
  const where = 'lossFunction';
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be an nn.Module, got ${describe(model)}`, 'INVALID_ARGUMENT');
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${where}: x and y must be Tensors`, 'INVALID_ARGUMENT');
  checkOptions(where, opts, ['loss']);
  const lossFn = resolveLoss(where, opts?.loss);
  const named = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const names = named.map(([k]) => k);
  const fn: LossOfParams = (ps) => inEval(model, () => lossFn(functionalCall(model, new Map(names.map((k, i) => [k, ps[i]!])), x), y));
  return { fn, params: named.map(([, p]) => p), names };
}

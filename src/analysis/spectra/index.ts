/**
 * @file Weight spectra (Martin & Mahoney, "Implicit Self-Regularization in Deep Neural Networks",
 * https://arxiv.org/abs/1810.01075, and WeightWatcher's metrics): per weight matrix W [N, M], the
 * empirical spectral density of WᵀW (its eigenvalues λ = s², s the singular values of W, by the
 * float64 one-sided Jacobi SVD), the power-law fit of its tail (powerlaw.ts: alpha, xmin by KS),
 * weighted alpha = alpha · log10 λmax, the stable rank Σλ / λmax = ||W||²_F / ||W||²_2, the log
 * spectral norm log10 λmax, and the Marchenko–Pastur bulk edge of a random matrix of the same shape
 * and entry variance (marchenko-pastur.ts) with the number of eigenvalues beyond it.
 *
 * A weight of rank > 2 (a convolution kernel [out, in, ...]) is read as [out, in · ...]. Read-only.
 */
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { checkArgCount, checkOptions } from '../../core/args.js';
import { Tensor } from '../../core/tensor.js';
import { Module } from '../../nn/module.js';
import { svdArray } from '../svd.js';
import { fitPowerLawArray, type PowerLawFit } from './powerlaw.js';
import { marchenkoPastur, mpKSDistance } from './marchenko-pastur.js';

export { fitPowerLaw, type PowerLawFit } from './powerlaw.js';
export { marchenkoPastur, mpKSDistance, type MarchenkoPastur } from './marchenko-pastur.js';

export interface WeightSpectrum {
  /** The parameter's key ('layers.0.weight'), or 'W' for a bare matrix. */
  name: string;
  /** The matrix shape read, [rows, cols]. */
  shape: [number, number];
  /** Eigenvalues of WᵀW (min(rows, cols) of them), descending. */
  eigenvalues: number[];
  /** Power-law tail fit (null when fewer than 3 positive eigenvalues or no tail). */
  fit: PowerLawFit | null;
  /** alpha of the fit (NaN without one). */
  alpha: number;
  /** alpha · log10 λmax (WeightWatcher's alpha_weighted). */
  alphaWeighted: number;
  /** log10 λmax = 2 log10 ||W||₂. */
  logSpectralNorm: number;
  /** Σλ / λmax. */
  stableRank: number;
  /** Entry variance ||W||²_F / (rows · cols), the MP reference's σ². */
  sigma2: number;
  /** Marchenko–Pastur bulk edge σ²(√N + √M)² in units of WᵀW. */
  mpLambdaMax: number;
  /** Eigenvalues above the MP bulk edge. */
  numSpikes: number;
  /** KS distance between the ESD and the MP law of the same shape and σ². */
  mpKS: number;
}

function readWeight(w: Tensor, where: string): { a: Float64Array; rows: number; cols: number } {
  if (!(w instanceof Tensor)) throw new ValueError(`${where}: weight must be a Tensor, got ${w === null ? 'null' : typeof w}`);
  if (w.rank < 2) throw new ShapeError(`${where}: a weight matrix needs rank >= 2, got shape ${fmtShape(w.shape)}`);
  if (w.dtype !== 'float32' && w.dtype !== 'float64') throw new ValueError(`${where}: weight must be float32 or float64, got ${w.dtype}`);
  const rows = w.shape[0]!;
  const a = Float64Array.from(w._peek() as Float32Array | Float64Array);
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new ValueError(`${where}: weight has a non-finite entry (flat index ${i})`);
  return { a, rows, cols: rows ? w.size / rows : 0 };
}

/** The spectrum of one matrix, host arrays in. */
function spectrumOf(name: string, a: Float64Array, rows: number, cols: number, where: string): WeightSpectrum {
  if (rows < 1 || cols < 1) throw new ShapeError(`${where}: ${name} is empty, shape [${rows}, ${cols}]`);
  const { s } = svdArray(a, rows, cols, false);
  const ev = Array.from(s, (x) => x * x);
  const lmax = ev[0]!;
  const sum = ev.reduce((p, v) => p + v, 0);
  // Numerical zeros (rank deficiency) are not part of the tail.
  const positive = ev.filter((v) => v > lmax * Math.max(rows, cols) * 2 ** -52);
  let fit: PowerLawFit | null = null;
  if (positive.length >= 3 && positive[0] !== positive[positive.length - 1]) fit = fitPowerLawArray(positive, where);
  const alpha = fit ? fit.alpha : NaN;
  const sigma2 = sum / (rows * cols);
  const mp = marchenkoPastur(rows, cols, sigma2);
  return {
    name, shape: [rows, cols], eigenvalues: ev, fit, alpha,
    alphaWeighted: alpha * Math.log10(lmax),
    logSpectralNorm: Math.log10(lmax),
    stableRank: lmax > 0 ? sum / lmax : NaN,
    sigma2, mpLambdaMax: mp.lambdaMax,
    numSpikes: ev.filter((v) => v > mp.lambdaMax).length,
    mpKS: sigma2 > 0 ? mpKSDistance(ev, mp) : NaN,
  };
}

/**
 * The spectrum of one weight matrix W [rows, cols] (higher rank: [rows, rest]).
 * @example const { alpha, stableRank } = analysis.weightSpectrum(model.layers[0].weight);
 */
export function weightSpectrum(weight: Tensor, ...rest: unknown[]): WeightSpectrum {
  checkArgCount('weightSpectrum', 1 + rest.length, 1, 'weightSpectrum(weight)');
  const { a, rows, cols } = readWeight(weight, 'weightSpectrum');
  return spectrumOf('W', a, rows, cols, 'weightSpectrum');
}

export interface WeightSpectraOptions {
  /** Parameter keys to analyse (default: every parameter of rank >= 2 whose key ends in 'weight'). */
  params?: readonly string[];
  /** Skip matrices whose smaller side is below this (default 2). */
  minDim?: number;
}

/**
 * The spectrum of every weight matrix of `model`, in parameter order (WeightWatcher's per-layer table).
 * @example for (const s of analysis.weightSpectra(model)) console.log(s.name, s.alpha);
 */
export function weightSpectra(model: Module, opts?: WeightSpectraOptions, ...rest: unknown[]): WeightSpectrum[] {
  const where = 'weightSpectra';
  checkArgCount(where, 2 + rest.length, 2, 'weightSpectra(model, options?)');
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be an nn.Module, got ${model === null ? 'null' : typeof model}`);
  const o = checkOptions(where, opts, ['params', 'minDim']);
  const minDim = o.minDim ?? 2;
  if (!(Number.isInteger(minDim) && minDim >= 1)) throw new ValueError(`${where}: minDim must be an integer >= 1, got ${String(minDim)}`);
  const all = model.namedParameters();
  let chosen: [string, Tensor][];
  if (o.params) {
    if (!Array.isArray(o.params)) throw new ValueError(`${where}: params must be an array of parameter keys`);
    const byKey = new Map(all);
    chosen = o.params.map((k) => {
      const p = byKey.get(k);
      if (!p) throw new ValueError(`${where}: unknown parameter ${JSON.stringify(k)}; the model's parameters are: ${all.map(([n]) => n).join(', ')}`, 'UNKNOWN_PARAMETER');
      if (p.rank < 2) throw new ShapeError(`${where}: parameter ${JSON.stringify(k)} has shape ${fmtShape(p.shape)}; a spectrum needs a matrix (rank >= 2)`);
      return [k, p];
    });
  } else {
    chosen = all.filter(([k, p]) => p.rank >= 2 && /(^|\.)weight$/.test(k));
  }
  return chosen
    .map(([k, p]) => ({ k, ...readWeight(p, `${where}: ${k}`) }))
    .filter((w) => Math.min(w.rows, w.cols) >= minDim)
    .map((w) => spectrumOf(w.k, w.a, w.rows, w.cols, `${where}: ${w.k}`));
}

/** The eigenvalues of WᵀW as a float64 Tensor, descending (the ESD's sample). */
export function esd(weight: Tensor, ...rest: unknown[]): Tensor {
  checkArgCount('esd', 1 + rest.length, 1, 'esd(weight)');
  const { a, rows, cols } = readWeight(weight, 'esd');
  return tensor(Float64Array.from(svdArray(a, rows, cols, false).s, (x) => x * x), { dtype: 'float64' });
}

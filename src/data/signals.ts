/**
 * @file 1-D signals for quick coordinate-network checks (the 1-D experiments of Tancik et al. 2020,
 * arXiv 2006.10739, and SIREN's audio, arXiv 2006.09661, in small): an audio-like sum of sines and a
 * step, sampled at n points evenly spaced in [-1, 1] (both ends included). x [n, 1], y [n, 1].
 */
import { checkEnum, checkOptions } from '../core/args.js';
import type { FloatDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import type { Split } from './dataset.js';
import { fromTyped } from './rows.js';

export const SIGNAL_KINDS = ['sines', 'step'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export interface SignalOptions {
  /** Samples (default 256, at least 2). */
  n?: number;
  /** sines: frequencies in cycles per unit of x (default [1, 4, 11, 23]). */
  frequencies?: readonly number[];
  /** sines: amplitudes, one per frequency (default 1 / (k + 1) for the k-th). */
  amplitudes?: readonly number[];
  /** step: where y jumps from -1 to 1 (default 0). */
  at?: number;
  dtype?: FloatDType;
}

/**
 * sines: y = sum_k a_k sin(2 pi f_k x + k) (phase k so the terms do not all cross 0 together);
 * step: y = -1 for x < at, else 1.
 * @example const { x, y } = data.signal1d('sines', { n: 512 });
 */
export function signal1d(kind: SignalKind, opts: SignalOptions = {}): Split {
  checkEnum('signal1d', 'kind', kind, SIGNAL_KINDS);
  checkOptions('signal1d', opts, ['n', 'frequencies', 'amplitudes', 'at', 'dtype']);
  const n = opts.n ?? 256;
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`signal1d: n must be an integer >= 2, got ${String(n)}`);
  const freqs = opts.frequencies ?? [1, 4, 11, 23];
  if (!Array.isArray(freqs) || freqs.length === 0 || !freqs.every((f) => typeof f === 'number' && Number.isFinite(f))) throw new ValueError('signal1d: frequencies must be a non-empty array of finite numbers');
  const amps = opts.amplitudes ?? freqs.map((_, k) => 1 / (k + 1));
  if (!Array.isArray(amps) || amps.length !== freqs.length || !amps.every((a) => typeof a === 'number' && Number.isFinite(a))) {
    throw new ValueError(`signal1d: amplitudes must be ${freqs.length} finite numbers, one per frequency`);
  }
  const at = opts.at ?? 0;
  if (typeof at !== 'number' || !Number.isFinite(at)) throw new ValueError(`signal1d: at must be a finite number, got ${String(at)}`);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = -1 + (2 * i) / (n - 1);
    x[i] = t;
    if (kind === 'step') y[i] = t < at ? -1 : 1;
    else y[i] = freqs.reduce((s, f, k) => s + amps[k]! * Math.sin(2 * Math.PI * f * t + k), 0);
  }
  const dtype = opts.dtype ?? 'float32';
  return { x: fromTyped(x, [n, 1], dtype), y: fromTyped(y, [n, 1], dtype) };
}

/**
 * @file Finiteness checks used by the NaN/Inf guard (docs/reliability.md "Numerics and training"): locate the first
 * non-finite element of a parameter, a gradient or an input batch. Plain loops over the live values
 * (no tensors are made), so a check per step costs one read of the parameters — small next to the
 * forward and backward passes, which read them several times per sample.
 */
import { isFloat } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { NonFiniteCulprit } from './errors.js';

/** Index of the first NaN/±Infinity in `v`, or -1. */
export function firstNonFinite(v: ArrayLike<number>): number {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    // x - x is 0 for finite x and NaN for NaN and ±Infinity: one compare instead of two.
    if (x - x !== 0) return i;
  }
  return -1;
}

/** The first non-finite tensor of a named list, as a culprit of `kind`. */
function firstIn(list: readonly (readonly [string, Tensor | null])[], kind: NonFiniteCulprit['kind']): NonFiniteCulprit | null {
  for (const [name, t] of list) {
    if (t === null || !isFloat(t.dtype)) continue;
    const v = t.values;
    const i = firstNonFinite(v);
    if (i >= 0) return { kind, name, index: i, value: v[i]! };
  }
  return null;
}

/** Named parameters: a model, or its `namedParameters()` cached by a caller that checks every step. */
export type NamedParams = Module | readonly (readonly [string, Tensor])[];

const named = (m: NamedParams): readonly (readonly [string, Tensor])[] => ('namedParameters' in m ? m.namedParameters() : m);

/** First non-finite parameter (namedParameters order), or null. */
export function nonFiniteParameter(params: NamedParams): NonFiniteCulprit | null {
  return firstIn(named(params), 'parameter');
}

/** First non-finite gradient (parameters without one are skipped), or null. */
export function nonFiniteGradient(params: NamedParams): NonFiniteCulprit | null {
  return firstIn(named(params).map(([k, p]) => [k, p.grad] as const), 'gradient');
}

/** Where a batch holds a non-finite value: the tensor, the row (sample) and the value. */
export interface BadSample {
  tensor: 'x' | 'y';
  sample: number;
  value: number;
}

/** The first non-finite value of a batch's float tensors, by sample (first dimension), or null. */
export function nonFiniteSample(x: Tensor, y: Tensor): BadSample | null {
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!isFloat(t.dtype) || t.size === 0) continue;
    const v = t.values;
    const i = firstNonFinite(v);
    if (i >= 0) {
      const perSample = t.rank === 0 ? 1 : t.size / t.shape[0]!;
      return { tensor: name, sample: Math.floor(i / perSample), value: v[i]! };
    }
  }
  return null;
}

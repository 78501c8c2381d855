/**
 * @file Argument checks shared by the layers and by `fromConfig`: a bad size or probability is a
 * typed ValueError naming the layer and the argument, thrown before any tensor is allocated.
 */
import { type FloatDType, getDefaultDType, isFloat, isDType } from '../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';

/** An integer >= min (layer sizes: 0 is allowed where PyTorch allows it). */
export function checkInt(where: string, name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ValueError(`${where}: ${name} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** A finite number in [min, max]. */
export function checkNumber(where: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : `a finite number in [${min}, ${max}]`;
    throw new ValueError(`${where}: ${name} must be ${range}, got ${show(v)}`);
  }
  return v;
}

/** A boolean flag (no truthy coercion: 'false' is not false). */
export function checkBool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${where}: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/** A strictly positive finite number (eps, beta). */
export function checkPositive(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ValueError(`${where}: ${name} must be a finite number > 0, got ${show(v)}`);
  }
  return v;
}

/** The dtype for new parameters: the given float dtype or the default one. */
export function paramDType(where: string, d: unknown): FloatDType {
  if (d === undefined) return getDefaultDType();
  if (!isDType(d) || !isFloat(d)) {
    throw new DTypeError(`${where}: parameter dtype must be float32 or float64, got ${show(d)}`, 'INVALID_DTYPE');
  }
  return d;
}

/** Input must be float and have the layer's dtype (a silent cast would hide a float32/float64 mix-up). */
export function checkInputDType(where: string, x: Tensor, want: FloatDType): void {
  if (x.dtype !== want) {
    throw new DTypeError(`${where}: input dtype ${x.dtype} ${fmtShape(x.shape)} does not match the parameters' ${want}; convert the model with .to('${x.dtype}') or the input with .cast('${want}')`);
  }
}

/** Input's trailing dims must equal `tail` (Linear's in_features, LayerNorm's normalized shape). */
export function checkTrailing(where: string, x: Tensor, tail: readonly number[]): void {
  const k = tail.length;
  const ok = x.rank >= Math.max(k, 1) && tail.every((d, i) => x.shape[x.rank - k + i] === d);
  if (!ok) throw new ShapeError(`${where}: input shape ${fmtShape(x.shape)} must end with ${fmtShape(tail)}`);
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

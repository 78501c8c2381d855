/**
 * @file Validators for optimizer and scheduler hyperparameters (docs/reliability.md "Numerics and training").
 * Each returns a problem description or null, so one rule serves construction (throws at once) and
 * `loadStateDict` (collects every problem). Messages follow PyTorch's ("invalid beta parameter at
 * index 0: 1"); the caller prefixes the optimizer's name.
 */
import { ValueError } from '../core/errors.js';

/** Returns null when `value` is acceptable, else what is wrong with it. */
export type Check = (value: unknown) => string | null;

/** Shows a bad value so that `"0.1"` (a string) is visibly not `0.1`. */
export function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  return Object.prototype.toString.call(v);
}

/** Finite JS number. Infinity is refused too: no optimizer means it, and JSON cannot hold it. */
export function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** `lr`, `weightDecay`, `momentum`...: a finite number >= 0. `!(x >= 0)` also catches NaN. */
export function nonNegative(label: string): Check {
  return (v) => (isNum(v) && v >= 0 ? null : `invalid ${label}: ${show(v)}`);
}

/** `eps`, trust coefficients: a finite number > 0. */
export function positive(label: string): Check {
  return (v) => (isNum(v) && v > 0 ? null : `invalid ${label}: ${show(v)}`);
}

/** A number in [0, 1] (`dampening`, RMSprop's `alpha`). */
export function unit(label: string): Check {
  return (v) => (isNum(v) && v >= 0 && v <= 1 ? null : `invalid ${label}: ${show(v)} (expected a number in [0, 1])`);
}

export function bool(label: string): Check {
  return (v) => (typeof v === 'boolean' ? null : `invalid ${label}: ${show(v)} (expected true or false)`);
}

/** Adam-style `betas`: two numbers, each in [0, 1) (beta = 1 never forgets and divides by zero). */
export const betas: Check = (v) => {
  if (!Array.isArray(v) || v.length !== 2) return `invalid betas: ${show(v)} (expected [beta1, beta2])`;
  for (let i = 0; i < 2; i++) {
    const b: unknown = v[i];
    if (!(isNum(b) && b >= 0 && b < 1)) return `invalid beta parameter at index ${i}: ${show(b)}`;
  }
  return null;
};

/** A positive integer (step counts, periods). */
export function positiveInt(label: string): Check {
  return (v) => (isNum(v) && Number.isInteger(v) && v > 0 ? null : `invalid ${label}: ${show(v)} (expected a positive integer)`);
}

export function oneOf(label: string, allowed: readonly string[]): Check {
  return (v) => (typeof v === 'string' && allowed.includes(v) ? null : `invalid ${label}: ${show(v)} (expected one of ${allowed.join(', ')})`);
}

/** Throws the typed construction error when `check` finds a problem. */
export function ensure(owner: string, check: Check, value: unknown): void {
  const problem = check(value);
  if (problem !== null) throw hyperError(owner, problem);
}

export function hyperError(owner: string, problem: string): ValueError {
  return new ValueError(`${owner}: ${problem}`, 'INVALID_HYPERPARAMETER');
}

/** A plain `{...}` object (not an array, class instance or null); JSON.parse produces these. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own enumerable value, never one inherited through a `__proto__` key or the prototype chain. */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Deep copy of a JSON-like hyperparameter value, so groups never share `betas` arrays. */
export function copyValue<T>(v: T): T {
  return (Array.isArray(v) ? v.slice() : v) as T;
}

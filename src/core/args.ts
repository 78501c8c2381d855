/**
 * @file Argument checks shared by every public op: options objects (unknown keys refused), string
 * enums, axes, shapes given as varargs or one array, and argument counts. Each failure is a typed
 * error naming the op and the argument (docs/api-conventions.md), never a raw TypeError from deep
 * inside a kernel, and never a silently ignored argument.
 */
import { ShapeError, ValueError } from './errors.js';
import { normalizeAxes, normalizeAxis } from './shape.js';
import { Tensor } from './tensor.js';

/** How a value reads in an error message: strings quoted, arrays and objects by kind. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array [${v.slice(0, 6).map((x) => (typeof x === 'object' && x !== null ? '…' : String(x))).join(',')}${v.length > 6 ? ',…' : ''}]`;
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof v}`;
}

/** A ValueError with the code every wrong-typed argument uses. */
export function badArgument(message: string): ValueError {
  return new ValueError(message, 'INVALID_ARGUMENT');
}

/** A plain options object: not an array, not a class instance (a Tensor passed where options go). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The options object of `op` (undefined = {}), refusing a non-object and any key outside `keys`:
 * a misspelt option must not silently fall back to its default.
 */
export function checkOptions<T extends object>(op: string, opts: T | undefined, keys: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (!isPlainObject(opts)) {
    throw badArgument(`${op}: options must be an object { ${keys.join(', ')} }, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!keys.includes(k)) {
      throw new ValueError(`${op}: unknown option '${k}' (known: ${keys.length ? keys.join(', ') : 'none'})`, 'UNKNOWN_OPTION');
    }
  }
  return opts;
}

/** A string enum value; anything else (wrong case, an object, a number) names the allowed values. */
export function checkEnum<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ValueError(`${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`, 'INVALID_ENUM');
  }
  return v as T;
}

/** Refuses arguments beyond the `max` an op takes (JS would drop them silently). */
export function checkArgCount(op: string, got: number, max: number, signature: string): void {
  if (got > max) throw badArgument(`${op}: takes at most ${max} argument${max === 1 ? '' : 's'} (${signature}), got ${got}`);
}

/** A number (finite unless `allowInfinite`): scalar parameters such as a slope or a bound. */
export function checkNumberArg(op: string, name: string, v: unknown, allowInfinite = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v))) {
    throw badArgument(`${op}: ${name} must be a ${allowInfinite ? '' : 'finite '}number, got ${describe(v)}`);
  }
  return v;
}

/** A boolean flag, without truthy coercion. */
export function checkBoolArg(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw badArgument(`${op}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** One axis: an integer (ValueError otherwise) within [-rank, rank) (ShapeError otherwise). */
export function axisArg(op: string, v: unknown, rank: number, shape?: readonly number[], name = 'dim'): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badArgument(`${op}: ${name} must be an integer, got ${describe(v)}`);
  return normalizeAxis(op, v, rank, shape);
}

export type AxesArg = number | readonly number[];

/** Axes: an integer, an array of integers, or undefined/null for all; sorted, normalised. */
export function axesArg(op: string, v: unknown, rank: number, shape?: readonly number[]): number[] {
  if (v === undefined || v === null) return normalizeAxes(op, undefined, rank, shape);
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'number' || !Number.isInteger(a))) {
    throw badArgument(`${op}: dim must be an integer or an array of integers, got ${describe(v)}`);
  }
  return normalizeAxes(op, list as number[], rank, shape);
}

/**
 * A shape given PyTorch-style as varargs (`reshape(x, 2, 3)`) or as one array (`reshape(x, [2, 3])`).
 * Entries must be integers; their range is checked by the op (-1 is legal for reshape/expand).
 */
export function shapeArgs(op: string, args: readonly unknown[], name = 'shape'): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (args.length === 0) throw badArgument(`${op}: ${name} is required`);
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw badArgument(`${op}: ${name} must be integers, given as varargs (${op}(x, 2, 3)) or one array (${op}(x, [2, 3])), got ${describe(args.length === 1 ? args[0] : [...args])}`);
    }
  }
  return list as number[];
}

/** A shape array for creation functions; a bare number gets a hint rather than a crash. */
export function shapeArray(op: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw badArgument(`${op}: shape must be an array of integers such as [2, 3], got ${describe(v)}`);
  for (const d of v) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape [${v.join(',')}]: dims must be non-negative integers`, 'INVALID_SHAPE');
  }
  return v as number[];
}

/** The Tensor argument `name` of `op`; an array or number gets a hint instead of a crash later. */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (v instanceof Tensor) return v;
  const hint = Array.isArray(v) || typeof v === 'number' ? ' (wrap data with tensor(...))' : '';
  throw badArgument(`${op}: ${name} must be a Tensor, got ${describe(v)}${hint}`);
}

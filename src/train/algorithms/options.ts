/**
 * @file Declared options of a training algorithm: one spec per option (kind, range, allowed values,
 * default, a line of doc), so that the same declaration validates `fit`'s `algorithmOptions`, a
 * class constructor's options and (apps/cli/config-schema.ts derives a zod schema from it) the CLI
 * config's `algorithm` section. Plain data, no file system: loads in a browser.
 */
import { describe, isPlainObject } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';

/** One option: a number (with bounds), an integer, a boolean or one of a few strings. */
export type AlgorithmOptionSpec =
  | { kind: 'number'; default: number; doc: string; /** exclusive lower bound */ gt?: number; min?: number; max?: number }
  | { kind: 'integer'; default: number; doc: string; min: number; max?: number }
  | { kind: 'boolean'; default: boolean; doc: string }
  | { kind: 'enum'; default: string; doc: string; values: readonly string[] }
  | { kind: 'numbers'; default: readonly number[]; doc: string; /** each element >= min */ min?: number; integer?: boolean; minLength?: number };

/** Every option of one algorithm, by name. */
export type AlgorithmOptionsSpec = Readonly<Record<string, AlgorithmOptionSpec>>;

/** The values `spec` admits, for messages ("a number > 0", "one of 'sum', 'mean'"). */
export function describeOption(spec: AlgorithmOptionSpec): string {
  switch (spec.kind) {
    case 'boolean': return 'true or false';
    case 'enum': return `one of ${spec.values.map((v) => `'${v}'`).join(', ')}`;
    case 'integer': return `an integer >= ${spec.min}${spec.max === undefined ? '' : ` and <= ${spec.max}`}`;
    case 'numbers': return `an array of at least ${spec.minLength ?? 0} ${spec.integer ? 'integers' : 'finite numbers'}${spec.min === undefined ? '' : ` >= ${spec.min}`}`;
    case 'number': {
      const parts = [spec.gt !== undefined ? `> ${spec.gt}` : '', spec.min !== undefined ? `>= ${spec.min}` : '', spec.max !== undefined ? `<= ${spec.max}` : ''].filter(Boolean);
      return `a finite number${parts.length ? ` ${parts.join(' and ')}` : ''}`;
    }
  }
}

/** The problem with `v` as the value of `spec`, or null when it is valid. */
export function optionProblem(spec: AlgorithmOptionSpec, v: unknown): string | null {
  const ok = ((): boolean => {
    switch (spec.kind) {
      case 'boolean': return typeof v === 'boolean';
      case 'enum': return typeof v === 'string' && spec.values.includes(v);
      case 'integer': return Number.isInteger(v) && (v as number) >= spec.min && (spec.max === undefined || (v as number) <= spec.max);
      case 'numbers': return Array.isArray(v) && v.length >= (spec.minLength ?? 0) && v.every((x) => typeof x === 'number' && Number.isFinite(x) &&
        (!spec.integer || Number.isInteger(x)) && (spec.min === undefined || x >= spec.min));
      case 'number': return typeof v === 'number' && Number.isFinite(v) && (spec.gt === undefined || v > spec.gt) &&
        (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
    }
  })();
  return ok ? null : `must be ${describeOption(spec)}, got ${describe(v)}`;
}

/**
 * `given` checked against `spec` and completed with the defaults. An unknown key or a bad value is a
 * ValueError naming the algorithm, the option and what it admits (code INVALID_ALGORITHM_OPTION).
 */
export function resolveAlgorithmOptions<T extends Record<string, unknown>>(algorithm: string, spec: AlgorithmOptionsSpec, given: unknown): T {
  if (given === undefined) given = {};
  if (!isPlainObject(given)) throw new ValueError(`${algorithm}: options must be an object, got ${describe(given)}`, 'INVALID_ALGORITHM_OPTION');
  const known = Object.keys(spec);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    if (!Object.hasOwn(spec, k)) {
      throw new ValueError(`${algorithm}: unknown option '${k}' (its options: ${known.length ? known.join(', ') : 'none'})`, 'INVALID_ALGORITHM_OPTION');
    }
    if (v === undefined) continue;
    const problem = optionProblem(spec[k]!, v);
    if (problem !== null) throw new ValueError(`${algorithm}: option '${k}' ${problem}`, 'INVALID_ALGORITHM_OPTION');
    out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  for (const k of known) if (!Object.hasOwn(out, k)) { const d = spec[k]!.default; out[k] = Array.isArray(d) ? [...d] : d; }
  return out as T;
}

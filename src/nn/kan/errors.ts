/**
 * @file Typed errors of the KAN layers. Both extend ValueError (so `instanceof ValueError` still
 * holds) and carry the offending position and value as fields, so callers need not parse messages.
 */
import { ValueError, fmtShape } from '../../core/errors.js';

/** Row-major multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const pos = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, r = i; d >= 0; d--) {
    const n = shape[d]!;
    pos[d] = n > 0 ? r % n : 0;
    r = n > 0 ? Math.floor(r / n) : 0;
  }
  return pos;
}

/** An input holds NaN or +-Infinity (a KAN basis would silently turn it into zeros or NaN). */
export class NonFiniteInputError extends ValueError {
  constructor(
    where: string,
    /** Multi-index of the first non-finite element in the input. */
    readonly position: number[],
    readonly value: number,
    shape: readonly number[],
  ) {
    super(`${where}: input ${fmtShape(shape)} has a non-finite value ${value} at [${position.join(',')}]`, 'NON_FINITE_INPUT');
  }
}

/** With `extrapolate: false`, an input of `feature` fell outside that feature's grid [lo, hi]. */
export class OutOfGridError extends ValueError {
  constructor(
    where: string,
    readonly feature: number,
    readonly value: number,
    readonly lo: number,
    readonly hi: number,
    /** Multi-index of the element in the (flattened [rows, in]) basis input. */
    readonly position: number[],
  ) {
    super(`${where}: input feature ${feature} = ${value} (row ${position[0]}) is outside its grid [${lo}, ${hi}] and extrapolate is false; widen gridRange, call updateGrid(x), or set extrapolate: true`, 'OUT_OF_GRID');
  }
}

/** Throws NonFiniteInputError at the first NaN/Infinity of `values` (one pass, no allocation). */
export function checkFinite(where: string, values: ArrayLike<number>, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is 0 for every finite v and NaN for NaN and +-Infinity.
    if (v - v !== 0) throw new NonFiniteInputError(where, unravel(i, shape), v, shape);
  }
}

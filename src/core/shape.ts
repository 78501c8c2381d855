/**
 * @file Shape arithmetic: sizes, strides, NumPy broadcasting and axis normalisation. Every function
 * that can fail takes the op name so its ShapeError names the op and the shapes.
 */
import { ShapeError, fmtShape } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks each dim is a non-negative safe integer and the product stays a safe integer. */
export function checkShape(op: string, shape: Shape): void {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}: dims must be non-negative integers`, 'INVALID_SHAPE');
    }
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} has more elements than can be addressed`, 'SHAPE_OVERFLOW');
    }
  }
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (typeof op !== 'string' || !Array.isArray(a) || !Array.isArray(b)) {
    throw new ShapeError(`broadcastShapes(op, a, b): expected an op name and two shape arrays, got ${typeof op}, ${Array.isArray(a) ? 'array' : typeof a}, ${Array.isArray(b) ? 'array' : typeof b}`, 'INVALID_SHAPE');
  }
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when `from` broadcasts to `to` (used by expand). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== 1 && from[i] !== to[off + i]) return false;
  }
  return true;
}

/** Maps a possibly negative axis into [0, rank). */
export function normalizeAxis(op: string, axis: number, rank: number, shape?: Shape): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    const of = shape ? `shape ${fmtShape(shape)}` : `a tensor of rank ${rank}`;
    throw new ShapeError(`${op}: axis ${axis} is out of range for ${of} (rank ${rank})`, 'AXIS_OUT_OF_RANGE');
  }
  return axis < 0 ? axis + Math.max(rank, 1) : axis;
}

/** Normalises a list of axes (undefined = all), sorted, without duplicates. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number, shape?: Shape): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, rank, shape));
  if (rank === 0) return [];
  const set = new Set(out);
  if (set.size !== out.length) {
    throw new ShapeError(`${op}: repeated axis in [${list.join(',')}]`, 'AXIS_REPEATED');
  }
  return out.sort((x, y) => x - y);
}

/** Shape after reducing `axes`, with or without the reduced dims kept as 1. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/**
 * For a broadcasting elementwise kernel: the input's strides in the output's index space
 * (0 along broadcast dims). Shared by every backend so they agree on the rule.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const st = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < inShape.length; i++) out[off + i] = inShape[i] === 1 ? 0 : st[i]!;
  return out;
}

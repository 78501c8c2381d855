/**
 * @file Shared pieces of the pointer-network tasks (sorting, convex hull, TSP): the returned shape
 * (inputs x [n, setSize, features] as float32, pointer targets y int32 [n, steps] with -100 where
 * nothing is scored) and the sequence checks of their metrics.
 */
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import type { Point } from './geometry.js';

/** A pointer task: x float32 [n, setSize, features], y int32 [n, steps] positions in [0, setSize) (-100: not scored). */
export interface PointerTask {
  x: Tensor;
  y: Tensor;
}

/** The 2-d points of x [n, P, 2], one list per sample. */
export function pointsOf(op: string, x: Tensor): Point[][] {
  if (x.rank !== 3 || x.shape[2] !== 2) throw new ShapeError(`${op}: points must be [n, numPoints, 2], got ${fmtShape(x.shape)}`);
  const [n, P] = x.shape as [number, number, number];
  const v = x._peek() as ArrayLike<number>;
  return Array.from({ length: n }, (_, i) => Array.from({ length: P }, (_, j): Point => [v[(i * P + j) * 2]!, v[(i * P + j) * 2 + 1]!]));
}

/** Checks that `pred` has one sequence of integers per sample. */
export function checkSequences(op: string, pred: unknown, n: number): readonly (readonly number[])[] {
  if (!Array.isArray(pred) || pred.length !== n || !pred.every((s) => Array.isArray(s) && s.every((k) => Number.isInteger(k)))) {
    throw new ValueError(`${op}: predictions must be ${n} sequences of integer positions (number[][], one per sample; e.g. decode(x).sequences)`);
  }
  return pred as number[][];
}

/** The scored entries (target != -100) of each row of y int32 [n, steps]. */
export function targetRows(op: string, y: Tensor): number[][] {
  if (y.rank !== 2 || y.dtype !== 'int32') throw new ShapeError(`${op}: targets must be int32 [n, steps], got ${y.dtype} ${fmtShape(y.shape)}`);
  const [n, t] = y.shape as [number, number];
  const v = y._peek() as Int32Array;
  return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * t, (i + 1) * t)).filter((k) => k !== -100));
}

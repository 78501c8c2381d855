/**
 * @file Op-table rows: reductions sum, max, min (any axes, keepDims) and argmax, argmin.
 * A row fixes the axes/keepDims (the harness passes tensors only), so each op has one row per
 * axis configuration. The reference walks every input element by its coordinates, independently
 * of the kernels' index helpers.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, f64, uniform } from '../../src/testing/index.js';

type Axes = number | number[] | undefined;

/** Coordinates of flat index `i` in row-major `shape`. */
function coords(i: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/** Groups the values of `x` by output slot: returns the output shape and each slot's values in order. */
function groups(x: NDArray, axes: Axes, keepDims: boolean): { shape: number[]; slots: number[][] } {
  const r = x.shape.length;
  const list = axes === undefined ? x.shape.map((_, i) => i) : ([] as number[]).concat(axes).map((a) => (a < 0 ? a + r : a));
  const shape = x.shape.flatMap((d, i) => (list.includes(i) ? (keepDims ? [1] : []) : [d]));
  const kept = x.shape.map((_, i) => i).filter((i) => !list.includes(i));
  const slots: number[][] = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => []);
  x.values.forEach((v, i) => {
    const c = coords(i, x.shape);
    let o = 0;
    for (const d of kept) o = o * x.shape[d]! + c[d]!;
    slots[o]!.push(v);
  });
  return { shape, slots };
}

const reduceRef = (f: (vs: number[]) => number, axes: Axes, keepDims: boolean) => (x: NDArray): NDArray => {
  const { shape, slots } = groups(x, axes, keepDims);
  return { shape, values: slots.map(f) };
};

const total = (vs: number[]): number => vs.reduce((s, v) => s + v, 0);
// NaN wins (NumPy/PyTorch amax/amin propagate it).
const largest = (vs: number[]): number => (vs.some(Number.isNaN) ? NaN : Math.max(...vs));
const smallest = (vs: number[]): number => (vs.some(Number.isNaN) ? NaN : Math.min(...vs));

const i32 = (shape: number[]): px.Tensor =>
  px.tensor(Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => ((i * 7) % 11) - 5), { shape, dtype: 'int32' });

/** Axis configurations: rank-3 input unless the case says otherwise. */
/** `keptZero` has its 0 on a kept axis (max/min allowed); `reducedZero` on a reduced one (sum only). */
const CONFIGS: { label: string; axes: Axes; keepDims: boolean; keptZero?: number[]; reducedZero: number[] }[] = [
  { label: 'all axes', axes: undefined, keepDims: false, reducedZero: [2, 0, 4] },
  { label: 'all axes, keepDims', axes: undefined, keepDims: true, reducedZero: [2, 0, 4] },
  { label: 'axis 1', axes: 1, keepDims: false, keptZero: [0, 3, 4], reducedZero: [2, 0, 4] },
  { label: 'axis -1, keepDims', axes: -1, keepDims: true, keptZero: [0, 3, 4], reducedZero: [2, 3, 0] },
  { label: 'axes [0,2]', axes: [0, 2], keepDims: false, keptZero: [2, 0, 4], reducedZero: [0, 3, 4] },
  { label: 'axes [-1,0] unsorted, keepDims', axes: [-1, 0], keepDims: true, keptZero: [2, 0, 4], reducedZero: [2, 3, 0] },
];

type Config = (typeof CONFIGS)[number];
type ReduceFn = (x: px.Tensor, axes?: number | number[], opts?: { keepDims?: boolean }) => px.Tensor;

function reductionRows(op: string, f: ReduceFn, ref: (vs: number[]) => number, extra: (c: Config) => OpCase[]): OpRow[] {
  return CONFIGS.map((c) => {
    const { label, axes, keepDims, keptZero } = c;
    return {
      op, kind: 'primitive' as const,
      run: (x: px.Tensor) => f(x, axes, { keepDims }),
      reference: reduceRef(ref, axes, keepDims),
      cases: [
        { name: `${label}: [2,3,4]`, inputs: () => [uniform([2, 3, 4])] },
        { name: `${label}: int32 [2,3,4]`, inputs: () => [i32([2, 3, 4])] },
        // A zero-size dim that is not reduced: an empty output, legal for every reduction.
        ...(keptZero ? [{ name: `${label}: zero-size kept dim [${keptZero}]`, inputs: () => [uniform(keptZero)] }] : []),
        ...extra(c),
      ],
    };
  });
}

/** Rank-0 input reduces to itself (only meaningful with no axes). */
const rank0 = (axes: Axes): OpCase[] => (axes === undefined ? [{ name: 'rank 0 -> itself', inputs: () => [uniform([])] }] : []);

const sumExtra = ({ label, axes, reducedZero }: Config): OpCase[] => [
  ...rank0(axes),
  // Sum over an empty axis is 0 (PyTorch/NumPy).
  { name: `${label}: zero-size reduced dim [${reducedZero}] -> 0`, inputs: () => [uniform(reducedZero)] },
];

/** Ties and NaN for max/min: value only (the tie gradient is in `tieGradRow`). */
const extremumExtra = ({ label, axes }: Config): OpCase[] => [
  ...rank0(axes),
  { name: `${label}: ties (value only)`, inputs: () => [f64([3, 1, 3, 3, -1, -1, 0, 2, 2, -1, 0, 0], [2, 3, 2])], grad: false },
  { name: `${label}: NaN propagates (value only)`, inputs: () => [f64([1, NaN, 3, 0, 2, 5, -1, 4, 2, 0, 1, 7], [2, 3, 2])], grad: false },
];

/**
 * Tie gradients: d max / dx is shared evenly among the tied maxima (PyTorch amax/amin), checked
 * against the expected split, not finite differences (undefined at a tie).
 */
function tieGradRow(op: string, f: ReduceFn, pick: (vs: number[]) => number): OpRow {
  return {
    op, kind: 'primitive', grad: false,
    run: (x) => px.grad((t: px.Tensor) => f(t, 1).sum())(x!) as px.Tensor,
    reference: (x) => {
      const [n, k] = x.shape as [number, number];
      const values = x.values.map((v, i) => {
        const row = x.values.slice(Math.floor(i / k) * k, Math.floor(i / k) * k + k);
        const best = pick(row);
        return v === best ? 1 / row.filter((u) => u === best).length : 0;
      });
      return { shape: [n, k], values };
    },
    cases: [{ name: 'tie gradient split along axis 1', inputs: () => [f64([[3, 1, 3], [2, 2, 2], [0, 5, -1]])] }],
  };
}

// ---- argmax / argmin -----------------------------------------------------------------------------

/** Index of the first best value (a NaN counts as best, NumPy/PyTorch). */
const firstBest = (better: (a: number, b: number) => boolean) => (vs: number[]): number => {
  let k = 0;
  for (let i = 1; i < vs.length; i++) {
    if (Number.isNaN(vs[k]!)) break;
    if (Number.isNaN(vs[i]!) || better(vs[i]!, vs[k]!)) k = i;
  }
  return k;
};

type ArgFn = (x: px.Tensor, axis?: number, opts?: { keepDims?: boolean }) => px.Tensor;

function argRows(op: string, f: ArgFn, better: (a: number, b: number) => boolean): OpRow[] {
  const pick = firstBest(better);
  const configs: { label: string; axis?: number; keepDims: boolean }[] = [
    { label: 'no axis (flattened)', keepDims: false },
    { label: 'axis 0', axis: 0, keepDims: false },
    { label: 'axis -1, keepDims', axis: -1, keepDims: true },
  ];
  return configs.map(({ label, axis, keepDims }) => ({
    op, kind: 'primitive' as const, grad: false,
    run: (x: px.Tensor) => {
      const y = f(x, axis, { keepDims });
      if (y.dtype !== 'int32') throw new Error(`${op} returned ${y.dtype}, expected int32`);
      return y;
    },
    // No axis: the flat index into the whole tensor, rank-0 output.
    reference: axis === undefined ? (x: NDArray) => ({ shape: [], values: [pick(x.values)] }) : reduceRef(pick, axis, keepDims),
    cases: [
      { name: `${label}: [2,3,4]`, inputs: () => [uniform([2, 3, 4])] },
      { name: `${label}: ties -> first index`, inputs: () => [f64([0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0], [2, 2, 3])] },
      { name: `${label}: NaN -> its index`, inputs: () => [f64([1, NaN, 3, NaN, 0, 2, 4, 4, NaN, 1, 1, 0], [2, 2, 3])] },
      { name: `${label}: int32`, inputs: () => [i32([3, 4])] },
      ...(axis === undefined ? [{ name: `${label}: rank 0`, inputs: () => [uniform([])] }] : []),
      ...(axis === 0 ? [{ name: `${label}: zero-size kept dim [3,0]`, inputs: () => [uniform([3, 0])] }] : []),
    ],
  }));
}

export const reduceRows: OpRow[] = [
  ...reductionRows('sum', px.sum, total, sumExtra),
  ...reductionRows('max', px.max, largest, extremumExtra),
  ...reductionRows('min', px.min, smallest, extremumExtra),
  tieGradRow('max', px.max, (vs) => Math.max(...vs)),
  tieGradRow('min', px.min, (vs) => Math.min(...vs)),
  ...argRows('argmax', px.argmax, (a, b) => a > b),
  ...argRows('argmin', px.argmin, (a, b) => a < b),
];

/**
 * @file Op-table rows: data-movement primitives (slice, pad, concat, reshape, permute, expand).
 * Each row closes over its op's parameters (ranges, pads, axis, target shape), so an op with several
 * parameter sets gets several rows under the same `op` name. References work on coordinates with
 * plain index arithmetic (the helpers below are also used by indexing.rows.ts and shape.rows.ts).
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, f64, uniform } from '../../src/testing/index.js';

// ---- plain-array helpers (no plexus code) -------------------------------------------------------

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Row-major coordinates of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/** Flat index of coordinates `c` in `shape`. */
export function ravel(c: readonly number[], shape: readonly number[]): number {
  return c.reduce((acc, v, d) => acc * shape[d]! + v, 0);
}

/** An NDArray of `shape` whose element at coordinates c is f(c). */
export function build(shape: readonly number[], f: (c: number[]) => number): NDArray {
  return { shape: [...shape], values: Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape))) };
}

/** x[c] for an NDArray. */
export const at = (x: NDArray, c: readonly number[]): number => x.values[ravel(c, x.shape)]!;

export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

// ---- slice ---------------------------------------------------------------------------------------

type Range = readonly [number?, number?] | null;

/**
 * JS Array.prototype.slice has Python's rules (negative = from the end, clamped, end < start is
 * empty), so the picked positions along each dim come from it: an oracle independent of the wrapper.
 */
function sliceRef(ranges: readonly Range[]) {
  return (x: NDArray): NDArray => {
    const picks = x.shape.map((dim, d) => {
      const all = Array.from({ length: dim }, (_, k) => k);
      const r = ranges[d];
      return r ? all.slice(r[0], r[1]) : all;
    });
    return build(picks.map((p) => p.length), (c) => at(x, c.map((v, d) => picks[d]![v]!)));
  };
}

function sliceRow(ranges: readonly Range[], cases: OpRow['cases']): OpRow {
  return { op: 'slice', kind: 'primitive', run: (x) => px.slice(x, ranges), reference: sliceRef(ranges), cases };
}

// ---- pad -----------------------------------------------------------------------------------------

function padRef(pads: readonly (readonly [number, number])[], value: number) {
  return (x: NDArray): NDArray => {
    const p = x.shape.map((_, d) => pads[d] ?? [0, 0]);
    return build(x.shape.map((dim, d) => p[d]![0] + dim + p[d]![1]), (c) => {
      const src = c.map((v, d) => v - p[d]![0]);
      return src.every((v, d) => v >= 0 && v < x.shape[d]!) ? at(x, src) : value;
    });
  };
}

function padRow(pads: readonly (readonly [number, number])[], value: number, cases: OpRow['cases']): OpRow {
  return { op: 'pad', kind: 'primitive', run: (x) => px.pad(x, pads, value), reference: padRef(pads, value), cases };
}

// ---- concat --------------------------------------------------------------------------------------

/** Finds which part an output coordinate along `axis` falls in by walking the parts' lengths. */
function concatRef(axis: number) {
  return (...xs: NDArray[]): NDArray => {
    const a = normAxis(axis, xs[0]!.shape.length);
    const shape = [...xs[0]!.shape];
    shape[a] = xs.reduce((s, x) => s + x.shape[a]!, 0);
    return build(shape, (c) => {
      let k = c[a]!;
      for (const x of xs) {
        if (k < x.shape[a]!) return at(x, c.map((v, d) => (d === a ? k : v)));
        k -= x.shape[a]!;
      }
      throw new Error('concat reference: coordinate past the end');
    });
  };
}

function concatRow(axis: number, cases: OpRow['cases']): OpRow {
  return { op: 'concat', kind: 'primitive', run: (...xs) => px.concat(xs, axis), reference: concatRef(axis), cases };
}

// ---- reshape / permute / expand ------------------------------------------------------------------

function reshapeRow(target: readonly number[], cases: OpRow['cases']): OpRow {
  return {
    op: 'reshape', kind: 'primitive', run: (x) => px.reshape(x, target), cases,
    reference: (x) => {
      const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return { shape: target.map((d) => (d === -1 ? x.values.length / known : d)), values: [...x.values] };
    },
  };
}

function permuteRow(perm: readonly number[], cases: OpRow['cases']): OpRow {
  return {
    op: 'permute', kind: 'primitive', run: (x) => px.permute(x, perm), cases,
    reference: (x) => {
      const p = perm.map((v) => normAxis(v, x.shape.length));
      // out[c] = x[c'] with c'[p[i]] = c[i]
      return build(p.map((v) => x.shape[v]!), (c) => {
        const src = new Array<number>(p.length);
        p.forEach((v, i) => (src[v] = c[i]!));
        return at(x, src);
      });
    },
  };
}

function expandRow(target: readonly number[], cases: OpRow['cases']): OpRow {
  return {
    op: 'expand', kind: 'primitive', run: (x) => px.expand(x, target), cases,
    reference: (x) => {
      const off = target.length - x.shape.length;
      const shape = target.map((d, i) => (d === -1 ? x.shape[i - off]! : d));
      // Align x's dims to the right; a size-1 dim of x reads its only element.
      return build(shape, (c) => at(x, x.shape.map((d, j) => (d === 1 ? 0 : c[j + off]!))));
    },
  };
}

const u = (s: number[]) => (): px.Tensor[] => [uniform(s)];

export const movementRows: OpRow[] = [
  sliceRow([[1, 3], [0, 2]], [
    { name: '[3,4] -> [2,2]', inputs: u([3, 4]) },
    { name: '3-D, last dim kept whole', inputs: u([4, 3, 2]) },
  ]),
  sliceRow([[-2], [-3, -1]], [
    { name: 'negative bounds on [3,4]', inputs: u([3, 4]) },
    { name: 'negative bounds on [5,5]', inputs: u([5, 5]) },
  ]),
  sliceRow([[-10, 10], [1, 100]], [{ name: 'clamped bounds (past both ends)', inputs: u([3, 4]) }]),
  // Backends copy whole output rows: offsets in every dim, short rows and long (memcpy) rows.
  sliceRow([[0, 2], [1, 3], [1, 4]], [{ name: '3-D, offsets in every dim, rows of 3', inputs: u([3, 4, 5]) }]),
  sliceRow([[1, 3], [2, 5], [10, 80]], [{ name: '3-D, rows of 70 (one copy each)', inputs: u([4, 6, 90]) }]),
  sliceRow([null, [1, 2]], [{ name: 'null keeps dim 0 whole; missing dim 2 kept', inputs: u([2, 3, 2]) }]),
  sliceRow([[2, 1], [0, 2]], [{ name: 'end < start -> zero-size [0,2]', inputs: u([3, 4]) }]),
  sliceRow([[1, 1]], [{ name: 'empty range [1,1) -> [0,4]', inputs: u([3, 4]) }]),
  sliceRow([[0, 5], [1, 2]], [{ name: 'zero-size input [0,3]', inputs: u([0, 3]) }]),
  sliceRow([], [{ name: 'rank 0, no ranges', inputs: u([]) }]),

  padRow([[1, 2], [0, 1]], 0, [{ name: '[2,3] zero pad', inputs: u([2, 3]) }]),
  padRow([[2, 0]], -1.5, [
    { name: 'value -1.5, only dim 0 padded, [2,2,2]', inputs: u([2, 2, 2]) },
    { name: 'value -1.5 on 1-D [3]', inputs: u([3]) },
  ]),
  padRow([[1, 1], [1, 0]], 3, [{ name: 'zero-size input [0,2] -> all value', inputs: u([0, 2]) }]),
  padRow([], 7, [{ name: 'rank 0, no pads', inputs: u([]) }]),

  concatRow(1, [
    { name: '3 tensors along middle axis [2,1,3]+[2,2,3]+[2,3,3]', inputs: () => [uniform([2, 1, 3]), uniform([2, 2, 3]), uniform([2, 3, 3])] },
    { name: 'with a zero-size part [2,0,3]', inputs: () => [uniform([2, 2, 3]), uniform([2, 0, 3]), uniform([2, 1, 3])] },
    { name: 'single tensor', inputs: u([2, 2]) },
  ]),
  concatRow(-1, [{ name: 'negative axis [2,2]+[2,3]', inputs: () => [uniform([2, 2]), uniform([2, 3])] }]),
  concatRow(0, [
    { name: '1-D [2]+[3]', inputs: () => [uniform([2]), uniform([3])] },
    { name: 'all parts zero-size [0,2]+[0,2]', inputs: () => [uniform([0, 2]), uniform([0, 2])] },
  ]),

  reshapeRow([-1, 3], [
    { name: '[2,6] -> [-1,3]', inputs: u([2, 6]) },
    { name: '[3] -> [-1,3]', inputs: u([3]) },
    { name: 'zero-size [0,3] -> [-1,3]', inputs: u([0, 3]) },
  ]),
  reshapeRow([2, -1, 3], [{ name: '[2,3,4] -> [2,-1,3]', inputs: u([2, 3, 4]) }]),
  reshapeRow([1, 1], [{ name: 'rank 0 -> [1,1]', inputs: u([]) }]),
  reshapeRow([], [{ name: '[1,1] -> rank 0', inputs: u([1, 1]) }]),

  permuteRow([2, 0, 1], [
    { name: '3-D [2,3,4]', inputs: u([2, 3, 4]) },
    { name: 'zero-size [2,0,3]', inputs: u([2, 0, 3]) },
  ]),
  permuteRow([-1, 0, 1], [{ name: 'negative entry, [2,3,4]', inputs: u([2, 3, 4]) }]),
  permuteRow([1, 0], [{ name: '2-D transpose', inputs: u([3, 2]) }]),
  // The strided-copy kernel's shapes: a batched transpose (strided inner run), a permute whose
  // inner dims stay contiguous (merged into one memcpy run), patchify's 6-D unfold with a size-1 dim.
  permuteRow([0, 2, 1], [{ name: 'batched transpose [3,5,4]', inputs: u([3, 5, 4]) }]),
  permuteRow([1, 0, 2, 3], [{ name: 'contiguous inner dims [2,3,2,4]', inputs: u([2, 3, 2, 4]) }]),
  permuteRow([0, 2, 4, 1, 3, 5], [{ name: 'patch unfold [2,1,3,2,3,2]', inputs: u([2, 1, 3, 2, 3, 2]) }]),
  permuteRow([], [{ name: 'rank 0', inputs: u([]) }]),

  expandRow([2, 4, 3], [
    { name: 'new leading dims [3] -> [2,4,3]', inputs: u([3]) },
    { name: '[2,1,3] -> [2,4,3]', inputs: u([2, 1, 3]) },
    { name: '[4,1] -> [2,4,3]', inputs: u([4, 1]) },
    { name: 'rank 0 -> [2,4,3]', inputs: u([]) },
  ]),
  expandRow([2, 4, 3, 5], [
    { name: 'inner broadcast [2,4,3,1] -> [2,4,3,5]', inputs: u([2, 4, 3, 1]) },
    { name: 'two broadcast dims [2,1,3,1] -> [2,4,3,5]', inputs: u([2, 1, 3, 1]) },
    { name: 'middle broadcast [2,1,3,5] -> [2,4,3,5]', inputs: u([2, 1, 3, 5]) },
  ]),
  expandRow([3, -1, 2], [{ name: '-1 keeps a dim: [4,1] -> [3,4,2]', inputs: u([4, 1]) }]),
  expandRow([2, 0, 3], [
    { name: 'zero-size target from [1,3]', inputs: u([1, 3]) },
    { name: 'zero-size input [0,1]', inputs: u([0, 1]) },
  ]),
  // Distinct constant rows, so a wrong axis alignment would show as swapped values.
  expandRow([2, 3], [{ name: 'column [2,1] repeats along dim 1', inputs: () => [f64([[1], [2]])] }]),
];

/**
 * @file Op-table rows: indexing primitives (gather, scatterAdd, indexSelect, indexAdd, oneHot).
 * Index inputs are fixed int32 tensors with repeated entries, so scatterAdd/indexAdd must accumulate
 * and the backward of gather/indexSelect must too (gradcheck skips the int32 inputs). References
 * loop over coordinates with plain arithmetic.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';
import { at, build, normAxis, ravel, unravel } from './movement.rows.js';

const i32 = (data: number[] | number[][] | number[][][] | number, shape?: number[]): px.Tensor =>
  px.tensor(data as number[], { dtype: 'int32', ...(shape ? { shape } : {}) });

/** c with its entry at `axis` replaced by k. */
const withAxis = (c: readonly number[], axis: number, k: number): number[] => c.map((v, d) => (d === axis ? k : v));

function gatherRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'gather', kind: 'primitive', run: (x, i) => px.gather(x, axis, i), cases,
    // out[c] = x[c with c[axis] = index[c]]
    reference: (x, index) => build(index.shape, (c) => at(x, withAxis(c, normAxis(axis, x.shape.length), at(index, c)))),
  };
}

/** Copy of base; for every coordinate c of index: out[c with c[axis] = index[c]] += src[c]. */
function scatterAddRef(axis: number) {
  return (base: NDArray, index: NDArray, src: NDArray): NDArray => {
    const a = normAxis(axis, base.shape.length);
    const values = [...base.values];
    for (let i = 0; i < index.values.length; i++) {
      const c = unravel(i, index.shape);
      const k = ravel(withAxis(c, a, index.values[i]!), base.shape);
      values[k] = values[k]! + at(src, c);
    }
    return { shape: [...base.shape], values };
  };
}

function scatterAddRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'scatterAdd', kind: 'primitive', run: (b, i, s) => px.scatterAdd(b, axis, i, s), cases,
    reference: (b, i, s) => scatterAddRef(axis)(b, i, s),
  };
}

function indexSelectRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'indexSelect', kind: 'primitive', run: (x, i) => px.indexSelect(x, axis, i), cases,
    reference: (x, index) => {
      const a = normAxis(axis, x.shape.length);
      const shape = withAxis(x.shape, a, index.values.length);
      // out[c] = x[c with c[a] = index[c[a]]]
      return build(shape, (c) => at(x, withAxis(c, a, index.values[c[a]!]!)));
    },
  };
}

/** Copy of base; for every coordinate c of src: out[c with c[axis] = index[c[axis]]] += src[c]. */
function indexAddRef(axis: number) {
  return (base: NDArray, index: NDArray, src: NDArray): NDArray => {
    const a = normAxis(axis, base.shape.length);
    const values = [...base.values];
    for (let i = 0; i < src.values.length; i++) {
      const c = unravel(i, src.shape);
      const k = ravel(withAxis(c, a, index.values[c[a]!]!), base.shape);
      values[k] = values[k]! + src.values[i]!;
    }
    return { shape: [...base.shape], values };
  };
}

function indexAddRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'indexAdd', kind: 'primitive', run: (b, i, s) => px.indexAdd(b, axis, i, s), cases,
    reference: (b, i, s) => indexAddRef(axis)(b, i, s),
  };
}

function oneHotRow(numClasses: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'oneHot', kind: 'primitive', run: (i) => px.oneHot(i, numClasses, 'float64'), cases, grad: false,
    // out[c, k] = 1 when index[c] == k
    reference: (index) => build([...index.shape, numClasses], (c) => (at(index, c.slice(0, -1)) === c[c.length - 1] ? 1 : 0)),
  };
}

export const indexingRows: OpRow[] = [
  gatherRow(0, [
    { name: 'axis 0, repeated indices [2,4] from [3,4]', inputs: () => [uniform([3, 4]), i32([[2, 0, 2, 1], [2, 2, 0, 1]])] },
    { name: 'axis 0, index narrower than x off the axis', inputs: () => [uniform([3, 4]), i32([[1, 1], [0, 2], [2, 2], [1, 0], [0, 0]])] },
    { name: 'axis 0, zero-size index [0,4]', inputs: () => [uniform([3, 4]), i32([], [0, 4])] },
  ]),
  gatherRow(1, [
    { name: 'axis 1, repeated indices', inputs: () => [uniform([2, 3]), i32([[0, 0, 2, 0], [1, 2, 1, 1]])] },
    { name: 'axis 1 of 3-D', inputs: () => [uniform([2, 3, 2]), i32([[[2, 0], [2, 2]], [[1, 1], [0, 1]]])] },
  ]),
  gatherRow(-1, [{ name: 'axis -1 (1-D)', inputs: () => [uniform([4]), i32([3, 3, 0, 1, 3])] }]),

  scatterAddRow(0, [
    { name: 'axis 0, repeated indices accumulate', inputs: () => [uniform([3, 4]), i32([[2, 0, 2, 1], [2, 2, 0, 1]]), uniform([2, 4])] },
    { name: 'axis 0, zero-size index', inputs: () => [uniform([3, 4]), i32([], [0, 4]), uniform([0, 4])] },
  ]),
  scatterAddRow(1, [
    { name: 'axis 1, repeated indices accumulate', inputs: () => [uniform([2, 3]), i32([[0, 0, 2, 0], [1, 2, 1, 1]]), uniform([2, 4])] },
    { name: 'axis 1, index narrower than base off the axis', inputs: () => [uniform([3, 2]), i32([[1, 1, 1]]), uniform([1, 3])] },
  ]),
  scatterAddRow(-2, [{ name: 'axis -2 of 3-D', inputs: () => [uniform([2, 3, 2]), i32([[[2, 2], [0, 2]], [[2, 1], [1, 1]]]), uniform([2, 2, 2])] }]),

  indexSelectRow(0, [
    { name: 'axis 0, repeated rows (backward accumulates)', inputs: () => [uniform([4, 3]), i32([2, 0, 2, 3, 2])] },
    { name: 'axis 0, empty index -> [0,3]', inputs: () => [uniform([4, 3]), i32([], [0])] },
  ]),
  indexSelectRow(1, [{ name: 'axis 1 of 3-D, repeated', inputs: () => [uniform([2, 3, 2]), i32([1, 1, 0, 2])] }]),
  indexSelectRow(-1, [{ name: 'axis -1, repeated', inputs: () => [uniform([2, 4]), i32([3, 0, 3])] }]),

  indexAddRow(0, [
    { name: 'axis 0, repeated indices accumulate', inputs: () => [uniform([4, 3]), i32([1, 3, 1]), uniform([3, 3])] },
    { name: 'axis 0, empty index', inputs: () => [uniform([4, 3]), i32([], [0]), uniform([0, 3])] },
  ]),
  indexAddRow(-1, [{ name: 'axis -1 of 3-D, repeated', inputs: () => [uniform([2, 2, 3]), i32([2, 2, 0, 2]), uniform([2, 2, 4])] }]),

  oneHotRow(4, [
    { name: '2-D index [3,2]', inputs: () => [i32([[0, 3], [2, 2], [1, 0]])] },
    { name: '1-D index', inputs: () => [i32([3, 1, 1])] },
    { name: 'rank-0 index -> [4]', inputs: () => [i32(2)] },
    { name: 'zero-size index [0] -> [0,4]', inputs: () => [i32([], [0])] },
  ]),
];

/**
 * @file Op-table rows: shape composites (squeeze, unsqueeze, flatten, stack, clone). The first three
 * keep the values in order and only change the shape, so their references compute the expected
 * shape from the rule as documented (PyTorch's); stack reads element c from input c[axis].
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';
import { at, build, normAxis } from './movement.rows.js';

const u = (s: number[]) => (): px.Tensor[] => [uniform(s)];
const same = (x: NDArray, shape: number[]): NDArray => ({ shape, values: [...x.values] });

function squeezeRow(axes: number | number[] | undefined, cases: OpRow['cases']): OpRow {
  return {
    op: 'squeeze', kind: 'composite', run: (x) => px.squeeze(x, axes), cases,
    reference: (x) => {
      const r = x.shape.length;
      const drop = axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)) : [axes].flat().map((a) => normAxis(a, r));
      return same(x, x.shape.filter((_, i) => !drop.includes(i)));
    },
  };
}

function unsqueezeRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'unsqueeze', kind: 'composite', run: (x) => px.unsqueeze(x, axis), cases,
    // A negative axis counts in the output's rank (rank + 1), as torch.unsqueeze.
    reference: (x) => {
      const a = normAxis(axis, x.shape.length + 1);
      return same(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
    },
  };
}

function flattenRow(start: number, end: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'flatten', kind: 'composite', run: (x) => px.flatten(x, start, end), cases,
    reference: (x) => {
      const r = x.shape.length;
      if (r === 0) return same(x, [1]); // torch.flatten of a scalar is 1-D
      const s = normAxis(start, r);
      const e = normAxis(end, r);
      const mid = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
      return same(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
    },
  };
}

function stackRow(axis: number, cases: OpRow['cases']): OpRow {
  return {
    op: 'stack', kind: 'composite', run: (...xs) => px.stack(xs, axis), cases,
    reference: (...xs) => {
      const a = normAxis(axis, xs[0]!.shape.length + 1);
      const shape = [...xs[0]!.shape];
      shape.splice(a, 0, xs.length);
      // out[c] = xs[c[a]][c without its entry a]
      return build(shape, (c) => at(xs[c[a]!]!, c.filter((_, d) => d !== a)));
    },
  };
}

const three = (s: number[]) => (): px.Tensor[] => [uniform(s), uniform(s), uniform(s)];

export const shapeRows: OpRow[] = [
  squeezeRow(undefined, [
    { name: 'all size-1 dims of [1,3,1,2]', inputs: u([1, 3, 1, 2]) },
    { name: '[1,1] -> rank 0', inputs: u([1, 1]) },
    { name: 'rank 0 stays rank 0', inputs: u([]) },
    { name: 'zero-size [0,1] -> [0]', inputs: u([0, 1]) },
  ]),
  squeezeRow([-1, 0], [{ name: 'negative axes [-1,0] of [1,3,1]', inputs: u([1, 3, 1]) }]),
  squeezeRow(2, [{ name: 'one axis of [1,3,1,2] keeps dim 0', inputs: u([1, 3, 1, 2]) }]),

  unsqueezeRow(0, [
    { name: 'axis 0 of [2,3]', inputs: u([2, 3]) },
    { name: 'rank 0 -> [1]', inputs: u([]) },
    { name: 'zero-size [0,2] -> [1,0,2]', inputs: u([0, 2]) },
  ]),
  unsqueezeRow(1, [{ name: 'middle axis of [2,3]', inputs: u([2, 3]) }]),
  unsqueezeRow(-1, [{ name: 'axis -1 appends: [2,3] -> [2,3,1]', inputs: u([2, 3]) }]),

  flattenRow(0, -1, [
    { name: 'everything of [2,3,2]', inputs: u([2, 3, 2]) },
    { name: 'rank 0 -> [1]', inputs: u([]) },
    { name: 'zero-size [2,0,3] -> [0]', inputs: u([2, 0, 3]) },
  ]),
  flattenRow(1, -1, [
    { name: 'from axis 1 of [2,3,2]', inputs: u([2, 3, 2]) },
    { name: 'zero-size [2,0,3] -> [2,0]', inputs: u([2, 0, 3]) },
  ]),
  flattenRow(-3, -2, [{ name: 'negative axes -3..-2 of [2,3,2]', inputs: u([2, 3, 2]) }]),

  stackRow(0, [
    { name: '3 x [2,3] along axis 0', inputs: three([2, 3]) },
    { name: 'rank 0 inputs -> [3]', inputs: three([]) },
    { name: 'zero-size [0,2] inputs -> [3,0,2]', inputs: three([0, 2]) },
  ]),
  stackRow(1, [{ name: '3 x [2,3] along middle axis', inputs: three([2, 3]) }]),
  stackRow(-1, [{ name: '2 x [2,3] along axis -1', inputs: () => [uniform([2, 3]), uniform([2, 3])] }]),

  {
    op: 'clone', kind: 'composite', run: (x) => px.clone(x), reference: (x) => same(x, [...x.shape]),
    cases: [
      { name: '[2,3]', inputs: u([2, 3]) },
      { name: 'rank 0', inputs: u([]) },
      { name: 'zero-size [0,3]', inputs: u([0, 3]) },
    ],
  },
];

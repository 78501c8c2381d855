/**
 * @file Op-table rows: the fused Gaussian RBF basis primitive (FastKAN), against exp(-z²) per
 * element, and its input gradient rbfBasisBackward(g, phi, x, c) = -2/h²·Σ_j g·phi·(x - c_j) with
 * g, phi, x and c independent (finite differences in all four check the vjp that grad of grad uses).
 */
import * as px from '../../src/index.js';
import { apply } from '../../src/core/dispatch.js';
import { RBF_BASIS_BACKWARD } from '../../src/ops/primitives/rbf.js';
import { type NDArray, type OpRow, f64, uniform } from '../../src/testing/index.js';

function reference(width: number) {
  return (x: NDArray, c: NDArray): NDArray => {
    const values: number[] = [];
    for (const v of x.values) for (const cj of c.values) values.push(Math.exp(-(((v - cj) / width) ** 2)));
    return { shape: [...x.shape, c.values.length], values };
  };
}

const centers = (C: number, lo = -1, hi = 1): px.Tensor => px.linspace(lo, hi, C, { dtype: 'float64' });

function row(width: number, cases: OpRow['cases']): OpRow {
  return { op: 'rbfBasis', kind: 'primitive', run: (x, c) => px.rbfBasis(x!, c!, width), reference: reference(width), cases };
}

export const rbfRows: OpRow[] = [
  row(2 / 7, [
    { name: 'x[6,3] 8 centres on [-1,1] (FastKAN default)', inputs: () => [uniform([6, 3], -1.2, 1.2), centers(8)] },
    { name: 'x[5] one row, 5 centres (a scalar tail of 1)', inputs: () => [uniform([5], -1, 1), centers(5)] },
    { name: 'batch dims x[2,2,2], 3 centres', inputs: () => [uniform([2, 2, 2], -1, 1), centers(3)] },
    { name: 'far outside: bases underflow to 0, NaN propagates', inputs: () => [f64([[-40, 40, Number.NaN]]), centers(4)], grad: false },
    { name: 'zero-size x[0,2]', inputs: () => [px.zeros([0, 2], { dtype: 'float64' }), centers(4)] },
  ]),
  row(1.5, [
    { name: 'wide Gaussians, irregular centres', inputs: () => [uniform([4, 2], -2, 2), f64([-1.3, -0.2, 0.1, 0.9, 2.5, 3, 4])] },
  ]),
];

function backwardReference(width: number) {
  return (g: NDArray, phi: NDArray, x: NDArray, c: NDArray): NDArray => {
    const C = c.values.length;
    const values = x.values.map((v, e) => {
      let acc = 0;
      for (let j = 0; j < C; j++) acc += g.values[e * C + j]! * phi.values[e * C + j]! * (v - c.values[j]!);
      return (-2 / (width * width)) * acc;
    });
    return { shape: [...x.shape], values };
  };
}

function backwardRow(width: number, cases: OpRow['cases']): OpRow {
  return { op: 'rbfBasisBackward', kind: 'primitive', run: (g, p, x, c) => apply(RBF_BASIS_BACKWARD, [g!, p!, x!, c!], { width }), reference: backwardReference(width), cases };
}

/** g, phi [...xs, C], x [...xs] and C centres on [-1, 1]. */
const bwd = (xs: number[], C: number): (() => px.Tensor[]) => () => [uniform([...xs, C], -1, 1), uniform([...xs, C], 0, 1), uniform(xs, -1.2, 1.2), centers(C)];

export const rbfBackwardRows: OpRow[] = [
  backwardRow(2 / 7, [
    { name: 'x[5,3] 8 centres (FastKAN default: two full f32x4 blocks)', inputs: bwd([5, 3], 8) },
    { name: 'x[3,2] 7 centres (a tail of 3 after one block)', inputs: bwd([3, 2], 7) },
    { name: 'x[4] 3 centres (tail only)', inputs: bwd([4], 3) },
    { name: 'batch dims x[2,1,3], 5 centres', inputs: bwd([2, 1, 3], 5) },
    { name: 'zero-size x[0,2]', inputs: bwd([0, 2], 4) },
  ]),
];

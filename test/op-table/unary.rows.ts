/** @file Op-table rows: elementwise unary primitives. */
import * as px from '../../src/index.js';
import { cosSin } from '../../src/ops/primitives/cos-sin.js';
import { type NDArray, type OpRow, awayFromZero, f64, uniform } from '../../src/testing/index.js';

const erfRef = (x: number): number => {
  // Abramowitz-Stegun 7.1.26 is only 1e-7; use the series/asymptotic pair from a different source:
  // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), enough terms for |x| <= 3.
  let sum = 0;
  let term = x;
  for (let n = 0; n < 120; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

/** The cases every elementwise unary row gets: plain, rank 0, zero-size, 3-D. */
export function unaryCases(make: (shape: number[]) => px.Tensor): OpRow['cases'] {
  return [
    { name: '[2,3]', inputs: () => [make([2, 3])] },
    { name: 'rank 0', inputs: () => [make([])] },
    { name: 'zero-size [0,3]', inputs: () => [make([0, 3])] },
    { name: '[2,2,2]', inputs: () => [make([2, 2, 2])] },
  ];
}

const pos = (s: number[]): px.Tensor => uniform(s, 0.1, 3);
/** cat([cos p, sin p], -1) row by row, written as the formula (the cosSin primitive's oracle). */
function cosSinRef(p: NDArray | undefined): NDArray {
  const m = p!.shape[p!.shape.length - 1]!;
  const rows = m === 0 ? 0 : p!.values.length / m;
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = p!.values.slice(r * m, (r + 1) * m);
    values.push(...row.map(Math.cos), ...row.map(Math.sin));
  }
  return { shape: [...p!.shape.slice(0, -1), 2 * m], values };
}

/** sin/cos beyond the basic cases: odd sizes (a vector tail of 1-3 lanes) and the wide arguments Fourier features produce. */
const trigCases: OpRow['cases'] = [
  { name: '[37] in [-400, 400] (tail of 1)', inputs: () => [uniform([37], -400, 400)] },
  { name: '[3,11] in [-30, 30] (tail of 1 per 33)', inputs: () => [uniform([3, 11], -30, 30)] },
  { name: '[6] beyond 4.2e8 (the scalar lanes) and near 0', inputs: () => [f64([5e8, -1e9, 3e12, 1e-5, -2e-4, 0.7])], grad: false },
];

export const unaryRows: OpRow[] = [
  { op: 'neg', kind: 'primitive', run: px.neg, scalar: (x) => -x, cases: unaryCases((s) => uniform(s)) },
  { op: 'exp', kind: 'primitive', run: px.exp, scalar: Math.exp, cases: unaryCases((s) => uniform(s)) },
  { op: 'log', kind: 'primitive', run: px.log, scalar: Math.log, cases: unaryCases(pos) },
  { op: 'log1p', kind: 'primitive', run: px.log1p, scalar: Math.log1p, cases: unaryCases((s) => uniform(s, -0.5, 3)) },
  { op: 'sqrt', kind: 'primitive', run: px.sqrt, scalar: Math.sqrt, cases: unaryCases(pos) },
  { op: 'abs', kind: 'primitive', run: px.abs, scalar: Math.abs, cases: unaryCases((s) => awayFromZero(s)) },
  { op: 'sin', kind: 'primitive', run: px.sin, scalar: Math.sin, cases: [...unaryCases((s) => uniform(s)), ...trigCases] },
  { op: 'cos', kind: 'primitive', run: px.cos, scalar: Math.cos, cases: [...unaryCases((s) => uniform(s)), ...trigCases] },
  {
    op: 'cosSin', kind: 'primitive', run: (p) => cosSin(p!), reference: cosSinRef,
    cases: [
      { name: '[3,5] (m = 5: a vector and a tail of 1 per row)', inputs: () => [uniform([3, 5], -4, 4)] },
      { name: '[2,2,7] in [-400, 400] (tail of 3)', inputs: () => [uniform([2, 2, 7], -400, 400)] },
      { name: '[9] rank 1, m = 9', inputs: () => [uniform([9], -30, 30)] },
      { name: '[5,1] m = 1 (tail only)', inputs: () => [uniform([5, 1])] },
      { name: '[4,8] (no tail)', inputs: () => [uniform([4, 8], -10, 10)] },
      { name: 'zero-size [0,3]', inputs: () => [uniform([0, 3])] },
      { name: '[2,0] (m = 0)', inputs: () => [uniform([2, 0])] },
      { name: 'beyond 4.2e8 (the scalar lanes), near 0, -0', inputs: () => [f64([5e8, -1e9, 3e12, 1e-5, -2e-4, -0])], grad: false },
    ],
  },
  { op: 'tanh', kind: 'primitive', run: px.tanh, scalar: Math.tanh, cases: unaryCases((s) => uniform(s)) },
  { op: 'sign', kind: 'primitive', run: px.sign, scalar: Math.sign, cases: [...unaryCases((s) => awayFromZero(s)), { name: 'zeros', inputs: () => [f64([0, -0, 1])], grad: false }] },
  { op: 'erf', kind: 'primitive', run: px.erf, scalar: erfRef, cases: unaryCases((s) => uniform(s, -3, 3)), tol: { rtol: 1e-12, atol: 1e-14 } },
  {
    op: 'cast', kind: 'primitive', run: (x) => px.cast(x, 'float32'), scalar: Math.fround,
    cases: unaryCases((s) => uniform(s)), grad: false,
  },
  {
    op: 'clamp', kind: 'primitive', run: (x) => px.clamp(x, -0.5, 0.7), scalar: (x) => Math.min(Math.max(x, -0.5), 0.7),
    cases: unaryCases((s) => awayFromZero(s, 0.8, 2)).concat([{ name: 'inside', inputs: () => [f64([-0.3, 0.1, 0.6])] }]),
  },
];

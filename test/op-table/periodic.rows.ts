/**
 * @file Op-table rows: the periodic activation composites spder (sin x sqrt|x|, |x| floored at eps)
 * and gcu (x cos x). FD checks keep away from spder's floor |x| < eps, where its slope is the
 * documented cos(x) sqrt(eps) (a slope row checks that, and that it is finite at 0).
 */
import * as px from '../../src/index.js';
import { type OpRow, awayFromZero, f64, uniform } from '../../src/testing/index.js';
import { unaryCases } from './unary.rows.js';

const slope = (f: (x: px.Tensor) => px.Tensor) => (x: px.Tensor): px.Tensor => px.grad((y: px.Tensor) => px.sum(f(y)))(x) as px.Tensor;
const spderRef = (eps: number) => (x: number): number => Math.sin(x) * Math.sqrt(Math.max(Math.abs(x), eps));

export const periodicRows: OpRow[] = [
  { op: 'spder', kind: 'composite', run: (x) => px.spder(x), scalar: spderRef(1e-6), cases: [
    ...unaryCases((s) => awayFromZero(s, 0.05, 6)),
    { name: 'large |x|', inputs: () => [f64([-40.3, 25.1, 100.7])] },
  ] },
  { op: 'spder', kind: 'composite', run: (x) => px.spder(x, 0.25), scalar: spderRef(0.25), cases: [
    { name: 'eps 0.25, inside and outside the floor', inputs: () => [f64([-0.1, 0.15, -1.3, 2.2])] },
  ] },
  {
    op: 'spder', kind: 'composite', run: slope((x) => px.spder(x)), grad: false,
    scalar: (x) => (Math.abs(x) < 1e-6 ? Math.cos(x) * 1e-3 : Math.cos(x) * Math.sqrt(Math.abs(x)) + Math.sin(x) * Math.sign(x) / (2 * Math.sqrt(Math.abs(x)))),
    cases: [{ name: 'slope at 0, -0, 1e-9, 0.5, -2: finite at 0 (cos(0) sqrt(eps) = 1e-3)', inputs: () => [f64([0, -0, 1e-9, 0.5, -2])] }],
  },
  { op: 'gcu', kind: 'composite', run: px.gcu, scalar: (x) => x * Math.cos(x), cases: [
    ...unaryCases((s) => uniform(s, -6, 6)),
    { name: 'around 0', inputs: () => [f64([0, 1e-8, -1e-8])] },
  ] },
];

/** @file Op-table rows: the small elementwise composites square, reciprocal, rsqrt, isFinite, isNan. */
import * as px from '../../src/index.js';
import { type OpRow, awayFromZero, f64, uniform } from '../../src/testing/index.js';
import { unaryCases } from './unary.rows.js';

const pos = (s: number[]): px.Tensor => uniform(s, 0.1, 3);

/** Non-finite and signed-zero inputs; IEEE results are checked exactly (NaN/Inf positions must match). */
const specials = (): px.Tensor => f64([0, -0, Infinity, -Infinity, NaN, 1e-300, -1e308]);

export const mathRows: OpRow[] = [
  {
    op: 'square', kind: 'composite', run: px.square, scalar: (x) => x * x,
    cases: [...unaryCases((s) => uniform(s)), { name: 'specials', inputs: () => [specials()], grad: false }],
  },
  {
    op: 'reciprocal', kind: 'composite', run: px.reciprocal, scalar: (x) => 1 / x,
    // 1/+-0 = +-Inf keeps the sign of zero; 1/+-Inf = +-0.
    cases: [...unaryCases((s) => awayFromZero(s, 0.3, 3)), { name: 'specials', inputs: () => [specials()], grad: false }],
  },
  {
    op: 'rsqrt', kind: 'composite', run: px.rsqrt, scalar: (x) => 1 / Math.sqrt(x),
    // rsqrt(0) = Inf, rsqrt(-0) = 1/sqrt(-0) = 1/-0 = -Inf (IEEE; PyTorch gives the same), negative -> NaN.
    cases: [...unaryCases(pos), { name: 'specials', inputs: () => [specials()], grad: false }],
  },
  {
    op: 'isFinite', kind: 'composite', run: px.isFinite, scalar: (x) => (Number.isFinite(x) ? 1 : 0), grad: false,
    cases: [
      { name: 'specials', inputs: () => [specials()] },
      { name: 'rank 0 NaN', inputs: () => [f64(NaN)] },
      { name: 'zero-size [0,3]', inputs: () => [uniform([0, 3])] },
      // float32 max: x - x must not overflow to Inf - Inf.
      { name: 'float32 extremes', inputs: () => [px.tensor([3.4e38, -3.4e38, Infinity, NaN, 1e-45], { dtype: 'float32' })] },
      { name: 'int32 is always finite', inputs: () => [px.tensor([0, -5, 2147483647], { dtype: 'int32' })] },
      { name: 'bool is always finite', inputs: () => [px.tensor([1, 0], { dtype: 'bool' })] },
    ],
  },
  {
    op: 'isNan', kind: 'composite', run: px.isNan, scalar: (x) => (Number.isNaN(x) ? 1 : 0), grad: false,
    cases: [
      { name: 'specials', inputs: () => [specials()] },
      { name: 'rank 0 NaN', inputs: () => [f64(NaN)] },
      { name: 'zero-size [0,3]', inputs: () => [uniform([0, 3])] },
      { name: 'float32', inputs: () => [px.tensor([NaN, Infinity, 3.4e38], { dtype: 'float32' })] },
      { name: 'int32', inputs: () => [px.tensor([0, -1], { dtype: 'int32' })] },
    ],
  },
];

/**
 * @file Op-table rows: activations. Elementwise ones use scalar formulas; softmax/logSoftmax use a
 * per-slice reference. "slope" rows check the documented derivative at kinks and special points,
 * where finite differences are meaningless (PyTorch's one-sided choices).
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, awayFromZero, f64, uniform } from '../../src/testing/index.js';
import { unaryCases } from './unary.rows.js';
import { mapAxis } from './stats.rows.js';

/** erf by its Maclaurin series (accurate to ~1e-15 for |x| <= 3, the range used here). */
const erfRef = (x: number): number => {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 150; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));
const softplusRef = (x: number, beta: number, threshold: number): number => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta);

/** Elementwise derivative of `f` by autograd, as an op: lets a row compare it with a formula. */
const slope = (f: (x: px.Tensor) => px.Tensor) => (x: px.Tensor): px.Tensor => px.grad((y: px.Tensor) => px.sum(f(y)))(x) as px.Tensor;

/** A row checking f' at special points (no FD check: these are kinks or exact-value checks). */
const slopeRow = (op: string, f: (x: px.Tensor) => px.Tensor, df: (x: number) => number, points: number[], why: string): OpRow => ({
  op, kind: 'composite', run: slope(f), scalar: df, grad: false,
  cases: [{ name: `slope at ${points.map((p) => (Object.is(p, -0) ? '-0' : String(p))).join(', ')}: ${why}`, inputs: () => [f64(points)] }],
});

const elementwise = (op: string, run: (x: px.Tensor) => px.Tensor, scalar: (x: number) => number, cases: OpCase[]): OpRow =>
  ({ op, kind: 'composite', run, scalar, cases });

const softmaxRef = (v: number[]): number[] => {
  const m = Math.max(...v);
  if (m === -Infinity) return v.map(() => 0); // fully masked: zeros (documented choice)
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
};
const logSoftmaxRef = (v: number[]): number[] => {
  const m = Math.max(...v);
  if (m === -Infinity) return v.map(() => -Infinity); // fully masked: -Inf
  const lse = m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
  return v.map((a) => a - lse);
};

/** softmax-like rows: one per axis, with the shapes and extreme rows that axis allows. */
function axisRows(op: string, run: (x: px.Tensor, axis: number) => px.Tensor, ref: (v: number[]) => number[]): OpRow[] {
  const row = (axis: number, cases: OpCase[]): OpRow => ({
    // logSoftmax is a fused primitive (its composite form is the oracle in test/fused.test.ts).
    op, kind: op === 'logSoftmax' ? 'primitive' : 'composite', run: (x) => run(x, axis), reference: (x: NDArray) => mapAxis(x, axis, ref),
    cases: cases.map((k) => ({ ...k, name: `axis ${axis}: ${k.name}` })),
  });
  const u = (name: string, shape: number[]): OpCase => ({ name, inputs: () => [uniform(shape, -3, 3)] });
  return [
    row(-1, [
      u('[2,3]', [2, 3]), u('[2,3,4]', [2, 3, 4]), u('rank 0', []), u('zero-size [0,3]', [0, 3]), u('empty axis [2,0]', [2, 0]),
      u('length-1 rows [3,1]', [3, 1]),
      { name: 'large logits', inputs: () => [f64([[1000, 1001, 999], [-1e4, 0, 1e4]])] },
      { name: 'equal row', inputs: () => [f64([[7, 7, 7, 7]])] },
      // Checked by FD for softmax; logSoftmax is -Inf there, and FD of an -Inf output is NaN.
      { name: 'partly -Inf', inputs: () => [f64([[0.3, -Infinity, -1.2], [-Infinity, 2, -Infinity]])], grad: op === 'softmax' },
      // FD of an all -Inf row is NaN; its gradient is checked in extremes.test.ts.
      { name: 'fully -Inf row', inputs: () => [f64([[-Infinity, -Infinity, -Infinity], [0.1, 0.2, 0.3]])], grad: false },
    ]),
    row(0, [u('[3,2]', [3, 2]), u('[1,4]', [1, 4])]),
    row(1, [u('[2,3,4]', [2, 3, 4])]),
  ];
}

export const activationRows: OpRow[] = [
  elementwise('relu', px.relu, (x) => Math.max(x, 0), unaryCases((s) => awayFromZero(s))),
  slopeRow('relu', px.relu, (x) => (x > 0 ? 1 : 0), [0, -0, 1, -1], "relu'(0) = 0 (PyTorch)"),

  elementwise('leakyRelu', px.leakyRelu, (x) => (x > 0 ? x : 0.01 * x), unaryCases((s) => awayFromZero(s))),
  elementwise('leakyRelu', (x) => px.leakyRelu(x, 0.2), (x) => (x > 0 ? x : 0.2 * x), [{ name: 'slope 0.2 [2,3]', inputs: () => [awayFromZero([2, 3])] }]),
  slopeRow('leakyRelu', (x) => px.leakyRelu(x, 0.2), (x) => (x > 0 ? 1 : 0.2), [0, 1, -1], "leakyRelu'(0) = slope (PyTorch: x > 0 ? 1 : slope)"),

  elementwise('sigmoid', px.sigmoid, sigmoidRef, [
    ...unaryCases((s) => uniform(s, -4, 4)),
    { name: 'both branches near 0', inputs: () => [f64([-1e-8, 1e-8, -30, 30])] },
  ]),
  slopeRow('sigmoid', px.sigmoid, (x) => sigmoidRef(x) * (1 - sigmoidRef(x)), [0, -0, 1e-300, -2, 2], "sigmoid'(0) = 0.25 (smooth; no kink from |x|)"),

  elementwise('silu', px.silu, (x) => x * sigmoidRef(x), unaryCases((s) => uniform(s, -4, 4))),
  slopeRow('silu', px.silu, (x) => sigmoidRef(x) * (1 + x * (1 - sigmoidRef(x))), [0, -3, 3], "silu'(0) = 0.5"),

  elementwise('gelu', px.gelu, (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)), unaryCases((s) => uniform(s, -3, 3))),
  elementwise('gelu', (x) => px.gelu(x, 'tanh'), (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    unaryCases((s) => uniform(s, -3, 3)).map((k) => ({ ...k, name: `tanh: ${k.name}` }))),

  elementwise('softplus', px.softplus, (x) => softplusRef(x, 1, 20), [
    ...unaryCases((s) => uniform(s, -5, 5)),
    // Above the threshold (beta x > 20) the output is x itself, as PyTorch; 19 and -30 stay on the smooth branch.
    { name: 'around threshold 20', inputs: () => [f64([19, 21, 50, -30])] },
  ]),
  elementwise('softplus', (x) => px.softplus(x, 2), (x) => softplusRef(x, 2, 20), [
    { name: 'beta 2 [2,3]', inputs: () => [uniform([2, 3], -5, 5)] },
    { name: 'beta 2 around threshold (x = 9.5, 10.5)', inputs: () => [f64([9.5, 10.5, -20])] },
  ]),
  elementwise('softplus', (x) => px.softplus(x, 1, 5), (x) => softplusRef(x, 1, 5), [
    { name: 'threshold 5', inputs: () => [f64([4.5, 5.5, -1])] },
  ]),
  slopeRow('softplus', (x) => px.softplus(x, 2), (x) => sigmoidRef(2 * x), [0, 1, -1], "softplus'(0) = 0.5"),

  elementwise('elu', px.elu, (x) => (x > 0 ? x : Math.expm1(x)), unaryCases((s) => awayFromZero(s, 0.05, 3))),
  elementwise('elu', (x) => px.elu(x, 1.5), (x) => (x > 0 ? x : 1.5 * Math.expm1(x)), [
    { name: 'alpha 1.5 [2,3]', inputs: () => [awayFromZero([2, 3], 0.05, 3)] },
    { name: 'alpha 1.5, very negative', inputs: () => [f64([-800, -50])] },
  ]),
  slopeRow('elu', px.elu, (x) => (x > 0 ? 1 : Math.exp(x)), [0, -1, 1], "elu'(0) = alpha (PyTorch's x <= 0 branch)"),
  slopeRow('elu', (x) => px.elu(x, 1.5), (x) => (x > 0 ? 1 : 1.5 * Math.exp(x)), [0, -1, 1], "elu'(0) = alpha = 1.5"),

  ...axisRows('softmax', px.softmax, softmaxRef),
  ...axisRows('logSoftmax', px.logSoftmax, logSoftmaxRef),
];

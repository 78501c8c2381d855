/**
 * @file Op-table rows: elementwise binary primitives (arithmetic, comparisons) and `where`.
 * Expected values come from the scalar JS formula broadcast by the harness; the output dtype is
 * asserted inside `run` because the harness compares values only.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, awayFromZero, f64, indices, uniform } from '../../src/testing/index.js';

type Fn = (...xs: px.Tensor[]) => px.Tensor;

/** Wraps `f` so a wrong output dtype fails the case (e.g. a comparison returning float). */
function checked(f: Fn, want: (xs: px.Tensor[]) => px.DType): Fn {
  return (...xs) => {
    const y = f(...xs);
    const d = want(xs);
    if (y.dtype !== d) throw new Error(`output dtype ${y.dtype}, expected ${d}`);
    return y;
  };
}

const sameAsInputs = (xs: px.Tensor[]): px.DType => xs.map((x) => x.dtype).reduce(px.promote);
const i32 = (data: number[], shape?: number[]): px.Tensor => px.tensor(data, { dtype: 'int32', ...(shape ? { shape } : {}) });
const bool = (data: boolean[], shape?: number[]): px.Tensor => px.tensor(data, { dtype: 'bool', ...(shape ? { shape } : {}) });
/** Float64 small integers: many exact ties, which comparisons need to be tested at all. */
const smallInts = (shape: number[]): px.Tensor => px.tensor(Float64Array.from(indices(shape, 3).values), { shape, dtype: 'float64' });

/** Shapes every arithmetic row runs (make(shape, argIndex) builds the inputs). */
function arithmeticCases(make: (s: number[], arg: number) => px.Tensor): OpCase[] {
  const two = (a: number[], b: number[]) => () => [make(a, 0), make(b, 1)];
  return [
    { name: '[2,3] op [2,3]', inputs: two([2, 3], [2, 3]) },
    { name: 'broadcast [2,3] op [3]', inputs: two([2, 3], [3]) },
    { name: 'broadcast [2,1,3] op [4,1]', inputs: two([2, 1, 3], [4, 1]) },
    { name: 'rank 0 op [2,3]', inputs: two([], [2, 3]) },
    { name: 'rank 0 op rank 0', inputs: two([], []) },
    { name: 'zero-size [0,3] op [3]', inputs: two([0, 3], [3]) },
  ];
}

const any = (s: number[]): px.Tensor => uniform(s);
// Ints for the forward-only int32 cases: small, so no overflow and Math.pow stays exact.
const intCase = (name: string, a: px.Tensor, b: px.Tensor): OpCase => ({ name: `int32 ${name}`, inputs: () => [a, b] });

function arithmetic(op: string, f: Fn, scalar: (a: number, b: number) => number, extra: OpCase[], make: (s: number[], arg: number) => px.Tensor = any): OpRow {
  return { op, kind: 'primitive', run: checked(f, sameAsInputs), scalar, cases: [...arithmeticCases(make), ...extra] };
}

// Division: denominators kept away from 0 so f and its finite differences stay smooth.
const divMake = (s: number[], arg: number): px.Tensor => (arg === 1 ? awayFromZero(s, 0.5, 2) : uniform(s));
// pow: positive base so the gradient wrt the exponent (a^b ln a) exists; exponent of either sign.
const powMake = (s: number[], arg: number): px.Tensor => (arg === 0 ? uniform(s, 0.3, 2.5) : uniform(s, -2, 2));

/** maximum/minimum: ties hold the documented value; their gradient is tested in `tieGradRows`. */
const tieCase: OpCase = { name: 'ties (value only)', inputs: () => [f64([1, 2, -3, 0]), f64([1, 0, -3, 0.5])], grad: false };
const nanCase: OpCase = { name: 'NaN propagates (value only)', inputs: () => [f64([NaN, 1, 2]), f64([0, NaN, 1])], grad: false };

const arithmeticRows: OpRow[] = [
  arithmetic('add', px.add, (a, b) => a + b, [intCase('[2,3] + [3]', i32([1, -2, 3, 4, 5, -6], [2, 3]), i32([10, 20, -30]))]),
  arithmetic('sub', px.sub, (a, b) => a - b, [intCase('[2,3] - rank 0', i32([1, -2, 3, 4, 5, -6], [2, 3]), i32([7], []))]),
  arithmetic('mul', px.mul, (a, b) => a * b, [intCase('[3] * [2,1]', i32([1, -2, 3]), i32([4, -5], [2, 1]))]),
  {
    op: 'div', kind: 'primitive', scalar: (a, b) => a / b,
    // True division: int operands give the default float dtype (PyTorch).
    run: checked(px.div, (xs) => (xs.every((x) => x.dtype === 'int32') ? px.getDefaultDType() : sameAsInputs(xs))),
    cases: [
      ...arithmeticCases(divMake),
      // Quotients exact in float32 (powers-of-two divisors) so the reference's 1e-10 tolerance holds.
      intCase('[4] / [4] -> float', i32([7, -3, 1, 0]), i32([2, 4, -8, 1])),
      { name: 'IEEE x/0 (value only)', inputs: () => [f64([1, -1, 0]), f64([0, 0, 0])], grad: false },
    ],
  },
  arithmetic('pow', px.pow, Math.pow, [
    // Integer exponents of a negative base are real; only the base gradient exists there
    // (d/db a^b = a^b ln a needs a > 0; finite differences in b give NaN).
    { name: 'negative base, integer exponent', inputs: () => [f64([-2, -1.5, -0.5]), f64([3, 2, -1])], grad: { wrt: [0] } },
    { name: 'pow(x, 0) = 1, pow(0, 0) = 1 (value only)', inputs: () => [f64([0, 2, -3]), f64([0, 0, 0])], grad: false },
    intCase('[4] ** [4]', i32([2, -3, 0, 5]), i32([3, 2, 0, 1])),
  ], powMake),
  arithmetic('maximum', px.maximum, Math.max, [tieCase, nanCase, intCase('[3] vs [2,1]', i32([1, -2, 3]), i32([0, 3], [2, 1]))]),
  arithmetic('minimum', px.minimum, Math.min, [tieCase, nanCase, intCase('[3] vs [2,1]', i32([1, -2, 3]), i32([0, 3], [2, 1]))]),
];

/** Comparisons: bool output, no gradient; inputs with many ties and IEEE specials. */
function comparison(op: string, f: Fn, scalar: (a: number, b: number) => boolean): OpRow {
  const two = (a: number[], b: number[]) => () => [smallInts(a), smallInts(b)];
  return {
    op, kind: 'primitive', run: checked(f, () => 'bool'), scalar: (a, b) => (scalar(a, b) ? 1 : 0), grad: false,
    cases: [
      { name: '[2,3] vs [2,3] (with ties)', inputs: two([2, 3], [2, 3]) },
      { name: 'broadcast [2,1,3] vs [4,1]', inputs: two([2, 1, 3], [4, 1]) },
      { name: 'rank 0 vs [2,3]', inputs: two([], [2, 3]) },
      { name: 'rank 0 vs rank 0', inputs: two([], []) },
      { name: 'zero-size [0,3] vs [3]', inputs: two([0, 3], [3]) },
      { name: 'NaN, ±Inf, -0', inputs: () => [f64([NaN, NaN, Infinity, -Infinity, -0, 1]), f64([NaN, 1, Infinity, Infinity, 0, -Infinity])] },
      { name: 'int32 [2,3] vs [3]', inputs: () => [i32([1, 2, 3, -1, 0, 5], [2, 3]), i32([1, 0, 5])] },
      { name: 'bool vs bool', inputs: () => [bool([true, true, false, false]), bool([true, false, true, false])] },
    ],
  };
}

const comparisonRows: OpRow[] = [
  comparison('eq', px.eq, (a, b) => a === b),
  comparison('ne', px.ne, (a, b) => a !== b),
  comparison('lt', px.lt, (a, b) => a < b),
  comparison('le', px.le, (a, b) => a <= b),
  comparison('gt', px.gt, (a, b) => a > b),
  comparison('ge', px.ge, (a, b) => a >= b),
];

const cond = (shape: number[]): px.Tensor => px.tensor(Array.from(indices(shape, 2).values, (v) => v === 1), { shape, dtype: 'bool' });

const whereRow: OpRow = {
  op: 'where', kind: 'primitive',
  run: checked(px.where, (xs) => px.promote(xs[1]!.dtype, xs[2]!.dtype)),
  // A non-bool condition means "!= 0", which is JS truthiness for the non-NaN values used here.
  scalar: (c, a, b) => (c ? a : b),
  cases: [
    { name: 'all [2,3]', inputs: () => [cond([2, 3]), uniform([2, 3]), uniform([2, 3])] },
    { name: 'broadcast condition [3] over [2,3]', inputs: () => [bool([true, false, true]), uniform([2, 3]), uniform([2, 3])] },
    { name: 'broadcast condition [2,1,1], a [3], b rank 0', inputs: () => [bool([false, true], [2, 1, 1]), uniform([3]), uniform([])] },
    { name: 'rank 0 everywhere', inputs: () => [bool([true], []), uniform([]), uniform([])] },
    { name: 'zero-size condition [0,3]', inputs: () => [cond([0, 3]), uniform([3]), uniform([0, 3])] },
    // The unselected branch holds NaN/Inf: output and gradient must not see them (docs/reliability.md "Numerics and training").
    { name: 'NaN/Inf in unselected branch', inputs: () => [bool([true, false, true]), f64([1, NaN, 2]), f64([Infinity, 3, NaN])] },
    { name: 'int32 condition means != 0', inputs: () => [i32([0, 2, -1]), uniform([3]), uniform([3])] },
    { name: 'int32 branches', inputs: () => [bool([true, false], [2, 1]), i32([1, 2, 3]), i32([-1, -2, -3])] },
  ],
};

/**
 * Tie gradients (value-checked, not by finite differences, which are undefined at a tie):
 * maximum/minimum give each tied operand half the gradient, as PyTorch does.
 */
const tieGrad = (op: string, f: (a: px.Tensor, b: px.Tensor) => px.Tensor, wins: (a: number, b: number) => boolean): OpRow => ({
  op, kind: 'primitive', grad: false,
  run: (a, b) => px.grad((x: px.Tensor) => f(x, b!).sum())(a!) as px.Tensor,
  reference: (a: NDArray, b: NDArray) => ({ shape: a.shape, values: a.values.map((v, i) => (v === b.values[i] ? 0.5 : wins(v, b.values[i]!) ? 1 : 0)) }),
  cases: [{ name: 'd/da at ties splits 0.5', inputs: () => [f64([1, 2, -3, 0]), f64([1, 0, -3, 0.5])] }],
});

const tieGradRows: OpRow[] = [
  tieGrad('maximum', px.maximum, (a, b) => a > b),
  tieGrad('minimum', px.minimum, (a, b) => a < b),
];

export const binaryRows: OpRow[] = [...arithmeticRows, ...comparisonRows, whereRow, ...tieGradRows];

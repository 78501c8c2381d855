/**
 * @file Op-table rows: mean, variance (and its alias var), std, logSumExp (and logsumexp). Each axes/keepDims configuration is its own row
 * (a row's `run` is fixed), all under the op's name. Also exports the plain-array slice helpers that
 * the activation and loss rows use for their references.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, f64, uniform } from '../../src/testing/index.js';

// ---- plain-array helpers (no plexus code) ------------------------------------------------------

const prod = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);

/** Row-major coordinates of flat index `i`. */
function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/**
 * Groups the flat indices of `shape` by their coordinates outside `axes`: one group per output
 * element, in row-major order of the kept dims; each group lists its members in row-major order.
 */
function groups(shape: readonly number[], axes: readonly number[]): number[][] {
  const keptDims = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const out: number[][] = Array.from({ length: prod(keptDims.map((d) => shape[d]!)) }, () => []);
  for (let i = 0; i < prod(shape); i++) {
    const c = coords(i, shape);
    let key = 0;
    for (const d of keptDims) key = key * shape[d]! + c[d]!;
    out[key]!.push(i);
  }
  return out;
}

const normAxes = (rank: number, axes?: number | readonly number[]): number[] =>
  axes === undefined ? Array.from({ length: rank }, (_, d) => d) : (typeof axes === 'number' ? [axes] : [...axes]).map((a) => (a < 0 ? a + rank : a));

/** Reduces `x` over `axes` (all when undefined) with `f` applied to each slice's values. */
export function reduceND(x: NDArray, axes: number | readonly number[] | undefined, keepDims: boolean, f: (v: number[]) => number): NDArray {
  const ax = normAxes(x.shape.length, axes);
  const shape = keepDims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
  return { shape, values: groups(x.shape, ax).map((g) => f(g.map((i) => x.values[i]!))) };
}

/** Applies a slice-to-slice map `f` along one axis (softmax-like ops); same shape out. */
export function mapAxis(x: NDArray, axis: number, f: (v: number[]) => number[]): NDArray {
  const values = new Array<number>(x.values.length);
  for (const g of groups(x.shape, normAxes(x.shape.length, axis))) {
    const y = f(g.map((i) => x.values[i]!));
    g.forEach((i, k) => (values[i] = y[k]!));
  }
  return { shape: [...x.shape], values };
}

const sumOf = (v: number[]): number => v.reduce((a, b) => a + b, 0);
const meanOf = (v: number[]): number => sumOf(v) / v.length;
const varOf = (v: number[], correction: number): number => {
  const m = meanOf(v);
  return sumOf(v.map((a) => (a - m) ** 2)) / Math.max(v.length - correction, 0);
};
/** log(sum(exp(v))) shifted by the max. */
export const lseOf = (v: number[]): number => {
  const m = Math.max(...v);
  if (m === -Infinity || m === Infinity) return m; // all -Inf (or empty) -> -Inf; any +Inf -> +Inf
  return m + Math.log(sumOf(v.map((a) => Math.exp(a - m))));
};

// ---- rows --------------------------------------------------------------------------------------

type Axes = number | number[] | undefined;
interface Config { tag: string; axes: Axes; keepDims: boolean; cases: OpCase[] }

const c = (name: string, shape: number[], grad?: OpCase['grad']): OpCase => ({ name, inputs: () => [uniform(shape)], ...(grad === undefined ? {} : { grad }) });

/** Axes configurations every reduction here is checked with. */
const CONFIGS: Config[] = [
  { tag: 'all axes', axes: undefined, keepDims: false, cases: [c('[2,3]', [2, 3]), c('rank 0', []), c('zero-size [0,3]', [0, 3]), c('[2,2,2]', [2, 2, 2])] },
  { tag: 'all axes keepDims', axes: undefined, keepDims: true, cases: [c('[2,3]', [2, 3])] },
  { tag: 'axis 1', axes: 1, keepDims: false, cases: [c('[2,3]', [2, 3]), c('[2,3,4]', [2, 3, 4]), c('zero-size [0,3]', [0, 3])] },
  // Reducing over an empty axis: mean 0/0 = NaN, variance NaN, logSumExp -Inf (PyTorch).
  { tag: 'axis 0 of [0,3]', axes: 0, keepDims: false, cases: [c('zero-size [0,3]', [0, 3])] },
  { tag: 'axis -1 keepDims', axes: -1, keepDims: true, cases: [c('[2,3]', [2, 3]), c('[4,1]', [4, 1])] },
  { tag: 'axes [0,2]', axes: [0, 2], keepDims: false, cases: [c('[2,3,4]', [2, 3, 4])] },
  { tag: 'axes [-1,-3] keepDims', axes: [-1, -3], keepDims: true, cases: [c('[2,3,4]', [2, 3, 4])] },
];

/** One row per configuration, case names prefixed with the configuration. */
function reductionRows(op: string, run: (x: px.Tensor, axes: Axes, keepDims: boolean) => px.Tensor, f: (v: number[]) => number, extra: Config[] = []): OpRow[] {
  return [...CONFIGS, ...extra].map((cfg) => ({
    op, kind: 'composite' as const,
    run: (x: px.Tensor) => run(x, cfg.axes, cfg.keepDims),
    reference: (x: NDArray) => reduceND(x, cfg.axes, cfg.keepDims, f),
    cases: cfg.cases.map((k) => ({ ...k, name: `${cfg.tag}: ${k.name}` })),
  }));
}

export const statsRows: OpRow[] = [
  ...reductionRows('mean', (x, a, k) => px.mean(x, a, { keepDims: k }), meanOf),
  // correction: 1 (default, unbiased), 0 (population), 2; N - correction <= 0 gives 0/0 = NaN as PyTorch.
  ...[1, 0, 2].flatMap((corr) => reductionRows('variance', (x, a, k) => px.variance(x, a, { correction: corr, keepDims: k }), (v) => varOf(v, corr))
    .map((r) => ({ ...r, cases: r.cases.map((k) => ({ ...k, name: `correction ${corr}, ${k.name}` })) }))),
  ...reductionRows('std', (x, a, k) => px.std(x, a, { keepDims: k }), (v) => Math.sqrt(varOf(v, 1)), [
    // A constant slice: std 0 (its gradient, 0 as PyTorch, is checked in extremes.test.ts; FD is one-sided there).
    { tag: 'constant rows', axes: 1, keepDims: false, cases: [{ name: '[2,3]', inputs: () => [f64([[1, 1, 1], [2, 2, 2]])], grad: false }] },
    { tag: 'one element, unbiased', axes: 0, keepDims: false, cases: [{ name: '[1,2] -> NaN', inputs: () => [f64([[1, 2]])], grad: false }] },
  ]),
  // The PyTorch-named aliases run through the same configurations (they are separate entry points).
  ...reductionRows('var', (x, a, k) => px.var(x, a, { correction: 0, keepDims: k }), (v) => varOf(v, 0)),
  ...reductionRows('logsumexp', (x, a, k) => px.logsumexp(x, a, { keepDims: k }), lseOf),
  ...reductionRows('logSumExp', (x, a, k) => px.logSumExp(x, a, { keepDims: k }), lseOf, [
    {
      tag: 'extreme', axes: -1, keepDims: false, cases: [
        // exp(1000) overflows; the max shift must avoid it.
        { name: 'large [1000,1001,999]', inputs: () => [f64([[1000, 1001, 999], [-1000, -1001, -999]])] },
        { name: 'partly -Inf', inputs: () => [f64([[0.5, -Infinity, 1.5]])] },
        // -Inf; gradient (0) checked in extremes.test.ts since FD of a constant -Inf is NaN.
        { name: 'fully -Inf', inputs: () => [f64([[-Infinity, -Infinity], [1, 2]])], grad: false },
        { name: '+Inf entry', inputs: () => [f64([[1, Infinity]])], grad: false },
      ],
    },
  ]),
];

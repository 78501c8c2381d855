/**
 * @file The op table: one row per op (primitive or composite), each with cases whose expected
 * output comes from an independent plain-JS float64 formula, and a finite-difference gradient check.
 * `runOpCase` is shared by the op-table test on every backend.
 */
import { Tensor } from '../core/tensor.js';
import { tensor } from '../core/create.js';
import { Generator } from '../core/rng.js';
import { broadcastShapes, numel, type Shape } from '../core/shape.js';
import { assertClose, type Tolerance } from './allclose.js';
import { assertGradcheck, type GradcheckOptions } from './gradcheck.js';

/** Plain data for reference formulas: no tensors, no plexus code. */
export interface NDArray {
  shape: number[];
  values: number[];
}

export interface OpCase {
  /** What the case exercises, e.g. 'broadcast [2,3]+[3]'. */
  name: string;
  /** Fresh inputs (float64 for differentiable ones). */
  inputs: () => Tensor[];
  /** Overrides the row's gradient check for this case (false to skip, e.g. at a kink). */
  grad?: boolean | GradcheckOptions;
}

export interface OpRow {
  /** The exported name of the op (`add`, `crossEntropy`); the coverage test matches on it. */
  op: string;
  kind: 'primitive' | 'composite';
  /** Calls the op under test. */
  run: (...xs: Tensor[]) => Tensor;
  /** Elementwise ops: the scalar formula; inputs are broadcast by the harness. */
  scalar?: (...v: number[]) => number;
  /** Other ops: the whole expected output, from plain arrays. */
  reference?: (...xs: NDArray[]) => NDArray;
  cases: OpCase[];
  /** Gradient check for float64 inputs (default true; false for argmax, comparisons, ...). */
  grad?: boolean | GradcheckOptions;
  /** Forward tolerance against the reference (default rtol 1e-10, atol 1e-12). */
  tol?: Tolerance;
}

export const toND = (t: Tensor): NDArray => ({ shape: [...t.shape], values: Array.from(t.values) });

/** The scalar formula applied with NumPy broadcasting, written independently of the kernels. */
export function elementwiseReference(f: (...v: number[]) => number, xs: readonly NDArray[]): NDArray {
  let shape: Shape = [];
  for (const x of xs) shape = broadcastShapes('reference', shape, x.shape);
  const values = Array.from({ length: numel(shape) }, (_, i) => f(...xs.map((x) => x.values[sourceIndex(i, shape, x.shape)]!)));
  return { shape: [...shape], values };
}

/** Flat index into `inShape` of output element `i` of `outShape` (by division; independent of kernels). */
function sourceIndex(i: number, outShape: Shape, inShape: readonly number[]): number {
  let rem = i;
  let src = 0;
  let mult = 1;
  for (let d = outShape.length - 1, e = inShape.length - 1; d >= 0; d--, e--) {
    const coord = rem % outShape[d]!;
    rem = Math.floor(rem / outShape[d]!);
    if (e >= 0) {
      src += (inShape[e] === 1 ? 0 : coord) * mult;
      mult *= inShape[e]!;
    }
  }
  return src;
}

/** Checks one case: the forward against the reference, then (float64 only) gradients against FD. */
export function runOpCase(row: OpRow, c: OpCase, opts: { tol?: Tolerance; gradcheck?: boolean } = {}): void {
  const xs = c.inputs();
  const out = row.run(...xs);
  const nd = xs.map(toND);
  const want = row.scalar ? elementwiseReference(row.scalar, nd) : row.reference!(...nd);
  const what = `${row.op} [${c.name}]`;
  if (out.shape.length !== want.shape.length || out.shape.some((d, i) => d !== want.shape[i])) {
    throw new Error(`${what}: shape [${out.shape}] != expected [${want.shape}]`);
  }
  assertClose(out.values, want.values, opts.tol ?? row.tol ?? { rtol: 1e-10, atol: 1e-12 }, what);
  const g = c.grad ?? row.grad ?? true;
  if (opts.gradcheck === false || g === false || out.size === 0) return;
  if (!xs.some((x) => x.dtype === 'float64' && x.size > 0)) return;
  assertGradcheck(row.run, xs, { atol: 1e-7, rtol: 1e-5, ...(typeof g === 'object' ? g : {}) });
}

// ---- input builders for rows -------------------------------------------------------------------

const gen = new Generator(42);

/** Float64 uniform values in [low, high), reproducible across runs. */
export function uniform(shape: Shape, low = -2, high = 2): Tensor {
  const v = Float64Array.from({ length: numel(shape) }, () => low + (high - low) * gen.nextFloat());
  return tensor(v, { shape, dtype: 'float64' });
}

/** Float64 values with |x| in [minAbs, maxAbs) and random sign: away from kinks at 0. */
export function awayFromZero(shape: Shape, minAbs = 0.2, maxAbs = 2): Tensor {
  const v = Float64Array.from({ length: numel(shape) }, () => (gen.nextFloat() < 0.5 ? -1 : 1) * (minAbs + (maxAbs - minAbs) * gen.nextFloat()));
  return tensor(v, { shape, dtype: 'float64' });
}

/** Int32 values in [0, high). */
export function indices(shape: Shape, high: number): Tensor {
  const v = Int32Array.from({ length: numel(shape) }, () => gen.nextInt(0, high));
  return tensor(v, { shape, dtype: 'int32' });
}

/** Float64 tensor from explicit values. */
export function f64(data: number[] | number[][] | number, shape?: Shape): Tensor {
  return tensor(data as number[], { dtype: 'float64', ...(shape ? { shape } : {}) });
}

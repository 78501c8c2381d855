/**
 * @file Op-table rows: the functional normalisations layerNorm (F.layer_norm) and rmsNorm
 * (F.rms_norm), checked against plain float64 formulas per trailing slice, with and without the
 * affine parameters (their gradients are checked too).
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';

const prod = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);

/**
 * Applies `f` to each contiguous slice of the trailing `k` dims (row-major: the trailing dims are the
 * innermost, so slice j is values[j*n .. (j+1)*n)), then the elementwise affine w, b of length n.
 */
function perSlice(x: NDArray, k: number, f: (v: number[]) => number[], w?: NDArray, b?: NDArray): NDArray {
  const n = prod(x.shape.slice(x.shape.length - k));
  const out: number[] = [];
  for (let j = 0; j * n < x.values.length; j++) {
    const y = f(x.values.slice(j * n, (j + 1) * n));
    y.forEach((v, i) => out.push(v * (w ? w.values[i]! : 1) + (b ? b.values[i]! : 0)));
  }
  return { shape: [...x.shape], values: out };
}

const standardized = (eps: number) => (v: number[]): number[] => {
  const m = v.reduce((a, c) => a + c, 0) / v.length;
  const variance = v.reduce((a, c) => a + (c - m) ** 2, 0) / v.length; // biased, as F.layer_norm
  return v.map((c) => (c - m) / Math.sqrt(variance + eps));
};

const rms = (eps: number) => (v: number[]): number[] => {
  const ms = v.reduce((a, c) => a + c * c, 0) / v.length;
  return v.map((c) => c / Math.sqrt(ms + eps));
};

/** Weights away from 0 so the scale is visible in the check. */
const weight = (shape: number[]): px.Tensor => uniform(shape, 0.5, 1.5);

export const normRows: OpRow[] = [
  {
    op: 'layerNorm', kind: 'composite',
    run: (x, w, b) => px.layerNorm(x!, [3], w, b, 1e-5),
    reference: (x, w, b) => perSlice(x!, 1, standardized(1e-5), w, b),
    cases: [
      { name: 'affine [2,3] over [3]', inputs: () => [uniform([2, 3]), weight([3]), uniform([3])] },
      { name: 'affine [2,2,3] over [3]', inputs: () => [uniform([2, 2, 3]), weight([3]), uniform([3])] },
    ],
  },
  {
    op: 'layerNorm', kind: 'composite',
    run: (x) => px.layerNorm(x!, [2, 3]),
    reference: (x) => perSlice(x!, 2, standardized(1e-5)),
    cases: [{ name: 'no affine, [2,2,3] over [2,3], default eps', inputs: () => [uniform([2, 2, 3])] }],
  },
  {
    op: 'rmsNorm', kind: 'composite',
    run: (x, w) => px.rmsNorm(x!, [4], w, 1e-6),
    reference: (x, w) => perSlice(x!, 1, rms(1e-6), w),
    cases: [
      { name: 'weight [3,4] over [4]', inputs: () => [uniform([3, 4]), weight([4])] },
      { name: 'weight [2,1,4] over [4]', inputs: () => [uniform([2, 1, 4]), weight([4])] },
    ],
  },
  {
    op: 'rmsNorm', kind: 'composite',
    // eps omitted: the float64 machine epsilon (PyTorch's torch.finfo(dtype).eps).
    run: (x) => px.rmsNorm(x!, 4),
    reference: (x) => perSlice(x!, 1, rms(2 ** -52)),
    cases: [{ name: 'no weight, [2,4], default eps', inputs: () => [uniform([2, 4])] }],
  },
];

/**
 * @file Op-table rows: the fused `linear` primitive (y = act(x·Wᵀ + b)) against plain float64 loops,
 * for every activation, with and without bias, leading batch dims, rank-1 x and zero sizes; plus its
 * documented slope at the relu kink. (The `logSoftmax` primitive keeps its rows in activations.rows.ts.)
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, f64, uniform as uniformIn } from '../../src/testing/index.js';

type Act = 'none' | 'relu' | 'tanh' | 'gelu';

/** erf by its Maclaurin series (~1e-15 for |x| <= 3; inputs here stay well inside). */
const erfRef = (x: number): number => {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 150; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

const ACT: Record<Act, (z: number) => number> = {
  none: (z) => z,
  relu: (z) => (z > 0 ? z : 0),
  tanh: Math.tanh,
  gelu: (z) => 0.5 * z * (1 + erfRef(z / Math.SQRT2)),
};

/** act(x·Wᵀ + b) row by row; x [..., in], w [out, in], b [out]. */
function reference(act: Act) {
  return (x: NDArray, w: NDArray, b?: NDArray): NDArray => {
    const [outF, inF] = w.shape as [number, number];
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce((p, d) => p * d, 1);
    const values: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outF; j++) {
        let z = b ? b.values[j]! : 0;
        for (let p = 0; p < inF; p++) z += x.values[r * inF + p]! * w.values[j * inF + p]!;
        values.push(ACT[act](z));
      }
    }
    return { shape: [...lead, outF], values };
  };
}

function row(act: Act): OpRow {
  // gelu: |z| <= 4.2 keeps erfRef's series accurate (z/√2 <= 3); the others use the default range.
  const uniform = (shape: number[]): px.Tensor => (act === 'gelu' ? uniformIn(shape, shape.length === 1 ? -0.2 : -1, shape.length === 1 ? 0.2 : 1) : uniformIn(shape));
  const cases: OpCase[] = [
    { name: `${act}: x[3,4] W[5,4] b[5]`, inputs: () => [uniform([3, 4]), uniform([5, 4]), uniform([5])] },
    { name: `${act}: no bias`, inputs: () => [uniform([2, 3]), uniform([4, 3])] },
    { name: `${act}: leading dims x[2,2,3]`, inputs: () => [uniform([2, 2, 3]), uniform([2, 3]), uniform([2])] },
    { name: `${act}: rank-1 x[3]`, inputs: () => [uniform([3]), uniform([2, 3]), uniform([2])] },
    { name: `${act}: zero rows x[0,3]`, inputs: () => [px.zeros([0, 3], { dtype: 'float64' }), uniform([2, 3]), uniform([2])] },
    { name: `${act}: zero in-features x[2,0] (y = act(b))`, inputs: () => [px.zeros([2, 0], { dtype: 'float64' }), px.zeros([3, 0], { dtype: 'float64' }), uniform([3])] },
  ];
  return { op: 'linear', kind: 'primitive', run: (x, w, b) => px.linear(x!, w!, b ?? null, act), reference: reference(act), cases };
}

/** relu'(0) = 0 through `linear`: d/dx Σ relu(x·1 + 0) at x = 0, ±1. */
const reluKink: OpRow = {
  op: 'linear',
  kind: 'primitive',
  run: (x) => px.grad((y: px.Tensor) => px.sum(px.linear(y, px.ones([1, 1], { dtype: y.dtype }), px.zeros([1], { dtype: y.dtype }), 'relu')))(x!) as px.Tensor,
  scalar: (x) => (x > 0 ? 1 : 0),
  grad: false,
  cases: [{ name: "relu'(0) = 0 at the kink (PyTorch), 1 above, 0 below", inputs: () => [f64([[0], [-0], [1], [-1]])] }],
};

export const fusedRows: OpRow[] = [row('none'), row('relu'), row('tanh'), row('gelu'), reluKink];

/** @file Op-table rows: the fused B-spline basis primitive, against the textbook recursion. */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, f64, uniform } from '../../src/testing/index.js';

/** Cox-de Boor, written recursively straight from the definition (independent of the kernel). */
function bspline(t: number[], j: number, k: number, x: number): number {
  if (k === 0) return t[j]! <= x && x < t[j + 1]! ? 1 : 0;
  const a = ((x - t[j]!) / (t[j + k]! - t[j]!)) * bspline(t, j, k - 1, x);
  const b = ((t[j + k + 1]! - x) / (t[j + k + 1]! - t[j + 1]!)) * bspline(t, j + 1, k - 1, x);
  return a + b;
}

function reference(k: number) {
  return (x: NDArray, grid: NDArray): NDArray => {
    const F = grid.shape[0]!;
    const K = grid.shape[1]!;
    const nb = K - k - 1;
    const values: number[] = [];
    x.values.forEach((v, e) => {
      const f = e % F;
      const t = grid.values.slice(f * K, (f + 1) * K);
      for (let j = 0; j < nb; j++) values.push(bspline(t, j, k, v));
    });
    return { shape: [...x.shape, nb], values };
  };
}

const grid = (F: number, G: number, k: number): px.Tensor => px.uniformGrid(F, G, k, [-1, 1], 'float64');
/** A non-uniform knot vector per feature (sorted random knots), to catch uniform-only shortcuts. */
const irregular = (F: number, knots: number): px.Tensor => {
  const rows = Array.from({ length: F }, () => Array.from(uniform([knots], -1.5, 1.5).values).sort((a, b) => a - b));
  return f64(rows);
};

function row(k: number): OpRow {
  return {
    op: 'splineBasis',
    kind: 'primitive',
    run: (x, g) => px.splineBasis(x!, g!, k),
    reference: reference(k),
    // Gradients w.r.t. x only: the grid is data. Order 0 is piecewise constant (zero gradient).
    grad: k === 0 ? false : { wrt: [0] },
    cases: [
      { name: `k=${k} x[6,2] uniform grid 5`, inputs: () => [uniform([6, 2], -0.95, 0.95), grid(2, 5, k)] },
      { name: `k=${k} x[3] one row`, inputs: () => [uniform([3], -0.9, 0.9), grid(3, 4, k)] },
      { name: `k=${k} batch dims x[2,2,1]`, inputs: () => [uniform([2, 2, 1], -0.9, 0.9), grid(1, 3, k)] },
      { name: `k=${k} irregular knots`, inputs: () => [uniform([5, 2], -0.9, 0.9), irregular(2, 10 + k)] },
      { name: `k=${k} outside the grid is 0`, inputs: () => [f64([[-9, 9], [-1.9, 1.9]]), grid(2, 3, k)], grad: false },
      { name: `k=${k} zero-size`, inputs: () => [px.zeros([0, 2], { dtype: 'float64' }), grid(2, 3, k)] },
    ],
  };
}

export const splineRows: OpRow[] = [row(0), row(1), row(2), row(3)];

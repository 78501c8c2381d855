/** @file Op-table rows: the fused layer-norm primitives (forward x̂ and its input gradient), against per-row float64 formulas. */
import { layerNormBackward, layerNormForward } from '../../src/ops/primitives/layer-norm.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';

function rows(x: NDArray, n: number, f: (v: number[], j: number) => number[]): NDArray {
  const values: number[] = [];
  for (let j = 0; j * n < x.values.length; j++) values.push(...f(x.values.slice(j * n, (j + 1) * n), j));
  return { shape: [...x.shape], values };
}

function stats(v: number[], eps: number): { xh: number[]; r: number } {
  const m = v.reduce((a, c) => a + c, 0) / v.length;
  const r = 1 / Math.sqrt(v.reduce((a, c) => a + (c - m) ** 2, 0) / v.length + eps);
  return { xh: v.map((c) => (c - m) * r), r };
}

const fwd = (dims: number, n: number, eps: number): OpRow => ({
  op: 'layerNormForward', kind: 'primitive',
  run: (x) => layerNormForward(x!, dims, eps),
  reference: (x) => rows(x!, n, (v) => stats(v, eps).xh),
  cases: [{ name: `x[3,2,${n === 4 ? 4 : '2,2'}] over ${dims} dim(s), eps ${eps}`, inputs: () => [uniform(dims === 1 ? [3, 2, 4] : [3, 2, 2], -1, 1)] }],
});

const bwd = (dims: number, n: number, eps: number): OpRow => ({
  op: 'layerNormBackward', kind: 'primitive',
  run: (g, x) => layerNormBackward(g!, x!, dims, eps),
  reference: (g, x) => rows(x!, n, (v, j) => {
    const { xh, r } = stats(v, eps);
    const gv = g!.values.slice(j * n, (j + 1) * n);
    const mg = gv.reduce((a, c) => a + c, 0) / n;
    const mgx = gv.reduce((a, c, i) => a + c * xh[i]!, 0) / n;
    return gv.map((c, i) => r * (c - mg - xh[i]! * mgx));
  }),
  cases: [{ name: `g, x [2,3,${dims === 1 ? 5 : '2,2'}] over ${dims} dim(s) (d/dg and d/dx by finite differences)`, inputs: () => dims === 1 ? [uniform([2, 3, 5], -1, 1), uniform([2, 3, 5], -1, 1)] : [uniform([3, 2, 2], -1, 1), uniform([3, 2, 2], -1, 1)] }],
});

export const layerNormRows: OpRow[] = [fwd(1, 4, 1e-5), fwd(2, 4, 0.1), bwd(1, 5, 1e-5), bwd(2, 4, 0.1)];

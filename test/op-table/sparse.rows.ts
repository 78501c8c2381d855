/**
 * @file Op-table rows: the CSR products sparseLinear (x Wᵀ for a sparse W) and sampledMatmul ((aᵀb)
 * at the nonzeros), against plain loops over the dense matrix the pattern describes.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';

/** (row, col) of every nonzero of a pattern given by flat indices. */
const coordsOf = (cols: number, flat: number[]): [number, number][] => flat.map((f) => [Math.floor(f / cols), f % cols]);

function linearRef(rows: number, cols: number, flat: number[]) {
  return (x: NDArray, v: NDArray): NDArray => {
    const M = x.values.length / cols;
    const values = new Array<number>(M * rows).fill(0);
    coordsOf(cols, flat).forEach(([r, c], j) => {
      for (let m = 0; m < M; m++) values[m * rows + r]! += v.values[j]! * x.values[m * cols + c]!;
    });
    return { shape: [...x.shape.slice(0, -1), rows], values };
  };
}

function sampledRef(rows: number, cols: number, flat: number[]) {
  return (a: NDArray, b: NDArray): NDArray => {
    const M = a.values.length / rows;
    const values = coordsOf(cols, flat).map(([r, c]) => {
      let s = 0;
      for (let m = 0; m < M; m++) s += a.values[m * rows + r]! * b.values[m * cols + c]!;
      return s;
    });
    return { shape: [flat.length], values };
  };
}

/** A fixed pattern with an empty row and an empty column. */
const P1 = { rows: 4, cols: 5, flat: [0, 3, 4, 6, 8, 15, 16, 18] };
/** Dense but for one entry, and a single nonzero. */
const P2 = { rows: 3, cols: 3, flat: [0, 1, 2, 3, 5, 6, 7, 8] };
const P3 = { rows: 2, cols: 6, flat: [9] };

function rows(p: { rows: number; cols: number; flat: number[] }): OpRow[] {
  const pat = px.CsrPattern.fromIndices(p.rows, p.cols, p.flat);
  const nnz = p.flat.length;
  return [
    {
      op: 'sparseLinear', kind: 'primitive', run: (x, v) => px.sparseLinear(x!, v!, pat), reference: linearRef(p.rows, p.cols, p.flat),
      cases: [
        { name: `x[3,${p.cols}] · W${p.rows}x${p.cols} (${nnz} nonzeros)ᵀ`, inputs: () => [uniform([3, p.cols]), uniform([nnz])] },
        { name: `batch dims x[2,2,${p.cols}]`, inputs: () => [uniform([2, 2, p.cols]), uniform([nnz])] },
        { name: `x[6,${p.cols}]: a block of four samples and a tail of two`, inputs: () => [uniform([6, p.cols]), uniform([nnz])] },
        { name: `one row x[${p.cols}]`, inputs: () => [uniform([p.cols]), uniform([nnz])] },
        { name: 'zero-size batch', inputs: () => [px.zeros([0, p.cols], { dtype: 'float64' }), uniform([nnz])] },
      ],
    },
    {
      op: 'sampledMatmul', kind: 'primitive', run: (a, b) => px.sampledMatmul(a!, b!, pat), reference: sampledRef(p.rows, p.cols, p.flat),
      cases: [
        { name: `a[3,${p.rows}], b[3,${p.cols}] at ${nnz} nonzeros`, inputs: () => [uniform([3, p.rows]), uniform([3, p.cols])] },
        { name: `a[9,${p.rows}], b[9,${p.cols}]: two blocks of four and a tail`, inputs: () => [uniform([9, p.rows]), uniform([9, p.cols])] },
        { name: 'zeros in a (the skipped rows) with a finite b', inputs: () => [px.tensor([[0, 1, 0, 2].slice(0, p.rows), [0, 0, 0, 0].slice(0, p.rows)], { dtype: 'float64' }), uniform([2, p.cols])] },
        { name: 'zero-size batch: all sums empty', inputs: () => [px.zeros([0, p.rows], { dtype: 'float64' }), px.zeros([0, p.cols], { dtype: 'float64' })] },
      ],
    },
  ];
}

export const sparseRows: OpRow[] = [
  ...rows(P1), ...rows(P2), ...rows(P3),
  {
    op: 'sampledMatmul', kind: 'primitive', run: (a, b) => px.sampledMatmul(a!, b!, px.CsrPattern.fromIndices(2, 2, [0, 3])), reference: sampledRef(2, 2, [0, 3]),
    grad: false,
    cases: [
      { name: '0 · Inf in a skipped row still gives NaN', inputs: () => [px.tensor([[0, 1]], { dtype: 'float64' }), px.tensor([[Infinity, 2]], { dtype: 'float64' })] },
      { name: '0 · Inf inside a block of four zero rows still gives NaN', inputs: () => [px.zeros([4, 2], { dtype: 'float64' }), px.tensor([[1, 2], [3, 4], [Infinity, 1], [5, 6]], { dtype: 'float64' })] },
    ],
  },
];

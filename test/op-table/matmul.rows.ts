/**
 * @file Op-table rows: matmul, both the NumPy-style wrapper (1-D promotion, batch broadcasting) and
 * the flagged primitive px.mm(a, b, transA, transB) in all four flag combinations.
 * The reference is a triple loop over plain arrays with its own batch broadcasting.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, uniform } from '../../src/testing/index.js';

const prod = (s: number[]): number => s.reduce((p, d) => p * d, 1);

/** Row-major coordinates of flat index `i`. */
function coords(i: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

/** Flat index into `shape` of the (right-aligned, size-1-broadcast) coordinates `c`. */
function offset(c: number[], shape: number[]): number {
  const skip = c.length - shape.length;
  return shape.reduce((o, d, i) => o * d + (d === 1 ? 0 : c[skip + i]!), 0);
}

/** [..., m, k] x [..., k, n] with broadcast batch dims; both operands rank >= 2. */
function batchedMatmul(a: NDArray, b: NDArray): NDArray {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const batch = Array.from({ length: r }, (_, i) => {
    const x = ba[i - (r - ba.length)] ?? 1;
    const y = bb[i - (r - bb.length)] ?? 1;
    return x === 1 ? y : x;
  });
  const values: number[] = [];
  for (let t = 0; t < prod(batch); t++) {
    const c = coords(t, batch);
    const ao = offset(c, ba) * m * k;
    const bo = offset(c, bb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.values[ao + i * k + p]! * b.values[bo + p * n + j]!;
        values.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], values };
}

/** NumPy matmul: a 1-D left operand is a row [1,k], a 1-D right one a column [k,1]; the added dim is dropped. */
function numpyMatmul(a: NDArray, b: NDArray): NDArray {
  const a2 = a.shape.length === 1 ? { shape: [1, a.shape[0]!], values: a.values } : a;
  const b2 = b.shape.length === 1 ? { shape: [b.shape[0]!, 1], values: b.values } : b;
  const out = batchedMatmul(a2, b2);
  const r = out.shape.length;
  const shape = out.shape.filter((_, i) => !((a.shape.length === 1 && i === r - 2) || (b.shape.length === 1 && i === r - 1)));
  return { shape, values: out.values };
}

/** Swaps the last two dims of a plain array. */
function transpose(x: NDArray): NDArray {
  const [r, c] = x.shape.slice(-2) as [number, number];
  const values = x.values.map((_, i) => {
    const base = Math.floor(i / (r * c)) * r * c;
    const [ti, tj] = [Math.floor((i - base) / r), (i - base) % r]; // output element (ti, tj) of [c, r]
    return x.values[base + tj * c + ti]!;
  });
  return { shape: [...x.shape.slice(0, -2), c, r], values };
}

const i32 = (shape: number[]): px.Tensor =>
  px.tensor(Array.from({ length: prod(shape) }, (_, i) => ((i * 5) % 7) - 3), { shape, dtype: 'int32' });

/** `run` that also asserts the output dtype equals the operands' (the harness checks values only). */
const keepsDType = (f: (a: px.Tensor, b: px.Tensor) => px.Tensor) => (...xs: px.Tensor[]): px.Tensor => {
  const y = f(xs[0]!, xs[1]!);
  if (y.dtype !== xs[0]!.dtype) throw new Error(`matmul returned ${y.dtype} for ${xs[0]!.dtype} operands`);
  return y;
};

const pair = (a: number[], b: number[]) => (): px.Tensor[] => [uniform(a), uniform(b)];

const numpyRow: OpRow = {
  op: 'matmul', kind: 'primitive', run: keepsDType(px.matmul), reference: numpyMatmul,
  cases: [
    { name: '2-D [2,3]x[3,4]', inputs: pair([2, 3], [3, 4]) },
    { name: '1-D x 2-D [3]x[3,4] -> [4]', inputs: pair([3], [3, 4]) },
    { name: '2-D x 1-D [2,3]x[3] -> [2]', inputs: pair([2, 3], [3]) },
    { name: '1-D x 1-D [3]x[3] -> rank 0', inputs: pair([3], [3]) },
    { name: 'batched 3-D [2,2,3]x[2,3,4]', inputs: pair([2, 2, 3], [2, 3, 4]) },
    { name: 'broadcast batch [2,1,3,4]x[3,4,5]', inputs: pair([2, 1, 3, 4], [3, 4, 5]) },
    { name: '3-D x 2-D [2,2,3]x[3,4]', inputs: pair([2, 2, 3], [3, 4]) },
    { name: '3-D x 1-D [2,2,3]x[3] -> [2,2]', inputs: pair([2, 2, 3], [3]) },
    { name: '1-D x 3-D [3]x[2,3,4] -> [2,4]', inputs: pair([3], [2, 3, 4]) },
    // k = 0: an empty sum, so the [2,3] output is all zeros (not uninitialised memory).
    { name: 'zero-size k=0 [2,0]x[0,3] -> zeros', inputs: pair([2, 0], [0, 3]) },
    { name: 'zero-size m=0 [0,3]x[3,4] -> [0,4]', inputs: pair([0, 3], [3, 4]) },
    { name: 'int32 [2,3]x[3,2]', inputs: () => [i32([2, 3]), i32([3, 2])] },
  ],
};

/** Cases for px.mm given the logical (post-transpose) shapes; stored operands are transposed per flag. */
function flaggedCases(transA: boolean, transB: boolean): OpCase[] {
  const t = (s: number[], on: boolean): number[] => (on ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
  const mk = (name: string, a: number[], b: number[]): OpCase => ({ name, inputs: pair(t(a, transA), t(b, transB)) });
  return [
    mk('[2,3]x[3,4]', [2, 3], [3, 4]),
    mk('batched [2,2,3]x[2,3,4]', [2, 2, 3], [2, 3, 4]),
    mk('broadcast batch [2,1,3,4]x[3,4,5]', [2, 1, 3, 4], [3, 4, 5]),
    mk('zero-size k=0 [2,0]x[0,3] -> zeros', [2, 0], [0, 3]),
    mk('zero-size m=0 [0,3]x[3,4]', [0, 3], [3, 4]),
    { name: 'int32 [2,3]x[3,2]', inputs: () => [i32(t([2, 3], transA)), i32(t([3, 2], transB))] },
  ];
}

function flaggedRow(transA: boolean, transB: boolean): OpRow {
  return {
    op: 'matmul', kind: 'primitive',
    run: keepsDType((a, b) => px.mm(a, b, transA, transB)),
    reference: (a, b) => batchedMatmul(transA ? transpose(a) : a, transB ? transpose(b) : b),
    cases: flaggedCases(transA, transB).map((c) => ({ ...c, name: `mm(transA=${transA}, transB=${transB}) ${c.name}` })),
  };
}

export const matmulRows: OpRow[] = [
  numpyRow,
  flaggedRow(false, false),
  flaggedRow(true, false),
  flaggedRow(false, true),
  flaggedRow(true, true),
];

/**
 * @file Op-table rows: the fused LSTM / GRU cell primitives and their backward kernels, against the
 * gate formulas written out per element in plain float64 (PyTorch's gate order i|f|g|o and r|z|n).
 * The forward rows' gradient check (finite differences) exercises the backward kernels through the
 * vjp; the backward rows check those kernels' values directly (they have no vjp of their own: under
 * createGraph the forward's vjp is written with ops, see test/rnn-cell.test.ts).
 */
import * as px from '../../src/index.js';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from '../../src/ops/primitives/recurrent-cell.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';

const s = (a: number): number => 1 / (1 + Math.exp(-a));

/** Per (b, j): the LSTM gates and new cell from plain arrays. */
function lstmAt(xg: NDArray, hg: NDArray, c: NDArray, b: number, j: number) {
  const H = c.shape[1]!;
  const a = (k: number): number => xg.values[b * 4 * H + k * H + j]! + hg.values[b * 4 * H + k * H + j]!;
  const [i, f, g, o] = [s(a(0)), s(a(1)), Math.tanh(a(2)), s(a(3))];
  const cp = c.values[b * H + j]!;
  const cn = f * cp + i * g;
  return { i, f, g, o, cp, cn, h: o * Math.tanh(cn) };
}

function gruAt(xg: NDArray, hg: NDArray, h: NDArray, b: number, j: number) {
  const H = h.shape[1]!;
  const at = (t: NDArray, k: number): number => t.values[b * 3 * H + k * H + j]!;
  const r = s(at(xg, 0) + at(hg, 0));
  const z = s(at(xg, 1) + at(hg, 1));
  const hn = at(hg, 2);
  const n = Math.tanh(at(xg, 2) + r * hn);
  const hp = h.values[b * H + j]!;
  return { r, z, n, hn, hp, h: (1 - z) * n + z * hp };
}

function lstmRef(xg: NDArray, hg: NDArray, c: NDArray): NDArray {
  const [B, H] = c.shape as [number, number];
  const values = new Array<number>(2 * B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
    const q = lstmAt(xg, hg, c, b, j);
    values[b * H + j] = q.h;
    values[B * H + b * H + j] = q.cn;
  }
  return { shape: [2, B, H], values };
}

function lstmBwdRef(g: NDArray, xg: NDArray, hg: NDArray, c: NDArray): NDArray {
  const [B, H] = c.shape as [number, number];
  const values = new Array<number>(5 * B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
    const q = lstmAt(xg, hg, c, b, j);
    const gh = g.values[b * H + j]!;
    const tc = Math.tanh(q.cn);
    const dc = g.values[B * H + b * H + j]! + gh * q.o * (1 - tc * tc);
    const row = [dc * q.g * q.i * (1 - q.i), dc * q.cp * q.f * (1 - q.f), dc * q.i * (1 - q.g * q.g), gh * tc * q.o * (1 - q.o), dc * q.f];
    row.forEach((v, k) => (values[b * 5 * H + k * H + j] = v));
  }
  return { shape: [B, 5 * H], values };
}

function gruRef(xg: NDArray, hg: NDArray, h: NDArray): NDArray {
  const [B, H] = h.shape as [number, number];
  const values = new Array<number>(B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) values[b * H + j] = gruAt(xg, hg, h, b, j).h;
  return { shape: [B, H], values };
}

function gruBwdRef(g: NDArray, xg: NDArray, hg: NDArray, h: NDArray): NDArray {
  const [B, H] = h.shape as [number, number];
  const values = new Array<number>(7 * B * H);
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
    const q = gruAt(xg, hg, h, b, j);
    const gh = g.values[b * H + j]!;
    const dn = gh * (1 - q.z) * (1 - q.n * q.n);
    const dr = dn * q.hn * q.r * (1 - q.r);
    const dz = gh * (q.hp - q.n) * q.z * (1 - q.z);
    [dr, dz, dn, dr, dz, dn * q.r, gh * q.z].forEach((v, k) => (values[b * 7 * H + k * H + j] = v));
  }
  return { shape: [B, 7 * H], values };
}

const z64 = (shape: number[]): px.Tensor => px.zeros(shape, { dtype: 'float64' });

export const recurrentRows: OpRow[] = [
  {
    op: 'lstmCell', kind: 'primitive', run: (xg, hg, c) => lstmCell(xg!, hg!, c!), reference: lstmRef,
    cases: [
      { name: 'B 3, H 2', inputs: () => [uniform([3, 8]), uniform([3, 8]), uniform([3, 2])] },
      { name: 'B 1, H 5, saturating gates', inputs: () => [uniform([1, 20], -8, 8), uniform([1, 20], -1, 1), uniform([1, 5])] },
      { name: 'B 3, H 9 (two f32x4 steps and a tail of 1)', inputs: () => [uniform([3, 36], -3, 3), uniform([3, 36]), uniform([3, 9], -2, 2)] },
      { name: 'zero rows B 0', inputs: () => [z64([0, 8]), z64([0, 8]), z64([0, 2])] },
    ],
  },
  {
    op: 'lstmCellBackward', kind: 'primitive', run: (g, xg, hg, c) => lstmCellBackward(g!, xg!, hg!, c!), reference: lstmBwdRef, grad: false,
    cases: [
      { name: 'G [2,3,2], B 3, H 2', inputs: () => [uniform([2, 3, 2]), uniform([3, 8]), uniform([3, 8]), uniform([3, 2])] },
      { name: 'G [2,2,7], B 2, H 7 (an f32x4 step and a tail of 3), saturating gates', inputs: () => [uniform([2, 2, 7]), uniform([2, 28], -9, 9), uniform([2, 28]), uniform([2, 7], -2, 2)] },
    ],
  },
  {
    op: 'gruCell', kind: 'primitive', run: (xg, hg, h) => gruCell(xg!, hg!, h!), reference: gruRef,
    cases: [
      { name: 'B 3, H 2', inputs: () => [uniform([3, 6]), uniform([3, 6]), uniform([3, 2])] },
      { name: 'B 2, H 4, saturating gates', inputs: () => [uniform([2, 12], -8, 8), uniform([2, 12], -1, 1), uniform([2, 4])] },
      { name: 'B 3, H 10 (two f32x4 steps and a tail of 2)', inputs: () => [uniform([3, 30], -3, 3), uniform([3, 30]), uniform([3, 10])] },
      { name: 'zero rows B 0', inputs: () => [z64([0, 6]), z64([0, 6]), z64([0, 2])] },
    ],
  },
  {
    op: 'gruCellBackward', kind: 'primitive', run: (g, xg, hg, h) => gruCellBackward(g!, xg!, hg!, h!), reference: gruBwdRef, grad: false,
    cases: [
      { name: 'G [3,2], B 3, H 2', inputs: () => [uniform([3, 2]), uniform([3, 6]), uniform([3, 6]), uniform([3, 2])] },
      { name: 'G [2,5], B 2, H 5 (an f32x4 step and a tail of 1), saturating gates', inputs: () => [uniform([2, 5]), uniform([2, 15], -9, 9), uniform([2, 15]), uniform([2, 5])] },
    ],
  },
];

/**
 * @file Op-table rows: mse, nll, crossEntropy, bceWithLogits. References follow PyTorch's documented
 * definitions (torch.nn.*Loss docs), written as plain loops; spot values were compared by hand with
 * torch 1.13 while writing them (e.g. weighted + label-smoothed cross-entropy, probability targets).
 * Optional tensors (weight, posWeight) are passed as inputs so the gradcheck covers them too.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpCase, type OpRow, f64, indices, uniform } from '../../src/testing/index.js';

type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];

const i32 = (data: number[], shape?: number[]): px.Tensor => px.tensor(data, { dtype: 'int32', ...(shape ? { shape } : {}) });

/** Mean over elements for 'mean' (0/0 = NaN when empty, as PyTorch), sum for 'sum'. */
function reduced(loss: NDArray, reduction: Reduction, denom = loss.values.length): NDArray {
  if (reduction === 'none') return loss;
  const s = loss.values.reduce((a, b) => a + b, 0);
  return { shape: [], values: [reduction === 'sum' ? s : s / denom] };
}

/** Rows per reduction; `make` builds run and reference for one reduction. Case names get the reduction. */
function perReduction(op: string, make: (r: Reduction) => Pick<OpRow, 'run' | 'reference'>, cases: OpCase[], reductions = REDUCTIONS): OpRow[] {
  return reductions.map((r) => ({ op, kind: 'composite' as const, ...make(r), cases: cases.map((k) => ({ ...k, name: `${r}: ${k.name}` })) }));
}

// ---- class-dim layout: input [N, C, ...rest], flat index (n, c, k) = (n * C + c) * D + k -------------

interface Layout { N: number; C: number; D: number; rest: number[] }
const layout = (x: NDArray): Layout => {
  const rest = x.shape.slice(2);
  return { N: x.shape[0]!, C: x.shape[1]!, D: rest.reduce((p, d) => p * d, 1), rest };
};

/** log-softmax over the class dim, shifted by the max (masked -Inf entries stay -Inf). */
function logSoftmaxC(x: NDArray, { N, C, D }: Layout): number[] {
  const out = new Array<number>(x.values.length);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < D; k++) {
      const at = (c: number): number => (n * C + c) * D + k;
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, x.values[at(c)]!);
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x.values[at(c)]! - m);
      for (let c = 0; c < C; c++) out[at(c)] = x.values[at(c)]! - m - Math.log(s);
    }
  }
  return out;
}

interface ClassOpts { reduction: Reduction; weight?: NDArray; ignoreIndex?: number; labelSmoothing?: number }

/**
 * PyTorch NLLLoss / CrossEntropyLoss with class-index targets: per sample
 * (1 - eps) * (-w[y] logp[y]) + eps / C * (-sum_c w[c] logp[c]), 0 for ignored samples;
 * 'mean' divides by the summed w[y] of the non-ignored samples (both terms).
 */
function classIndexLoss(logp: number[], target: NDArray, L: Layout, o: ClassOpts): NDArray {
  const { reduction, weight, ignoreIndex = -100, labelSmoothing: eps = 0 } = o;
  const w = (c: number): number => (weight ? weight.values[c]! : 1);
  const losses: number[] = [];
  let wsum = 0;
  for (let n = 0; n < L.N; n++) {
    for (let k = 0; k < L.D; k++) {
      const y = target.values[n * L.D + k]!;
      if (y === ignoreIndex) { losses.push(0); continue; }
      const lp = (c: number): number => logp[(n * L.C + c) * L.D + k]!;
      let smooth = 0;
      for (let c = 0; c < L.C; c++) smooth -= w(c) * lp(c);
      losses.push((1 - eps) * -w(y) * lp(y) + (eps / L.C) * smooth);
      wsum += w(y);
    }
  }
  return reduced({ shape: [L.N, ...L.rest], values: losses }, reduction, wsum);
}

/** PyTorch CrossEntropyLoss with probability targets: -sum_c w[c] t'[c] logp[c], t' = (1-eps) t + eps/C; 'mean' / (N * D). */
function probabilityLoss(logp: number[], target: NDArray, L: Layout, o: ClassOpts): NDArray {
  const { reduction, weight, labelSmoothing: eps = 0 } = o;
  const losses: number[] = [];
  for (let n = 0; n < L.N; n++) {
    for (let k = 0; k < L.D; k++) {
      let l = 0;
      for (let c = 0; c < L.C; c++) {
        const i = (n * L.C + c) * L.D + k;
        const t = (1 - eps) * target.values[i]! + eps / L.C;
        if (t !== 0) l -= (weight ? weight.values[c]! : 1) * t * logp[i]!; // 0 * log 0 = 0
      }
      losses.push(l);
    }
  }
  return reduced({ shape: [L.N, ...L.rest], values: losses }, reduction);
}

// ---- inputs ------------------------------------------------------------------------------------

const probs = (shape: number[]): px.Tensor => {
  // Random positive rows normalised along dim 1 in plain JS (the reference does not care; CE is linear in t).
  const u = uniform(shape, 0.1, 1);
  const L = layout({ shape, values: [] });
  const v = Float64Array.from(u.values);
  for (let n = 0; n < L.N; n++) {
    for (let k = 0; k < L.D; k++) {
      let s = 0;
      for (let c = 0; c < L.C; c++) s += v[(n * L.C + c) * L.D + k]!;
      for (let c = 0; c < L.C; c++) v[(n * L.C + c) * L.D + k]! /= s;
    }
  }
  return px.tensor(v, { shape, dtype: 'float64' });
};

const W3 = (): px.Tensor => f64([0.5, 1.5, 2]);

// ---- rows --------------------------------------------------------------------------------------

const mseRows = perReduction('mse', (r) => ({
  run: (a, b) => px.mse(a!, b!, { reduction: r }),
  reference: (a, b) => reduced({ shape: [...a!.shape], values: a!.values.map((x, i) => (x - b!.values[i]!) ** 2) }, r),
}), [
  { name: '[2,3]', inputs: () => [uniform([2, 3]), uniform([2, 3])] },
  { name: 'rank 0', inputs: () => [uniform([]), uniform([])] },
  { name: 'zero-size [0,3]', inputs: () => [uniform([0, 3]), uniform([0, 3])] },
  { name: '[2,2,2]', inputs: () => [uniform([2, 2, 2]), uniform([2, 2, 2])] },
]);

/** nll / crossEntropy rows with class-index targets; inputs are [x, target] or [x, target, weight]. */
function classRows(op: 'nll' | 'crossEntropy', extra: { ignoreIndex?: number; labelSmoothing?: number }, tag: string, cases: OpCase[]): OpRow[] {
  return perReduction(op, (reduction) => ({
    run: (x, t, w) => (op === 'nll' ? px.nll : px.crossEntropy)(x!, t!, { reduction, ...extra, ...(w ? { weight: w } : {}) }),
    reference: (x, t, w) => {
      const L = layout(x!);
      // nll takes log-probabilities as given (they need not be normalised).
      const logp = op === 'nll' ? x!.values : logSoftmaxC(x!, L);
      return classIndexLoss(logp, t!, L, { reduction, ...extra, ...(w ? { weight: w } : {}) });
    },
  }), cases.map((k) => ({ ...k, name: `${tag}${k.name}` })));
}

const indexCases = (x: (s: number[]) => px.Tensor): OpCase[] => [
  { name: '[4,3]', inputs: () => [x([4, 3]), indices([4], 3)] },
  { name: '[N,C,d] = [2,3,2]', inputs: () => [x([2, 3, 2]), indices([2, 2], 3)] },
  { name: 'weight [4,3]', inputs: () => [x([4, 3]), i32([0, 2, 1, 2]), W3()] },
  { name: 'weight [2,3,2]', inputs: () => [x([2, 3, 2]), i32([0, 2, 1, 1], [2, 2]), W3()] },
  { name: 'default ignoreIndex -100', inputs: () => [x([4, 3]), i32([0, -100, 2, 1])] },
  { name: 'ignoreIndex -100 + weight', inputs: () => [x([4, 3]), i32([0, -100, 2, 1]), W3()] },
  { name: 'zero-size N = 0', inputs: () => [x([0, 3]), i32([])] },
  // All samples ignored: 'mean' is 0/0 = NaN (PyTorch); FD of NaN is meaningless.
  { name: 'all ignored', inputs: () => [x([2, 3]), i32([-100, -100])], grad: false },
];

const nllRows = [
  ...classRows('nll', {}, '', indexCases((s) => uniform(s, -3, 0))),
  ...classRows('nll', { ignoreIndex: 1 }, 'ignoreIndex 1: ', [
    { name: '[4,3]', inputs: () => [uniform([4, 3], -3, 0), i32([0, 1, 2, 1])] },
    { name: 'weight', inputs: () => [uniform([4, 3], -3, 0), i32([0, 1, 2, 1]), W3()] },
  ]),
];

const logits = (s: number[]): px.Tensor => uniform(s, -3, 3);

const ceProbRows = (labelSmoothing: number, tag: string, cases: OpCase[]): OpRow[] => perReduction('crossEntropy', (reduction) => ({
  run: (x, t, w) => px.crossEntropy(x!, t!, { reduction, labelSmoothing, ...(w ? { weight: w } : {}) }),
  reference: (x, t, w) => { const L = layout(x!); return probabilityLoss(logSoftmaxC(x!, L), t!, L, { reduction, labelSmoothing, ...(w ? { weight: w } : {}) }); },
}), cases.map((k) => ({ ...k, name: `${tag}${k.name}` })));

const probCases: OpCase[] = [
  { name: '[4,3]', inputs: () => [logits([4, 3]), probs([4, 3])] },
  { name: '[N,C,d] = [2,3,2]', inputs: () => [logits([2, 3, 2]), probs([2, 3, 2])] },
  { name: 'weight [4,3]', inputs: () => [logits([4, 3]), probs([4, 3]), W3()] },
  { name: 'weight [2,3,2]', inputs: () => [logits([2, 3, 2]), probs([2, 3, 2]), W3()] },
  // Hard one-hot targets given as probabilities must equal the class-index form.
  { name: 'one-hot', inputs: () => [logits([3, 3]), f64([[1, 0, 0], [0, 0, 1], [0, 1, 0]])] },
  // A masked (-Inf) logit with target probability 0 contributes 0 (0 log 0 = 0; PyTorch gives NaN).
  // Gradcheck on the logits only: d/dt at (t = 0, logp = -Inf) is -Inf by FD, 0 under the convention.
  {
    name: 'masked logit with zero target', grad: { wrt: [0] },
    inputs: () => [f64([[0.2, -Infinity, 1.1], [0.5, -0.5, 0]]), f64([[0.3, 0, 0.7], [0.2, 0.3, 0.5]])],
  },
  { name: 'zero-size N = 0', inputs: () => [logits([0, 3]), probs([0, 3])] },
];

const ceRows = [
  ...classRows('crossEntropy', {}, 'index targets, ', indexCases(logits)),
  ...classRows('crossEntropy', { labelSmoothing: 0.1 }, 'index targets, labelSmoothing 0.1, ', indexCases(logits)),
  ...classRows('crossEntropy', { ignoreIndex: 0, labelSmoothing: 0.1 }, 'ignoreIndex 0, labelSmoothing 0.1, ', [
    { name: 'weight [4,3]', inputs: () => [logits([4, 3]), i32([0, 1, 2, 0]), W3()] },
  ]),
  ...ceProbRows(0, 'probability targets, ', probCases),
  ...ceProbRows(0.1, 'probability targets, labelSmoothing 0.1, ', probCases.filter((k) => !k.name.startsWith('masked'))),
];

/** PyTorch BCEWithLogitsLoss: -[p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], p broadcast over the last dim. */
const bceRows = perReduction('bceWithLogits', (reduction) => ({
  run: (x, t, p) => px.bceWithLogits(x!, t!, { reduction, ...(p ? { posWeight: p } : {}) }),
  reference: (x, t, p) => {
    const last = x!.shape[x!.shape.length - 1] ?? 1;
    const values = x!.values.map((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      const y = t!.values[i]!;
      const pw = p ? p.values[p.values.length === 1 ? 0 : i % last]! : 1;
      return -(pw * y * Math.log(s) + (1 - y) * Math.log(1 - s));
    });
    return reduced({ shape: [...x!.shape], values }, reduction);
  },
}), [
  { name: '[4,3]', inputs: () => [logits([4, 3]), uniform([4, 3], 0, 1)] },
  { name: 'hard targets', inputs: () => [logits([2, 3]), f64([[0, 1, 1], [1, 0, 0]])] },
  { name: 'rank 0', inputs: () => [logits([]), uniform([], 0, 1)] },
  { name: 'zero-size [0,3]', inputs: () => [logits([0, 3]), uniform([0, 3], 0, 1)] },
  { name: 'posWeight [3] broadcast over [4,3]', inputs: () => [logits([4, 3]), uniform([4, 3], 0, 1), f64([0.5, 2, 3])] },
  { name: 'posWeight [4] broadcast over [2,3,4]', inputs: () => [logits([2, 3, 4]), uniform([2, 3, 4], 0, 1), f64([1, 0.25, 4, 2])] },
  { name: 'posWeight [1]', inputs: () => [logits([2, 3]), uniform([2, 3], 0, 1), f64([3])] },
]);

export const lossRows: OpRow[] = [...mseRows, ...nllRows, ...ceRows, ...bceRows];

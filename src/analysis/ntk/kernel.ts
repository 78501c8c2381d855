/**
 * @file What one does with a kernel: its eigen-spectrum, kernel (ridge) regression, and the
 * prediction of linearised training (Lee et al. 2019, "Wide neural networks of any depth evolve as
 * linear models under gradient descent", https://arxiv.org/abs/1902.06720, eq. 9-11).
 *
 * Kernels are Tensor [N, M] (one kernel shared by every output, as the analytic ones and mode
 * 'trace' are used) or [N, M, O, O] (mode 'full': outputs coupled); targets and outputs are [N, O].
 * Linearised gradient descent on PyTorch's MSELoss(f, y) with `reduction` 'mean' (over N * O entries)
 * or 'sum', learning rate lr: df/dt = -lr c K (f - y), c = 2 / (N O) or 2, so with K = V diag(l) V^T
 *   continuous (time t):   f_t = f_0 + (I - e^{-lr c K t}) (y - f_0)
 *                          f*_t = f*_0 + K* K^{-1} (I - e^{-lr c K t}) (y - f_0)
 *   discrete (steps T):    I - e^{-lr c K t} becomes I - (I - lr c K)^T.
 * K^{-1}(I - ...) is applied through the eigenvalues (finite as l -> 0), so a singular K is fine.
 */
import { checkEnum, checkOptions, describe } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { checkNumber } from '../../nn/check.js';
import { eighArray } from '../linalg.js';
import { f64 } from './host.js';

interface Flat { a: Float64Array; rows: number; cols: number; n: number; m: number; O: number; coupled: boolean }

/** A kernel as a [N * O', M * O'] host matrix (O' = O when coupled, 1 otherwise). */
function flatKernel(where: string, what: string, k: unknown): Flat {
  if (!(k instanceof Tensor)) throw new ValueError(`${where}: ${what} must be a Tensor [N, M] or [N, M, O, O], got ${describe(k)}`, 'INVALID_ARGUMENT');
  if (k.rank === 2) return { a: f64(k), rows: k.shape[0]!, cols: k.shape[1]!, n: k.shape[0]!, m: k.shape[1]!, O: 1, coupled: false };
  if (k.rank === 4 && k.shape[2] === k.shape[3]) {
    const [n, m, O] = k.shape as [number, number, number];
    const src = f64(k);
    const a = new Float64Array(src.length);
    // [n, m, o, p] -> [(n, o), (m, p)]
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let o = 0; o < O; o++) for (let p = 0; p < O; p++) {
      a[(i * O + o) * m * O + j * O + p] = src[((i * m + j) * O + o) * O + p]!;
    }
    return { a, rows: n * O, cols: m * O, n, m, O, coupled: true };
  }
  throw new ShapeError(`${where}: ${what} must be [N, M] or [N, M, O, O], got ${fmtShape(k.shape)}`);
}

function targets(where: string, what: string, y: unknown, n: number, O: number | null): { v: Float64Array; O: number } {
  if (!(y instanceof Tensor)) throw new ValueError(`${where}: ${what} must be a Tensor [${n}, O], got ${describe(y)}`, 'INVALID_ARGUMENT');
  if (y.rank !== 2 || y.shape[0] !== n || (O !== null && y.shape[1] !== O)) throw new ShapeError(`${where}: ${what} must be [${n}, ${O ?? 'O'}], got ${fmtShape(y.shape)}`);
  return { v: f64(y), O: y.shape[1]! };
}

/**
 * The eigenvalues of a kernel matrix, descending (a [N, N, O, O] kernel as its [N O, N O] matrix).
 * @example const spec = analysis.kernelSpectrum(analysis.ntk(model, x, null, { mode: 'trace' }) as Tensor);
 */
export function kernelSpectrum(k: Tensor): Tensor {
  const f = flatKernel('kernelSpectrum', 'kernel', k);
  if (f.rows !== f.cols) throw new ShapeError(`kernelSpectrum: kernel must be square, got ${fmtShape(k.shape)}`);
  return tensor(eighArray(f.a, f.rows, 'kernelSpectrum').values, { dtype: 'float64' });
}

/**
 * Applies g(K) V^T b per output column: for each eigenpair, the weight `weight(l)`; returns V diag(w) V^T R
 * for the residual matrix R [rows, cols] (cols output columns when the kernel is uncoupled, else 1).
 */
function spectralApply(K: Flat, r: Float64Array, cols: number, weight: (l: number) => number, where: string): Float64Array {
  const n = K.rows;
  const { values, vectors } = eighArray(K.a.slice(), n, where);
  const out = new Float64Array(n * cols);
  for (let e = 0; e < n; e++) {
    const w = weight(values[e]!);
    if (w === 0) continue;
    for (let c = 0; c < cols; c++) {
      let p = 0;
      for (let i = 0; i < n; i++) p += vectors[i * n + e]! * r[i * cols + c]!;
      p *= w;
      for (let i = 0; i < n; i++) out[i * cols + c] = out[i * cols + c]! + vectors[i * n + e]! * p;
    }
  }
  return out;
}

/** out[M rows] = Kx [rows x n] . z [n, cols] */
function mulKernel(kx: Flat, z: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(kx.rows * cols);
  for (let i = 0; i < kx.rows; i++) for (let j = 0; j < kx.cols; j++) {
    const a = kx.a[i * kx.cols + j]!;
    if (a !== 0) for (let c = 0; c < cols; c++) out[i * cols + c] = out[i * cols + c]! + a * z[j * cols + c]!;
  }
  return out;
}

export interface KernelRegressionOptions {
  /** Ridge lambda added to the diagonal (default 0: pseudo-inverse, eigenvalues below n eps max dropped). */
  ridge?: number;
}

/**
 * Kernel (ridge) regression: K(test, train) (K(train, train) + ridge I)^{-1} y, Tensor [M, O].
 * @example const pred = analysis.kernelRegression(kTrain, yTrain, kTestTrain, { ridge: 1e-6 });
 */
export function kernelRegression(kTrainTrain: Tensor, yTrain: Tensor, kTestTrain: Tensor, opts: KernelRegressionOptions = {}): Tensor {
  const where = 'kernelRegression';
  checkOptions(where, opts, ['ridge']);
  const ridge = checkNumber(where, 'ridge', opts.ridge ?? 0, 0);
  const K = flatKernel(where, 'kTrainTrain', kTrainTrain);
  if (K.n !== K.m) throw new ShapeError(`${where}: kTrainTrain must be square, got ${fmtShape(kTrainTrain.shape)}`);
  const Kx = flatKernel(where, 'kTestTrain', kTestTrain);
  if (Kx.m !== K.n || Kx.coupled !== K.coupled || Kx.O !== K.O) throw new ShapeError(`${where}: kTestTrain must be [M, ${K.n}${K.coupled ? `, ${K.O}, ${K.O}` : ''}] to match kTrainTrain, got ${fmtShape(kTestTrain.shape)}`);
  const { v: y, O } = targets(where, 'yTrain', yTrain, K.n, K.coupled ? K.O : null);
  const cols = K.coupled ? 1 : O;
  let maxL = 0;
  for (let i = 0; i < K.rows; i++) maxL = Math.max(maxL, Math.abs(K.a[i * K.rows + i]!));
  const cut = K.rows * 2.220446049250313e-16 * Math.max(maxL, Number.MIN_VALUE);
  const alpha = spectralApply(K, y, cols, (l) => (ridge > 0 ? 1 / (l + ridge) : Math.abs(l) > cut ? 1 / l : 0), where);
  return tensor(mulKernel(Kx, alpha, cols), { dtype: 'float64', shape: [Kx.n, O] });
}

export interface LinearizedOptions {
  /** Learning rate of (full-batch) gradient descent. */
  lr: number;
  /** Continuous time (gradient flow) ... */
  time?: number;
  /** ... or a number of discrete steps (exactly one of the two). */
  steps?: number;
  /** MSELoss reduction the training uses: 'mean' (default, PyTorch's) or 'sum'. */
  reduction?: 'mean' | 'sum';
  /** K(test, train), [M, N] or [M, N, O, O], for predictions at test points. */
  kTestTrain?: Tensor;
  /** The network's outputs at the test points at initialisation, [M, O] (default zeros). */
  f0Test?: Tensor;
}

export interface LinearizedPrediction {
  /** f_t on the training points, [N, O]. */
  train: Tensor;
  /** f_t on the test points, [M, O] (when kTestTrain is given). */
  test?: Tensor;
}

/**
 * The outputs of the linearised network after training with MSE by gradient descent/flow.
 * @example const { train } = analysis.linearizedPrediction(k0, y, f0, { lr: 0.1, steps: 10 });
 */
export function linearizedPrediction(kTrainTrain: Tensor, yTrain: Tensor, f0Train: Tensor, opts: LinearizedOptions): LinearizedPrediction {
  const where = 'linearizedPrediction';
  checkOptions(where, opts, ['lr', 'time', 'steps', 'reduction', 'kTestTrain', 'f0Test']);
  if (opts === undefined) throw new ValueError(`${where}: options { lr, time | steps } are required`, 'INVALID_ARGUMENT');
  const lr = checkNumber(where, 'lr', opts.lr, 0);
  if ((opts.time === undefined) === (opts.steps === undefined)) throw new ValueError(`${where}: give exactly one of time (gradient flow) and steps (gradient descent)`, 'INVALID_ARGUMENT');
  const time = opts.time === undefined ? null : checkNumber(where, 'time', opts.time, 0);
  const steps = opts.steps === undefined ? null : opts.steps;
  if (steps !== null && !(Number.isInteger(steps) && steps >= 0)) throw new ValueError(`${where}: steps must be an integer >= 0, got ${describe(steps)}`, 'INVALID_ARGUMENT');
  const reduction = checkEnum(where, 'reduction', opts.reduction ?? 'mean', ['mean', 'sum'] as const);
  const K = flatKernel(where, 'kTrainTrain', kTrainTrain);
  if (K.n !== K.m) throw new ShapeError(`${where}: kTrainTrain must be square, got ${fmtShape(kTrainTrain.shape)}`);
  const { v: y, O } = targets(where, 'yTrain', yTrain, K.n, K.coupled ? K.O : null);
  const { v: f0 } = targets(where, 'f0Train', f0Train, K.n, O);
  const cols = K.coupled ? 1 : O;
  const c = reduction === 'mean' ? 2 / (K.n * O) : 2;
  const eta = lr * c;
  // phi(l) = (1 - decay(l)) / l, finite at l = 0.
  const phi = (l: number): number => {
    if (time !== null) return l === 0 ? eta * time : -Math.expm1(-eta * l * time) / l;
    const x = eta * l;
    if (l === 0) return eta * steps!;
    const decay = x < 1 ? -Math.expm1(steps! * Math.log1p(-x)) : 1 - (1 - x) ** steps!;
    return decay / l;
  };
  const resid = y.map((v, i) => v - f0[i]!);
  const train = spectralApply(K, resid, cols, (l) => l * phi(l), where).map((v, i) => v + f0[i]!);
  const out: LinearizedPrediction = { train: tensor(train, { dtype: 'float64', shape: [K.n, O] }) };
  if (opts.kTestTrain !== undefined) {
    const Kx = flatKernel(where, 'kTestTrain', opts.kTestTrain);
    if (Kx.m !== K.n || Kx.coupled !== K.coupled || Kx.O !== K.O) throw new ShapeError(`${where}: kTestTrain must be [M, ${K.n}${K.coupled ? `, ${K.O}, ${K.O}` : ''}], got ${fmtShape(opts.kTestTrain.shape)}`);
    const f0t = opts.f0Test === undefined ? new Float64Array(Kx.n * O) : targets(where, 'f0Test', opts.f0Test, Kx.n, O).v;
    const z = spectralApply(K, resid, cols, phi, where);
    const test = mulKernel(Kx, z, cols).map((v, i) => v + f0t[i]!);
    out.test = tensor(test, { dtype: 'float64', shape: [Kx.n, O] });
  } else if (opts.f0Test !== undefined) {
    throw new ValueError(`${where}: f0Test needs kTestTrain`, 'INVALID_ARGUMENT');
  }
  return out;
}

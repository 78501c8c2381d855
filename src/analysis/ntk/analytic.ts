/**
 * @file The analytic infinite-width kernels of ReLU and erf MLPs in the NTK parametrisation: the
 * NNGP kernel (Neal 1996; Lee et al. 2018, https://arxiv.org/abs/1711.00165) and the NTK (Jacot et
 * al. 2018, https://arxiv.org/abs/1806.07572), by the arc-cosine recursion (Cho & Saul 2009) for ReLU
 * and Williams' (1997) arcsine formula for erf, as neural-tangents' stax.Dense / Relu / Erf compute them.
 *
 * For the network [d, h x depth, out] (NTKMLP with the same weightStd / biasStd):
 *   Sigma^1(x, x') = sw^2 x.x' / d + sb^2,  Theta^1 = Sigma^1,
 *   Sigma^{l+1} = sw^2 E[phi(u) phi(v)] + sb^2,  Theta^{l+1} = Sigma^{l+1} + sw^2 E[phi'(u) phi'(v)] Theta^l,
 * with (u, v) ~ N(0, [[Sigma(x, x), Sigma(x, x')], [Sigma(x, x'), Sigma(x', x')]]), applied once per hidden
 * layer. Both kernels are per output (the full kernel is K (x) I_out); shapes X1 [N1, d], X2 [N2, d] -> [N1, N2].
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import type { Tensor } from '../../core/tensor.js';
import { checkInt, checkNumber } from '../../nn/check.js';
import { NTK_ACTIVATIONS, type NTKActivation } from './ntk-mlp.js';
import { f64, matrixArg } from './host.js';

export interface AnalyticKernelOptions {
  /** 'relu' (default) or 'erf'. */
  activation?: NTKActivation;
  /** Hidden layers (default 1). */
  depth?: number;
  /** sigma_w (default 1). */
  weightStd?: number;
  /** sigma_b (default 0). */
  biasStd?: number;
}

export interface AnalyticKernels {
  /** The NNGP kernel [N1, N2]: the covariance of the network's outputs at initialisation. */
  nngp: Tensor;
  /** The NTK [N1, N2]. */
  ntk: Tensor;
}

/** E[phi(u)phi(v)], E[phi'(u)phi'(v)] and the new variances, for one pair. */
function relu(q1: number, q2: number, s: number): [number, number] {
  const norm = Math.sqrt(q1 * q2);
  if (norm === 0) return [0, 0.5];
  const c = Math.max(-1, Math.min(1, s / norm));
  const th = Math.acos(c);
  return [(norm / (2 * Math.PI)) * (Math.sin(th) + (Math.PI - th) * c), (Math.PI - th) / (2 * Math.PI)];
}

function erfPair(q1: number, q2: number, s: number): [number, number] {
  const a = (1 + 2 * q1) * (1 + 2 * q2);
  const r = Math.max(-1, Math.min(1, (2 * s) / Math.sqrt(a)));
  return [(2 / Math.PI) * Math.asin(r), 4 / (Math.PI * Math.sqrt(Math.max(a - 4 * s * s, Number.MIN_VALUE)))];
}

/**
 * The infinite-width NNGP kernel and NTK of an MLP in the NTK parametrisation.
 * @example const { nngp, ntk } = analysis.analyticKernels(x, null, { activation: 'relu', depth: 2, weightStd: Math.SQRT2 });
 */
export function analyticKernels(x1: Tensor, x2?: Tensor | null, opts: AnalyticKernelOptions = {}): AnalyticKernels {
  const where = 'analyticKernels';
  checkOptions(where, opts, ['activation', 'depth', 'weightStd', 'biasStd']);
  const act = checkEnum(where, 'activation', opts.activation ?? 'relu', NTK_ACTIVATIONS);
  const depth = checkInt(where, 'depth', opts.depth ?? 1, 0);
  const sw2 = checkNumber(where, 'weightStd', opts.weightStd ?? 1, 0) ** 2;
  const sb2 = checkNumber(where, 'biasStd', opts.biasStd ?? 0, 0) ** 2;
  const a = matrixArg(where, 'X1', x1);
  const d = a.shape[1]!;
  const b = x2 === undefined || x2 === null ? a : matrixArg(where, 'X2', x2, d);
  const A = f64(a), B = b === a ? A : f64(b);
  const n1 = a.shape[0]!, n2 = b.shape[0]!;
  const dot = (u: Float64Array, i: number, v: Float64Array, j: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) s += u[i * d + k]! * v[j * d + k]!;
    return s;
  };
  let q1 = Float64Array.from({ length: n1 }, (_, i) => (sw2 * dot(A, i, A, i)) / d + sb2);
  let q2 = Float64Array.from({ length: n2 }, (_, j) => (sw2 * dot(B, j, B, j)) / d + sb2);
  const sig = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++) for (let j = 0; j < n2; j++) sig[i * n2 + j] = (sw2 * dot(A, i, B, j)) / d + sb2;
  const theta = sig.slice();
  const pair = act === 'relu' ? relu : erfPair;
  for (let l = 0; l < depth; l++) {
    for (let i = 0; i < n1; i++) {
      for (let j = 0; j < n2; j++) {
        const k = i * n2 + j;
        const [e, ed] = pair(q1[i]!, q2[j]!, sig[k]!);
        sig[k] = sw2 * e + sb2;
        theta[k] = sig[k]! + sw2 * ed * theta[k]!;
      }
    }
    const diag = (q: number): number => sw2 * pair(q, q, q)[0] + sb2;
    q1 = q1.map(diag);
    q2 = q2.map(diag);
  }
  return { nngp: tensor(sig, { dtype: 'float64', shape: [n1, n2] }), ntk: tensor(theta, { dtype: 'float64', shape: [n1, n2] }) };
}

/**
 * @file Composite forms of the fused primitives (`linear`, `logSoftmax`, `rbfBasis`), kept as their test oracles
 * (test/fused.test.ts compares values and gradients, including grad-of-grad). Not re-exported by
 * composite/index.ts: users get the fused primitives, which compute the same function.
 */
import { requireFloat } from '../../core/dtype.js';
import { normalizeAxes } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, eq, exp, log, mm, mul, neg, reshape, sub, sum, tanh, where } from '../primitives/index.js';
import type { LinearActivation } from '../primitives/linear.js';
import { gelu, relu } from './activations.js';
import { stableShift } from './stats.js';

/** log(softmax(x)) along `axis` from primitives: the shift, exp, sum and log as separate ops. */
export function logSoftmaxComposite(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x.dtype);
  const a = normalizeAxes('logSoftmax', axis, x.rank, x.shape);
  const z = sub(x, stableShift(x, a));
  const s = sum(exp(z), a, { keepDims: true });
  return sub(z, log(where(eq(s, 0), 1, s)));
}

/** act(x·Wᵀ + b) as mm, add and the activation composite (what nn.Linear did before `linear`). */
export function linearComposite(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: LinearActivation = 'none'): Tensor {
  const inF = weight.shape[1]!;
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? x : reshape(x, [lead.reduce((p, d) => p * d, 1), inF]);
  let z = mm(x2, weight, false, true);
  if (bias) z = add(z, bias);
  if (x.rank !== 2) z = reshape(z, [...lead, weight.shape[0]!]);
  switch (activation) {
    case 'none': return z;
    case 'relu': return relu(z);
    case 'tanh': return tanh(z);
    case 'gelu': return gelu(z);
  }
}

/** FastKAN's Gaussian bases exp(-((x[..., None] - c)/h)²) from primitives (what the rbf basis did before `rbfBasis`). */
export function rbfBasisComposite(x: Tensor, centers: Tensor, width: number): Tensor {
  const z = div(sub(reshape(x, [...x.shape, 1]), centers), width);
  return exp(neg(mul(z, z)));
}

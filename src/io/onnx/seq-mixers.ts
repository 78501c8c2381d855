/**
 * @file ONNX lowerings of the attention-like sequence layers of src/nn/linear-attention:
 * - Aaren: its RNN / prefix scan computes causal softmax attention with one learned query, so the
 *   graph is that attention in parallel form (scores masked causally, Softmax, MatMul).
 * - Hopfield: the association softmax(beta Q K^T) V (+ output Linear), or the bare update iterated
 *   `updateSteps` times; the graph has one input, so it is the self-association forward(state)
 *   (stored = state).
 * - HopfieldPooling: the learned queries retrieving from the input.
 * - DiagonalLinearRNN: its input-dependent transitions have no closed parallel form in standard
 *   operators, but its 'scan' mode is a Hillis-Steele prefix scan of log2(L) rounds of slices,
 *   products and sums, which the graph unrolls: it needs a static sequence length in `inputShape`.
 */
import type { Aaren } from '../../nn/linear-attention/aaren.js';
import type { DiagonalLinearRNN } from '../../nn/linear-attention/diagonal-rnn.js';
import type { Hopfield, HopfieldPooling } from '../../nn/linear-attention/hopfield.js';
import type { Linear } from '../../nn/linear.js';
import { type Dim, type OnnxGraph, type Value } from './graph.js';
import { OnnxExportError, binary, join, meanLast, registerOnnxLowering, sliceAxis, unary } from './lowerings.js';
import { linearOf } from './modules.js';
import { causalMask, checkSeqInput, matmul, matmulTransB, softmaxLast, transposeLast } from './seq-common.js';

const EPSILON = { float32: 2 ** -23, float64: 2 ** -52 } as const;

function aaren(g: OnnxGraph, m: Aaren, x: Value, path: string): Value {
  checkSeqInput(path || 'Aaren', x, m.dim);
  const [B, L] = x.shape;
  const k = linearOf(g, m.k, x, join(path, 'k'));
  const raw = matmul(g, k, g.constant(join(path, 'query'), m.query._peek(), [m.dim, 1]), [B!, L!, 1], join(path, 'qk'));
  const scores = binary(g, 'Div', raw, g.scalar(join(path, 'sqrt_dim'), Math.sqrt(m.dim)), join(path, 'scores'));
  // Row t attends to the scores of s <= t: [B, 1, L] broadcast against the [L, L] mask.
  const rows = g.op('Where', [causalMask(g, x, path), transposeLast(g, scores, join(path, 'scores_row')), g.scalar(join(path, 'neg_inf'), -Infinity)], [B!, L!, L!], {}, join(path, 'masked'));
  return matmul(g, softmaxLast(g, rows, join(path, 'weights')), linearOf(g, m.v, x, join(path, 'v')), [B!, L!, m.dim], join(path, 'out'));
}

/** softmax(beta xi keys^T) values. */
function update(g: OnnxGraph, xi: Value, keys: Value, values: Value, beta: number, hint: string): Value {
  const s = matmulTransB(g, xi, keys, [...values.shape.slice(0, -2), xi.shape[xi.shape.length - 2]!, keys.shape[keys.shape.length - 2]!], `${hint}.scores`);
  const p = softmaxLast(g, binary(g, 'Mul', s, g.scalar(`${hint}.beta`, beta), `${hint}.scaled`), `${hint}.p`);
  return matmul(g, p, values, [...p.shape.slice(0, -1), values.shape[values.shape.length - 1]!], hint);
}

function hopfield(g: OnnxGraph, m: Hopfield, x: Value, path: string): Value {
  checkSeqInput(path || 'Hopfield', x, m.dim);
  if (m.q && m.k && m.v && m.out) {
    const lin = (l: Linear, name: string): Value => linearOf(g, l, x, join(path, name));
    return linearOf(g, m.out, update(g, lin(m.q, 'q'), lin(m.k, 'k'), lin(m.v, 'v'), m.beta, join(path, 'update')), join(path, 'out'));
  }
  let xi = x;
  for (let i = 0; i < m.updateSteps; i++) xi = update(g, xi, x, x, m.beta, join(path, `update${i}`));
  return xi;
}

function hopfieldPooling(g: OnnxGraph, m: HopfieldPooling, x: Value, path: string): Value {
  checkSeqInput(path || 'HopfieldPooling', x, m.dim);
  const query = g.weight(join(path, 'query'), m.query);
  return update(g, query, linearOf(g, m.k, x, join(path, 'k')), linearOf(g, m.v, x, join(path, 'v')), m.beta, join(path, 'update'));
}

function diagonalRnn(g: OnnxGraph, m: DiagonalLinearRNN, x: Value, path: string): Value {
  checkSeqInput(path || 'DiagonalLinearRNN', x, m.inputSize);
  const L = x.shape[1];
  if (L === null || L === undefined) {
    throw new OnnxExportError(`exportOnnx: ${path || '(root)'} DiagonalLinearRNN unrolls its prefix scan over the sequence, so inputShape needs a static sequence length (dim 1), got a dynamic one`, path, 'DiagonalLinearRNN');
  }
  const s = unary(g, 'Sigmoid', linearOf(g, m.a, x, join(path, 'a')), {}, join(path, 'sigmoid'));
  let a = m.negativeEigenvalues ? binary(g, 'Sub', binary(g, 'Mul', s, g.scalar(join(path, 'two'), 2), path), g.scalar(join(path, 'one'), 1), join(path, 'transitions')) : s;
  let b = linearOf(g, m.b, x, join(path, 'b'));
  const H = m.hiddenSize;
  const cat = (head: Value, tail: Value, hint: string): Value => g.op('Concat', [head, tail], [x.shape[0]!, L, H] as Dim[], { axis: { int: 1 } }, hint);
  for (let d = 1; d < L; d *= 2) {
    // Position t absorbs the reduction ending at t - d: (a_e, b_e) then (a_t, b_t), as the module's scan.
    const r = join(path, `scan${d}`);
    const ae = sliceAxis(g, a, 1, 0, L - d, `${r}.ae`), be = sliceAxis(g, b, 1, 0, L - d, `${r}.be`);
    const at = sliceAxis(g, a, 1, d, L, `${r}.at`), bt = sliceAxis(g, b, 1, d, L, `${r}.bt`);
    b = cat(sliceAxis(g, b, 1, 0, d, `${r}.bh`), binary(g, 'Add', binary(g, 'Mul', at, be, r), bt, r), `${r}.b`);
    if (2 * d < L) a = cat(sliceAxis(g, a, 1, 0, d, `${r}.ah`), binary(g, 'Mul', ae, at, r), `${r}.a`); // the last round's a is unused
  }
  if (!m.norm) return b;
  const ms = meanLast(g, binary(g, 'Mul', b, b, path), 1, join(path, 'ms'));
  const rstd = unary(g, 'Reciprocal', unary(g, 'Sqrt', binary(g, 'Add', ms, g.scalar(join(path, 'eps'), EPSILON[g.float]), path), {}, path), {}, path);
  return binary(g, 'Mul', b, rstd, join(path, 'out'));
}

registerOnnxLowering('Aaren', (g, m, x, path) => aaren(g, m as Aaren, x, path));
registerOnnxLowering('Hopfield', (g, m, x, path) => hopfield(g, m as Hopfield, x, path));
registerOnnxLowering('HopfieldPooling', (g, m, x, path) => hopfieldPooling(g, m as HopfieldPooling, x, path));
registerOnnxLowering('DiagonalLinearRNN', (g, m, x, path) => diagonalRnn(g, m as DiagonalLinearRNN, x, path));

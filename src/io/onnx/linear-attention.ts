/**
 * @file ONNX lowerings of the causal linear-attention mixers (src/nn/linear-attention) in their
 * parallel (masked) form over the whole sequence: the same causal map that the modules' 'recurrent'
 * and 'chunk' modes compute, so the graph equals the forward up to rounding.
 *
 * - LinearAttention: (phi(Q) phi(K)^T masked causally) V over its row sums + eps.
 * - AFTSimple: running sums of exp(k - max k) v and exp(k - max k) as CumSum.
 * - AFTFull: the [L, L] block of the position biases, row-max shifted and masked, in two MatMuls.
 * - GatedLinearAttention: the pairwise decays exp(B_t - B_s) of the cumulative log-gates B (CumSum)
 *   over the whole sequence (the module's chunk form with one chunk), then the per-head norm and
 *   the silu output gate. O(L^2 dk) memory per head, as a single chunk of the module.
 * - DeltaNet: the module's WY / UT chunk form with one chunk, T = (I + A)^-1 for the nilpotent A by
 *   the module's own product prod_j (I + (-A)^(2^j)) (ceil(log2 L) MatMuls), so it needs a static
 *   sequence length in `inputShape`.
 * The others take a dynamic sequence length (the causal mask is then built from the input's shape).
 */
import { activationFromName } from '../../nn/activation.js';
import type { AFTFull, AFTSimple } from '../../nn/linear-attention/aft.js';
import type { DeltaNet } from '../../nn/linear-attention/deltanet.js';
import type { GatedLinearAttention } from '../../nn/linear-attention/gla.js';
import type { LinearAttention } from '../../nn/linear-attention/linear-attention.js';
import { ShapeError } from '../../core/errors.js';
import { type Dim, type OnnxGraph, type Value } from './graph.js';
import { OnnxExportError, activationLowering, binary, elu, join, meanLast, reduceSum, registerOnnxLowering, softplus, unary } from './lowerings.js';
import { linearOf } from './modules.js';
import { causalMask, checkSeqInput, cumSum, matmul, matmulTransB, mergeHeads, reduceMax, seqLenVector, splitHeads } from './seq-common.js';

function phi(g: OnnxGraph, map: string, x: Value, hint: string): Value {
  if (map === 'relu') return unary(g, 'Relu', x, {}, hint);
  if (map === 'softplus') return softplus(g, x, hint, 1, 20);
  return binary(g, 'Add', elu(g, x, 1, hint), g.scalar(`${hint}.one`, 1), hint);
}

/** Where(mask, x, fill) with a float scalar fill. */
function masked(g: OnnxGraph, mask: Value, x: Value, fill: number, hint: string): Value {
  return g.op('Where', [mask, x, g.scalar(`${hint}.fill`, fill)], x.shape, {}, hint);
}

function linearAttention(g: OnnxGraph, m: LinearAttention, x: Value, path: string): Value {
  checkSeqInput(path || 'LinearAttention', x, m.dim);
  const h = m.numHeads;
  const heads = (lin: typeof m.q, name: string): Value => splitHeads(g, linearOf(g, lin, x, join(path, name)), h, join(path, `${name}_heads`));
  const q = phi(g, m.featureMap, heads(m.q, 'q'), join(path, 'phi_q'));
  const k = phi(g, m.featureMap, heads(m.k, 'k'), join(path, 'phi_k'));
  const v = heads(m.v, 'v');
  const [B, , L, d] = q.shape;
  const scores = matmulTransB(g, q, k, [B!, h, L!, L!], join(path, 'scores'));
  const a = masked(g, causalMask(g, x, path), scores, 0, join(path, 'causal_scores'));
  const num = matmul(g, a, v, [B!, h, L!, d!], join(path, 'num'));
  const den = binary(g, 'Add', reduceSum(g, a, [-1], true, join(path, 'den')), g.scalar(join(path, 'eps'), m.eps), join(path, 'den_eps'));
  return linearOf(g, m.out, mergeHeads(g, binary(g, 'Div', num, den, join(path, 'o')), join(path, 'merged')), join(path, 'out'));
}

/** exp(k - max_seq k) and its product with v, as the modules' stabilised weights. */
function aftWeights(g: OnnxGraph, m: AFTSimple | AFTFull, x: Value, path: string): { ek: Value; ekv: Value } {
  const k = linearOf(g, m.k, x, join(path, 'k'));
  const ek = unary(g, 'Exp', binary(g, 'Sub', k, reduceMax(g, k, 1, join(path, 'kmax')), path), {}, join(path, 'ek'));
  return { ek, ekv: binary(g, 'Mul', ek, linearOf(g, m.v, x, join(path, 'v')), join(path, 'ekv')) };
}

/** out(sigmoid(q) * y): the gate and output projection of both AFT variants. */
function aftOut(g: OnnxGraph, m: AFTSimple | AFTFull, x: Value, y: Value, path: string): Value {
  const gate = unary(g, 'Sigmoid', linearOf(g, m.q, x, join(path, 'q')), {}, join(path, 'gate'));
  return linearOf(g, m.out, binary(g, 'Mul', gate, y, join(path, 'gated')), join(path, 'out'));
}

function aftSimple(g: OnnxGraph, m: AFTSimple, x: Value, path: string): Value {
  checkSeqInput(path || 'AFTSimple', x, m.dim);
  const { ek, ekv } = aftWeights(g, m, x, path);
  const y = binary(g, 'Div', cumSum(g, ekv, 1, join(path, 'num')), cumSum(g, ek, 1, join(path, 'den')), join(path, 'y'));
  return aftOut(g, m, x, y, path);
}

function aftFull(g: OnnxGraph, m: AFTFull, x: Value, path: string): Value {
  const where = path || 'AFTFull';
  checkSeqInput(where, x, m.dim);
  const L = x.shape[1]!;
  if (L !== null && L > m.maxSeqLen) throw new ShapeError(`exportOnnx: ${where} AFTFull(${m.dim}, ${m.maxSeqLen}) takes sequences of at most ${m.maxSeqLen} positions, the graph has ${L}`);
  const ends = L !== null ? g.ints(join(path, 'ends'), [L, L]) : (() => {
    const len = seqLenVector(g, x, join(path, 'len'));
    return g.op('Concat', [len, len], [2], { axis: { int: 0 } }, join(path, 'ends'));
  })();
  const w = g.op('Slice', [g.weight(join(path, 'posBias'), m.posBias), g.ints(join(path, 'starts'), [0, 0]), ends, g.ints(join(path, 'axes'), [0, 1])], [L, L], {}, join(path, 'w'));
  const mask = causalMask(g, x, path);
  // Row max over the causal entries only, as the module: the shift cancels row by row.
  const wm = masked(g, mask, w, -Infinity, join(path, 'wm'));
  const ew = masked(g, mask, unary(g, 'Exp', binary(g, 'Sub', wm, reduceMax(g, wm, 1, join(path, 'wmax')), path), {}, path), 0, join(path, 'ew'));
  const { ek, ekv } = aftWeights(g, m, x, path);
  const y = binary(g, 'Div', matmul(g, ew, ekv, ekv.shape, join(path, 'num')), matmul(g, ew, ek, ek.shape, join(path, 'den')), join(path, 'y'));
  return aftOut(g, m, x, y, path);
}

function unsqueeze(g: OnnxGraph, x: Value, axis: number, hint: string): Value {
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  return g.op('Unsqueeze', [x, g.ints(`${hint}.axes`, [axis])], shape, {}, hint);
}

/** (x - mean) / sqrt(var + 1e-5) over the last axis: layerNorm(o, [headDim]) without affine. */
function plainLayerNorm(g: OnnxGraph, x: Value, path: string): Value {
  const centred = binary(g, 'Sub', x, meanLast(g, x, 1, join(path, 'mean')), path);
  const variance = meanLast(g, binary(g, 'Mul', centred, centred, path), 1, join(path, 'var'));
  return binary(g, 'Div', centred, unary(g, 'Sqrt', binary(g, 'Add', variance, g.scalar(join(path, 'eps'), 1e-5), path), {}, path), join(path, 'out'));
}

function gla(g: OnnxGraph, m: GatedLinearAttention, x: Value, path: string): Value {
  checkSeqInput(path || 'GatedLinearAttention', x, m.dim);
  const h = m.numHeads;
  const heads = (v: Value, name: string): Value => splitHeads(g, v, h, join(path, `${name}_heads`));
  // log sigmoid(z) / tau = -softplus(-z) / tau, as the module.
  const z = linearOf(g, m.gateUp, linearOf(g, m.gateDown, x, join(path, 'gateDown')), join(path, 'gateUp'));
  const logA = binary(g, 'Div', unary(g, 'Neg', softplus(g, unary(g, 'Neg', z, {}, path), join(path, 'sp'), 1, 20), {}, path), g.scalar(join(path, 'tau'), m.gateTemperature), join(path, 'logA'));
  const q = heads(linearOf(g, m.q, x, join(path, 'q')), 'q');
  const k = heads(linearOf(g, m.k, x, join(path, 'k')), 'k');
  const v = heads(linearOf(g, m.v, x, join(path, 'v')), 'v');
  const cum = cumSum(g, heads(logA, 'logA'), 2, join(path, 'cum'));
  const [B, , L, d] = q.shape as [Dim, number, Dim, number];
  const pair: Dim[] = [B, h, L, L, d];
  // Pairwise decays exp(B_t - B_s) for s <= t ([B, h, L, L, dk]); masked entries are exp(-inf) = 0.
  const diff = binary(g, 'Sub', unsqueeze(g, cum, 3, join(path, 'cum_t')), unsqueeze(g, cum, 2, join(path, 'cum_s')), join(path, 'diff'));
  const mask = unsqueeze(g, causalMask(g, x, path), 2, join(path, 'mask5'));
  const decay = unary(g, 'Exp', g.op('Where', [mask, diff, g.scalar(join(path, 'neg_inf'), -Infinity)], pair, {}, join(path, 'diff_masked')), {}, join(path, 'decay'));
  const qk = binary(g, 'Mul', unsqueeze(g, q, 3, join(path, 'q_t')), unsqueeze(g, k, 2, join(path, 'k_s')), join(path, 'qk'));
  const a = reduceSum(g, binary(g, 'Mul', qk, decay, join(path, 'qk_decay')), [-1], false, join(path, 'a'));
  const o = matmul(g, a, v, [B, h, L, v.shape[3]!], join(path, 'o'));
  const normed = mergeHeads(g, plainLayerNorm(g, o, join(path, 'norm')), join(path, 'merged'));
  const gate = activationLowering(activationFromName('silu'), join(path, 'silu'))(g, linearOf(g, m.g, x, join(path, 'g')), join(path, 'silu'));
  return linearOf(g, m.out, binary(g, 'Mul', normed, gate, join(path, 'gated')), join(path, 'out'));
}

/** x / sqrt(sum x^2 + 1e-12) over the last axis, as the module's l2norm. */
function l2norm(g: OnnxGraph, x: Value, hint: string): Value {
  const ss = reduceSum(g, binary(g, 'Mul', x, x, hint), [-1], true, `${hint}.ss`);
  return binary(g, 'Div', x, unary(g, 'Sqrt', binary(g, 'Add', ss, g.scalar(`${hint}.eps`, 1e-12), hint), {}, hint), hint);
}

function deltaNet(g: OnnxGraph, m: DeltaNet, x: Value, path: string): Value {
  checkSeqInput(path || 'DeltaNet', x, m.dim);
  const L = x.shape[1];
  if (L === null || L === undefined) {
    throw new OnnxExportError(`exportOnnx: ${path || '(root)'} DeltaNet inverts a [seq, seq] unit-triangular matrix in ceil(log2 seq) products, so inputShape needs a static sequence length (dim 1), got a dynamic one`, path, 'DeltaNet');
  }
  const h = m.numHeads;
  const silu = activationLowering(activationFromName('silu'), join(path, 'silu'));
  const qk = (lin: typeof m.q, name: string): Value => l2norm(g, silu(g, splitHeads(g, linearOf(g, lin, x, join(path, name)), h, join(path, `${name}_heads`)), join(path, `${name}_silu`)), join(path, `${name}_norm`));
  const q = qk(m.q, 'q');
  const k = qk(m.k, 'k');
  const v = splitHeads(g, linearOf(g, m.v, x, join(path, 'v')), h, join(path, 'v_heads'));
  const B = x.shape[0]!;
  const bt = g.op('Transpose', [unary(g, 'Sigmoid', linearOf(g, m.beta, x, join(path, 'beta')), {}, join(path, 'beta_sig'))], [B, h, L], { perm: [0, 2, 1] }, join(path, 'beta_t'));
  const beta = g.op('Unsqueeze', [bt, g.ints(join(path, 'beta_axes'), [3])], [B, h, L, 1], {}, join(path, 'beta_heads'));
  const sq: Dim[] = [B, h, L, L];
  const tri = (strict: boolean, name: string): Value => {
    const a = new Float64Array(L * L);
    for (let i = 0; i < L; i++) for (let j = 0; j < (strict ? i : i + 1); j++) a[i * L + j] = 1;
    return g.constant(join(path, name), a, [L, L]);
  };
  const bk = binary(g, 'Mul', beta, k, join(path, 'bk'));
  const a = binary(g, 'Mul', matmulTransB(g, bk, k, sq, join(path, 'bkk')), tri(true, 'strict_tril'), join(path, 'A'));
  // (I + A)^-1 = prod_j (I + (-A)^(2^j)), exact since A^L = 0: the module's unitLowerInverse.
  const eye = new Float64Array(L * L);
  for (let i = 0; i < L; i++) eye[i * L + i] = 1;
  const id = g.constant(join(path, 'eye'), eye, [L, L]);
  let p = unary(g, 'Neg', a, {}, join(path, 'negA'));
  let t = binary(g, 'Add', id, p, join(path, 'T'));
  for (let span = 2; span < L; span *= 2) {
    p = matmul(g, p, p, sq, join(path, `pow${span}`));
    t = matmul(g, t, binary(g, 'Add', id, p, join(path, `factor${span}`)), sq, join(path, `T${span}`));
  }
  const u = matmul(g, t, binary(g, 'Mul', beta, v, join(path, 'bv')), v.shape, join(path, 'U'));
  const scores = binary(g, 'Mul', matmulTransB(g, q, k, sq, join(path, 'qk')), tri(false, 'tril'), join(path, 'causal_qk'));
  const o = matmul(g, scores, u, v.shape, join(path, 'o'));
  return linearOf(g, m.out, mergeHeads(g, o, join(path, 'merged')), join(path, 'out'));
}

registerOnnxLowering('LinearAttention', (g, m, x, path) => linearAttention(g, m as LinearAttention, x, path));
registerOnnxLowering('AFTSimple', (g, m, x, path) => aftSimple(g, m as AFTSimple, x, path));
registerOnnxLowering('AFTFull', (g, m, x, path) => aftFull(g, m as AFTFull, x, path));
registerOnnxLowering('GatedLinearAttention', (g, m, x, path) => gla(g, m as GatedLinearAttention, x, path));
registerOnnxLowering('DeltaNet', (g, m, x, path) => deltaNet(g, m as DeltaNet, x, path));

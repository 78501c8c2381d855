/**
 * @file ONNX lowerings of the MLP family (src/nn/mlp): MLPBlock and Affine, PatchEmbed and the
 * MetaFormer block with its four token mixers, the MetaFormer models (MLPMixer, ResMLP, PoolFormer),
 * HourglassMLP, the GLU family, QuadraticLinear, GatedPerceptron, CRMSNorm and the pre-norm
 * residual MLP. Each follows its module's forward operation by operation.
 */
import { activationFromName } from '../../nn/activation.js';
import type { Module } from '../../nn/module.js';
import type { Affine, MLPBlock } from '../../nn/mlp/block.js';
import type { CRMSNorm } from '../../nn/mlp/crmsnorm.js';
import type { GatedPerceptron } from '../../nn/mlp/gated.js';
import type { GLU, GLUFeedForward, GatedLinear } from '../../nn/mlp/glu.js';
import type { HourglassMLP } from '../../nn/mlp/hourglass.js';
import type { MetaFormerBlock, PatchEmbed } from '../../nn/mlp/metaformer.js';
import type { MetaFormer } from '../../nn/mlp/models.js';
import type { PreNormBlock, PreNormResidualMLP } from '../../nn/mlp/prenorm.js';
import type { QuadraticLinear } from '../../nn/mlp/quadratic.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { type OnnxGraph, type Value, checkLastDim } from './graph.js';
import { activationLowering, binary, join, linear, lower, reduceMean, reduceSum, registerOnnxLowering, sliceAxis, unary } from './lowerings.js';
import { linearOf } from './modules.js';

const EPSILON = { float32: 2 ** -23, float64: 2 ** -52 } as const;

function byName(g: OnnxGraph, name: string, x: Value, hint: string): Value {
  return activationLowering(activationFromName(name), hint)(g, x, hint);
}

function affine(g: OnnxGraph, m: Affine, x: Value, path: string): Value {
  checkLastDim(path, x, m.dim);
  return binary(g, 'Add', binary(g, 'Mul', x, g.weight(join(path, 'alpha'), m.alpha), path), g.weight(join(path, 'beta'), m.beta), join(path, 'out'));
}

/** gamma * fc2(act(fc1(norm(x)))): the residual branch of an MLPBlock. */
function mlpBranch(g: OnnxGraph, m: MLPBlock, x: Value, path: string): Value {
  const h = m.norm ? lower(g, m.norm, x, join(path, 'norm')) : x;
  const a = activationLowering(m.act, join(path, 'act'))(g, linearOf(g, m.fc1, h, join(path, 'fc1')), join(path, 'act'));
  const z = linearOf(g, m.fc2, a, join(path, 'fc2'));
  return m.gamma ? binary(g, 'Mul', z, g.weight(join(path, 'gamma'), m.gamma), path) : z;
}

function mlpBlock(g: OnnxGraph, m: MLPBlock, x: Value, path: string): Value {
  checkLastDim(path, x, m.dim);
  return binary(g, 'Add', x, mlpBranch(g, m, x, path), join(path, 'out'));
}

function reshape(g: OnnxGraph, x: Value, target: number[], shape: Value['shape'], hint: string): Value {
  return g.op('Reshape', [x, g.ints(`${hint}.shape`, target)], shape, {}, hint);
}

function transpose(g: OnnxGraph, x: Value, perm: number[], hint: string): Value {
  return g.op('Transpose', [x], perm.map((p) => x.shape[p]!), { perm }, hint);
}

function patchEmbed(g: OnnxGraph, m: PatchEmbed, x: Value, path: string): Value {
  const [h, w] = m.imageSize;
  const [ph, pw] = m.patchSize;
  const c = m.inChannels;
  const s = x.shape;
  const n = s[0] ?? null;
  const fits = (s.length === 4 && s[1] === c && s[2] === h && s[3] === w) || (s.length === 3 && c === 1 && s[1] === h && s[2] === w) || (s.length === 2 && s[1] === c * h * w);
  if (!fits) throw new ValueError(`exportOnnx: ${path} PatchEmbed needs an input [N,${c},${h},${w}]${c === 1 ? `, [N,${h},${w}]` : ''} or [N,${c * h * w}], the graph has [${s.map((d) => d ?? -1).join(', ')}]`);
  const [gh, gw] = [h / ph, w / pw];
  const six = reshape(g, x, [0, c, gh, ph, gw, pw], [n, c, gh, ph, gw, pw], join(path, 'grid'));
  const moved = transpose(g, six, [0, 2, 4, 1, 3, 5], join(path, 'patches'));
  const patches = reshape(g, moved, [0, gh * gw, c * ph * pw], [n, gh * gw, c * ph * pw], join(path, 'flat'));
  return linearOf(g, m.proj, patches, join(path, 'proj'));
}

function tokenMix(g: OnnxGraph, m: MetaFormerBlock, h: Value, path: string): Value {
  if (m.tokenMixer === 'identity') return h;
  const n = h.shape[0] ?? null;
  if (m.tokenMixer === 'pooling') {
    const [gh, gw] = m.gridSize!;
    const p = m.poolSize!;
    const q = (p - 1) / 2;
    const img = transpose(g, reshape(g, h, [0, gh, gw, m.dim], [n, gh, gw, m.dim], join(path, 'grid')), [0, 3, 1, 2], join(path, 'img'));
    const pooled = g.op('AveragePool', [img], img.shape, { kernel_shape: [p, p], strides: [1, 1], pads: [q, q, q, q], count_include_pad: { int: 0 } }, join(path, 'pool'));
    const diff = binary(g, 'Sub', pooled, img, path);
    return reshape(g, transpose(g, diff, [0, 2, 3, 1], join(path, 'back')), [0, gh * gw, m.dim], [n, gh * gw, m.dim], join(path, 'tokens'));
  }
  const ht = transpose(g, h, [0, 2, 1], join(path, 'ht'));
  const mixed = m.tokenMixer === 'mlp'
    ? linearOf(g, m.tokenFc2!, activationLowering(m.tokenAct!, join(path, 'tokenAct'))(g, linearOf(g, m.tokenFc1!, ht, join(path, 'tokenFc1')), join(path, 'tokenAct')), join(path, 'tokenFc2'))
    : linearOf(g, m.tokenFc!, ht, join(path, 'tokenFc'));
  return transpose(g, mixed, [0, 2, 1], join(path, 'mixed'));
}

function metaFormerBlock(g: OnnxGraph, m: MetaFormerBlock, x: Value, path: string): Value {
  const s = x.shape;
  if (s.length !== 3 || (s[1] !== null && s[1] !== m.numTokens) || (s[2] !== null && s[2] !== m.dim)) {
    throw new ValueError(`exportOnnx: ${path} MetaFormerBlock needs an input [N,${m.numTokens},${m.dim}], the graph has [${s.map((d) => d ?? -1).join(', ')}]`);
  }
  const h = m.norm1 ? lower(g, m.norm1, x, join(path, 'norm1')) : x;
  let mix = tokenMix(g, m, h, path);
  if (m.gamma1) mix = binary(g, 'Mul', mix, g.weight(join(path, 'gamma1'), m.gamma1), path);
  return mlpBlock(g, m.mlp, binary(g, 'Add', x, mix, path), join(path, 'mlp'));
}

function metaFormer(g: OnnxGraph, m: MetaFormer, x: Value, path: string): Value {
  let h = patchEmbed(g, m.patchEmbed, x, join(path, 'patchEmbed'));
  [...m.blocks].forEach((b, i) => { h = metaFormerBlock(g, b as MetaFormerBlock, h, join(path, `blocks.${i}`)); });
  if (m.norm) h = lower(g, m.norm, h, join(path, 'norm'));
  return linearOf(g, m.head, reduceMean(g, h, [1], false, join(path, 'pool')), join(path, 'head'));
}

function hourglass(g: OnnxGraph, m: HourglassMLP, x: Value, path: string): Value {
  let z = linearOf(g, m.lift, x, join(path, 'lift'));
  [...m.blocks].forEach((b, i) => { z = mlpBlock(g, b as MLPBlock, z, join(path, `blocks.${i}`)); });
  return linearOf(g, m.head, z, join(path, 'head'));
}

function glu(g: OnnxGraph, m: GLU, x: Value, path: string): Value {
  const r = x.shape.length;
  const d = m.dim < 0 ? m.dim + r : m.dim;
  const n = x.shape[d];
  if (!(d >= 0 && d < r) || n === null || n === undefined || n % 2 !== 0) {
    throw new ValueError(`exportOnnx: ${path} GLU(dim=${m.dim}) needs a static even size along dim ${m.dim}, the graph has [${x.shape.map((v) => v ?? -1).join(', ')}]`);
  }
  const a = sliceAxis(g, x, d, 0, n / 2, join(path, 'a'));
  const b = sliceAxis(g, x, d, n / 2, n, join(path, 'b'));
  return binary(g, 'Mul', a, unary(g, 'Sigmoid', b, {}, path), join(path, 'out'));
}

function gatedLinear(g: OnnxGraph, m: GatedLinear, x: Value, path: string): Value {
  const gate = byName(g, m.gate, linearOf(g, m.w, x, join(path, 'w')), join(path, 'gate'));
  return binary(g, 'Mul', gate, linearOf(g, m.v, x, join(path, 'v')), join(path, 'out'));
}

/** x W^T + b for a raw (weight, bias) pair of Parameters. */
function affineMap(g: OnnxGraph, x: Value, w: Tensor, b: Tensor | null, path: string): Value {
  const [out, inF] = w.shape as [number, number];
  return linear(g, x, { values: w._peek(), out, in: inF }, b ? b._peek() : null, path);
}

function quadratic(g: OnnxGraph, m: QuadraticLinear, x: Value, path: string): Value {
  checkLastDim(path, x, m.inFeatures);
  const r = affineMap(g, x, m.weightR, m.biasR, join(path, 'r'));
  const gg = affineMap(g, x, m.weightG, m.biasG, join(path, 'g'));
  const sq = affineMap(g, binary(g, 'Mul', x, x, path), m.weightB, m.biasB, join(path, 'b'));
  return binary(g, 'Add', binary(g, 'Mul', r, gg, path), sq, join(path, 'out'));
}

function gatedPerceptron(g: OnnxGraph, m: GatedPerceptron, x: Value, path: string): Value {
  checkLastDim(path, x, m.inFeatures);
  const cols = m.products.map((idx, p) => idx.map((k) => sliceAxis(g, x, -1, k, k + 1, join(path, `p${p}_${k}`))).reduce((a, b) => binary(g, 'Mul', a, b, path)));
  const gates = cols.length === 1 ? cols[0]! : g.op('Concat', cols, [...x.shape.slice(0, -1), cols.length], { axis: { int: -1 } }, join(path, 'gateInputs'));
  return binary(g, 'Add', affineMap(g, x, m.weight, m.bias, join(path, 'linear')), affineMap(g, gates, m.gateWeight, null, join(path, 'gate')), join(path, 'out'));
}

function crmsNorm(g: OnnxGraph, m: CRMSNorm, x: Value, path: string): Value {
  const n = m.normalizedShape[0]!;
  checkLastDim(path, x, n);
  const eps = m.eps ?? EPSILON[g.float];
  const s = reduceSum(g, x, [-1], true, join(path, 'sum'));
  const sq = reduceSum(g, binary(g, 'Mul', x, x, path), [-1], true, join(path, 'sumsq'));
  const ms = binary(g, 'Div', binary(g, 'Add', sq, binary(g, 'Mul', s, s, path), path), g.scalar(join(path, 'n1'), n + 1), path);
  const y = binary(g, 'Div', x, unary(g, 'Sqrt', binary(g, 'Add', ms, g.scalar(join(path, 'eps'), eps), path), {}, path), path);
  return m.weight ? binary(g, 'Mul', y, g.weight(join(path, 'weight'), m.weight), join(path, 'out')) : y;
}

function preNormBlock(g: OnnxGraph, m: PreNormBlock, h: Value, path: string): Value {
  const z = lower(g, m.norm, h, join(path, 'norm'));
  const a = lower(g, m.act, linearOf(g, m.fc1, z, join(path, 'fc1')), join(path, 'act'));
  return binary(g, 'Add', h, linearOf(g, m.fc2, a, join(path, 'fc2')), join(path, 'out'));
}

function preNormMlp(g: OnnxGraph, m: PreNormResidualMLP, x: Value, path: string): Value {
  let h = linearOf(g, m.embed, x, join(path, 'embed'));
  [...m.blocks].forEach((b, i) => { h = preNormBlock(g, b as PreNormBlock, h, join(path, `blocks.${i}`)); });
  return linearOf(g, m.head, lower(g, m.norm, h, join(path, 'norm')), join(path, 'head'));
}

const as = <T>(fn: (g: OnnxGraph, m: T, x: Value, path: string) => Value) => (g: OnnxGraph, m: Module, x: Value, path: string): Value => fn(g, m as T, x, path);

registerOnnxLowering('Affine', as(affine));
registerOnnxLowering('MLPBlock', as(mlpBlock));
registerOnnxLowering('PatchEmbed', as(patchEmbed));
registerOnnxLowering('MetaFormerBlock', as(metaFormerBlock));
for (const type of ['MetaFormer', 'MLPMixer', 'ResMLP', 'PoolFormer']) registerOnnxLowering(type, as(metaFormer));
registerOnnxLowering('HourglassMLP', as(hourglass));
registerOnnxLowering('GLU', as(glu));
for (const type of ['GatedLinear', 'GeGLU', 'SwiGLU', 'ReGLU', 'BilinearGLU']) registerOnnxLowering(type, as(gatedLinear));
registerOnnxLowering('GLUFeedForward', as((g, m: GLUFeedForward, x, path) => linearOf(g, m.out, gatedLinear(g, m.proj, x, join(path, 'proj')), join(path, 'out'))));
registerOnnxLowering('QuadraticLinear', as(quadratic));
registerOnnxLowering('GatedPerceptron', as(gatedPerceptron));
registerOnnxLowering('CRMSNorm', as(crmsNorm));
registerOnnxLowering('PreNormBlock', as(preNormBlock));
registerOnnxLowering('PreNormResidualMLP', as(preNormMlp));

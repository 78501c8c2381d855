/**
 * @file ONNX lowerings of the layers with state and of the containers: Linear, PReLU, the norms,
 * Flatten, Sequential, MLP, SIREN and FourierFeatures (KAN layers: kan.ts). Each reads the module's
 * own fields and state, so the exported graph computes what the module's forward computes.
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { Sequential } from '../../nn/container.js';
import { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { MLP } from '../../nn/mlp.js';
import { BatchNorm1d, LayerNorm, RMSNorm } from '../../nn/norm.js';
import { SIREN } from '../../nn/activations/siren.js';
import { FourierFeatures } from '../../nn/encoding/fourier.js';
import { type Dim, type OnnxGraph, type Value, checkLastDim } from './graph.js';
import { SPDER_EPS } from '../../ops/composite/periodic.js';
import { OnnxExportError, activationLowering, binary, cos, join, linear, lower, meanLast, registerOnnxLowering, spder, unary } from './lowerings.js';

const EPSILON = { float32: 2 ** -23, float64: 2 ** -52 } as const;

/** A Linear module's weight/bias as `linear()` wants them. */
export function linearOf(g: OnnxGraph, m: Linear, x: Value, path: string): Value {
  return linear(g, x, { values: m.weight._peek(), out: m.outFeatures, in: m.inFeatures }, m.bias ? m.bias._peek() : null, path);
}

function ones(n: number): Float64Array {
  return new Float64Array(n).fill(1);
}

function layerNorm(g: OnnxGraph, m: LayerNorm, x: Value, path: string): Value {
  const shape = m.normalizedShape;
  const k = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  const trailing = x.shape.slice(-k);
  if (x.shape.length < k || trailing.some((d, i) => d !== null && d !== shape[i])) {
    throw new ValueError(`exportOnnx: ${path} LayerNorm(${shape.join(', ')}) needs an input [..., ${shape.join(', ')}], the graph has [${x.shape.map((d) => d ?? -1).join(', ')}]`);
  }
  const w = m.weight ? g.weight(join(path, 'weight'), m.weight) : g.constant(join(path, 'weight'), ones(size), shape);
  const b = m.bias ? g.weight(join(path, 'bias'), m.bias) : null;
  if (g.opset >= 17) {
    return g.op('LayerNormalization', b ? [x, w, b] : [x, w], x.shape, { axis: { int: -k }, epsilon: m.eps }, join(path, 'out'));
  }
  const centred = binary(g, 'Sub', x, meanLast(g, x, k, join(path, 'mean')), path);
  const variance = meanLast(g, binary(g, 'Mul', centred, centred, path), k, join(path, 'var'));
  const rstd = unary(g, 'Reciprocal', unary(g, 'Sqrt', binary(g, 'Add', variance, g.scalar(join(path, 'eps'), m.eps), path)), {}, path);
  const y = binary(g, 'Mul', binary(g, 'Mul', centred, rstd, path), w, path);
  return b ? binary(g, 'Add', y, b, join(path, 'out')) : y;
}

function rmsNorm(g: OnnxGraph, m: RMSNorm, x: Value, path: string): Value {
  const k = m.normalizedShape.length;
  const eps = m.eps ?? EPSILON[g.float];
  const ms = meanLast(g, binary(g, 'Mul', x, x, path), k, join(path, 'ms'));
  const rstd = unary(g, 'Reciprocal', unary(g, 'Sqrt', binary(g, 'Add', ms, g.scalar(join(path, 'eps'), eps), path)), {}, path);
  const y = binary(g, 'Mul', x, rstd, path);
  return m.weight ? binary(g, 'Mul', y, g.weight(join(path, 'weight'), m.weight), join(path, 'out')) : y;
}

function batchNorm(g: OnnxGraph, m: BatchNorm1d, x: Value, path: string): Value {
  const rm = m.getBuffer('running_mean');
  const rv = m.getBuffer('running_var');
  if (!rm || !rv) {
    throw new OnnxExportError(`exportOnnx: ${path} BatchNorm1d without running statistics normalises by the batch's own statistics; that has no inference graph`, path, 'BatchNorm1d');
  }
  if (x.shape.length !== 2) throw new ValueError(`exportOnnx: ${path} BatchNorm1d exports for inputs [N, C], the graph has rank ${x.shape.length}`);
  checkLastDim(path, x, m.numFeatures);
  const C = m.numFeatures;
  const scale = m.weight ? g.weight(join(path, 'weight'), m.weight) : g.constant(join(path, 'weight'), ones(C), [C]);
  const bias = m.bias ? g.weight(join(path, 'bias'), m.bias) : g.constant(join(path, 'bias'), new Float64Array(C), [C]);
  return g.op('BatchNormalization', [x, scale, bias, g.weight(join(path, 'running_mean'), rm), g.weight(join(path, 'running_var'), rv)], x.shape, { epsilon: m.eps }, join(path, 'out'));
}

function prelu(g: OnnxGraph, m: Module & { weight: Tensor }, x: Value, path: string): Value {
  // plexus (as PyTorch) applies slope c along dim 1; ONNX broadcasts from the right, so [C, 1, ..., 1].
  const n = m.weight.size;
  const dims = n === 1 ? [1] : [n, ...Array<number>(Math.max(x.shape.length - 2, 0)).fill(1)];
  return g.op('PRelu', [x, g.constant(join(path, 'weight'), m.weight._peek(), dims)], x.shape, {}, join(path, 'out'));
}

function flatten(g: OnnxGraph, m: Module & { startDim: number; endDim: number }, x: Value, path: string): Value {
  const r = x.shape.length;
  const s = m.startDim < 0 ? m.startDim + r : m.startDim;
  const e = m.endDim < 0 ? m.endDim + r : m.endDim;
  if (!(s >= 0 && e < r && s <= e)) throw new ValueError(`exportOnnx: ${path} Flatten(${m.startDim}, ${m.endDim}) does not fit an input of rank ${r}`);
  const range = x.shape.slice(s, e + 1);
  const flat: Dim = range.some((d) => d === null) ? null : range.reduce<number>((a, d) => a * (d as number), 1);
  const shape = [...x.shape.slice(0, s), flat, ...x.shape.slice(e + 1)];
  if (shape.filter((d) => d === null).length > 1 && x.shape.slice(e + 1).some((d) => d === null)) {
    throw new ValueError(`exportOnnx: ${path} Flatten needs static sizes after the flattened dims, got [${x.shape.map((d) => d ?? -1).join(', ')}]`);
  }
  // 0 copies a (possibly dynamic) leading dim; -1 takes the rest.
  const target = shape.map((d, i) => (i < s ? 0 : d ?? -1));
  return g.op('Reshape', [x, g.ints(join(path, 'shape'), target)], shape, {}, join(path, 'out'));
}

function mlp(g: OnnxGraph, m: MLP, x: Value, path: string): Value {
  const last = m.layers.length - 1;
  const act = activationLowering(m.activation, join(path, 'activation'));
  let h = x;
  for (let i = 0; i < last; i++) {
    let z = linearOf(g, m.layers.at(i) as Linear, h, join(path, `layers.${i}`));
    if (m.norms) z = lower(g, m.norms.at(i), z, join(path, `norms.${i}`));
    z = act(g, z, join(path, `act${i}`));
    h = m.residual && m.sizes[i] === m.sizes[i + 1] ? binary(g, 'Add', h, z, join(path, `residual${i}`)) : z;
  }
  return linearOf(g, m.layers.at(last) as Linear, h, join(path, `layers.${last}`));
}

function siren(g: OnnxGraph, m: SIREN, x: Value, path: string): Value {
  const n = m.layers.length;
  let h = x;
  for (let i = 0; i < n; i++) {
    h = linearOf(g, m.layers.at(i) as Linear, h, join(path, `layers.${i}`));
    if (i === n - 1 && m.outermostLinear) break;
    const z = binary(g, 'Mul', h, g.scalar(join(path, `w0_${i}`), i === 0 ? m.firstW0 : m.w0), path);
    h = m.activationName === 'sine' ? unary(g, 'Sin', z, {}, path) : spder(g, z, path, SPDER_EPS);
  }
  return h;
}

function fourier(g: OnnxGraph, m: FourierFeatures, x: Value, path: string): Value {
  checkLastDim(path, x, m.inFeatures);
  const [lo, hi] = m.inputRange;
  const u = lo === 0 ? x : binary(g, 'Sub', x, g.scalar(join(path, 'lo'), lo), path);
  const scaled = binary(g, 'Mul', u, g.scalar(join(path, 'twoPi'), (2 * Math.PI) / (hi - lo)), path);
  const B = m.frequencies;
  const proj = linear(g, scaled, { values: B._peek(), out: m.numFrequencies, in: m.inFeatures }, null, join(path, 'B'));
  let c = cos(g, proj, path);
  let s = unary(g, 'Sin', proj, {}, path);
  const mask = m.frequencyMask;
  if (mask) {
    const mv = g.weight(join(path, 'mask'), mask);
    c = binary(g, 'Mul', c, mv, path);
    s = binary(g, 'Mul', s, mv, path);
  }
  const parts = m.includeInput ? [c, s, x] : [c, s];
  return g.op('Concat', parts, [...x.shape.slice(0, -1), m.outFeatures], { axis: { int: -1 } }, join(path, 'out'));
}

registerOnnxLowering('Linear', (g, m, x, path) => linearOf(g, m as Linear, x, path));
registerOnnxLowering('PReLU', (g, m, x, path) => prelu(g, m as Module & { weight: Tensor }, x, path));
registerOnnxLowering('LayerNorm', (g, m, x, path) => layerNorm(g, m as LayerNorm, x, path));
registerOnnxLowering('RMSNorm', (g, m, x, path) => rmsNorm(g, m as RMSNorm, x, path));
registerOnnxLowering('BatchNorm1d', (g, m, x, path) => batchNorm(g, m as BatchNorm1d, x, path));
registerOnnxLowering('Flatten', (g, m, x, path) => flatten(g, m as Module & { startDim: number; endDim: number }, x, path));
registerOnnxLowering('Sequential', (g, m, x, path) => {
  let h = x;
  [...(m as Sequential)].forEach((child, i) => { h = lower(g, child, h, join(path, i)); });
  return h;
});
registerOnnxLowering('MLP', (g, m, x, path) => mlp(g, m as MLP, x, path));
registerOnnxLowering('SIREN', (g, m, x, path) => siren(g, m as SIREN, x, path));
registerOnnxLowering('FourierFeatures', (g, m, x, path) => fourier(g, m as FourierFeatures, x, path));

/**
 * @file How each plexus module becomes standard ONNX operators, one lowering per registered module
 * type (the `type` of its config, so a name is registered once, by the module). A lowering gets the
 * graph, the module, its input value and its state-dict path, and returns its output value.
 *
 * Numerics follow the module's forward exactly (same formula, same constants): GELU through Erf (the
 * Gelu operator needs opset 20, newer than most runtimes), Softplus with PyTorch's beta and
 * linear-above-threshold, RMSNorm's default eps = the dtype's machine epsilon. Dropout is the
 * identity (an exported graph is an inference graph).
 */
import { ValueError } from '../../core/errors.js';
import type { Module } from '../../nn/module.js';
import type { ModuleConfig } from '../../nn/config.js';
import { type OnnxGraph, type Value, broadcastShape, checkLastDim } from './graph.js';

export type Lowering = (g: OnnxGraph, m: Module, x: Value, path: string) => Value;

const LOWERINGS = new Map<string, Lowering>();

/** Registers how modules of config type `type` export (one registration per type). */
export function registerOnnxLowering(type: string, fn: Lowering): void {
  if (LOWERINGS.has(type)) throw new ValueError(`registerOnnxLowering: '${type}' is already registered`);
  LOWERINGS.set(type, fn);
}

/** The module types that export, sorted. */
export function onnxExportableTypes(): string[] {
  return [...LOWERINGS.keys()].sort();
}

/** An exporter was asked for a module it cannot lower; names the module's path and type. */
export class OnnxExportError extends ValueError {
  constructor(message: string, readonly modulePath: string, readonly moduleType: string) {
    super(message, 'ONNX_UNSUPPORTED');
  }
}

function configOf(m: Module): ModuleConfig {
  return m.getConfig();
}

/** Lowers module `m` (at state path `path`) applied to `x`. */
export function lower(g: OnnxGraph, m: Module, x: Value, path: string): Value {
  const type = String(configOf(m).type);
  const fn = LOWERINGS.get(type);
  if (!fn) {
    throw new OnnxExportError(
      `exportOnnx: module ${path || '(root)'} of type ${type} has no ONNX lowering; exportable types: ${onnxExportableTypes().join(', ')}`,
      path, type);
  }
  return fn(g, m, x, path);
}

export const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

// ---- elementwise helpers ---------------------------------------------------------------------------

export function binary(g: OnnxGraph, op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow', a: Value, b: Value, hint?: string): Value {
  return g.op(op, [a, b], broadcastShape(a.shape, b.shape), {}, hint);
}

export function unary(g: OnnxGraph, op: string, x: Value, attrs: Record<string, number> = {}, hint?: string): Value {
  return g.op(op, [x], x.shape, attrs, hint);
}

const mulScalar = (g: OnnxGraph, x: Value, s: number, hint: string): Value => (s === 1 ? x : binary(g, 'Mul', x, g.scalar(`${hint}.c`, s), hint));

/** x * weight^T (+ bias) for x [..., in], weight [out, in]: a MatMul on the transposed initializer. */
export function linear(g: OnnxGraph, x: Value, weight: { values: ArrayLike<number>; out: number; in: number }, bias: ArrayLike<number> | null, path: string): Value {
  const { out, in: inF } = weight;
  checkLastDim(path, x, inF);
  const wt = new Float64Array(inF * out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) wt[i * out + o] = weight.values[o * inF + i]!;
  const shape = [...x.shape.slice(0, -1), out];
  const y = g.op('MatMul', [x, g.constant(join(path, 'weight_t'), wt, [inF, out])], shape, {}, join(path, 'matmul'));
  return bias ? g.op('Add', [y, g.constant(join(path, 'bias'), bias, [out])], shape, {}, join(path, 'out')) : y;
}

/** x[..., start:end, ...] along `axis` (negative counts from the end). */
export function sliceAxis(g: OnnxGraph, x: Value, axis: number, start: number, end: number, hint: string): Value {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((d, i) => (i === a ? end - start : d));
  return g.op('Slice', [x, g.ints(`${hint}.start`, [start]), g.ints(`${hint}.end`, [end]), g.ints(`${hint}.axes`, [a])], shape, {}, hint);
}

/** Sum over `axes` (ReduceSum takes them as an input from opset 13 on). */
export function reduceSum(g: OnnxGraph, x: Value, axes: readonly number[], keepdims: boolean, hint: string): Value {
  const r = x.shape.length;
  const norm = axes.map((a) => (a < 0 ? a + r : a));
  const shape = keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
  return g.op('ReduceSum', [x, g.ints(`${hint}.axes`, norm)], shape, { keepdims: { int: keepdims ? 1 : 0 } }, hint);
}

/** Mean over `axes` (ReduceMean's axes moved from attribute to input in opset 18). */
export function reduceMean(g: OnnxGraph, x: Value, axes: readonly number[], keepdims: boolean, hint: string): Value {
  const r = x.shape.length;
  const norm = axes.map((a) => (a < 0 ? a + r : a));
  const shape = keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
  const keep = { keepdims: { int: keepdims ? 1 : 0 } };
  return g.opset >= 18
    ? g.op('ReduceMean', [x, g.ints(`${hint}.axes`, norm)], shape, keep, hint)
    : g.op('ReduceMean', [x], shape, { axes: norm, ...keep }, hint);
}

/** Mean over the trailing `k` axes, kept (ReduceMean's axes moved from attribute to input in opset 18). */
export function meanLast(g: OnnxGraph, x: Value, k: number, hint: string): Value {
  return reduceMean(g, x, Array.from({ length: k }, (_, i) => -k + i), true, hint);
}

/** The activation `name` of plexus's activation table (what MLP and KAN layers refer to by name). */
export type ActivationLowering = (g: OnnxGraph, x: Value, hint: string) => Value;

function gelu(g: OnnxGraph, x: Value, hint: string, approximate: string): Value {
  const half = binary(g, 'Mul', x, g.scalar(`${hint}.half`, 0.5), hint);
  let inner: Value;
  if (approximate === 'tanh') {
    const x3 = binary(g, 'Mul', binary(g, 'Mul', x, x, hint), x, hint);
    const poly = binary(g, 'Add', x, mulScalar(g, x3, 0.044715, hint), hint);
    inner = unary(g, 'Tanh', mulScalar(g, poly, Math.sqrt(2 / Math.PI), hint), {}, hint);
  } else {
    inner = unary(g, 'Erf', mulScalar(g, x, Math.SQRT1_2, hint), {}, hint);
  }
  return binary(g, 'Mul', half, binary(g, 'Add', inner, g.scalar(`${hint}.one`, 1), hint), hint);
}

/**
 * In float64 (ONNX Runtime 1.16 has no double Softplus, Elu or Cos kernel, and a float attribute
 * such as LeakyRelu's alpha is float32): max(z, 0) + log(1 + e^-|z|), plexus's formula.
 */
function stableSoftplus(g: OnnxGraph, z: Value, hint: string): Value {
  const e = unary(g, 'Exp', unary(g, 'Neg', unary(g, 'Abs', z, {}, hint), {}, hint), {}, hint);
  const l = unary(g, 'Log', binary(g, 'Add', e, g.scalar(`${hint}.one`, 1), hint), {}, hint);
  return binary(g, 'Add', g.op('Max', [z, g.scalar(`${hint}.zero`, 0)], z.shape, {}, hint), l, hint);
}

/** x where x > 0, else `neg` (float64 forms of Elu / LeakyRelu). */
function positiveOr(g: OnnxGraph, x: Value, neg: Value, hint: string): Value {
  return g.op('Where', [g.op('Greater', [x, g.scalar(`${hint}.zero`, 0)], x.shape, {}, hint), x, neg], x.shape, {}, hint);
}

/** ELU: x for x > 0, alpha (e^x - 1) otherwise (the Elu operator in float32). */
export function elu(g: OnnxGraph, x: Value, alpha: number, hint: string): Value {
  if (g.float === 'float32') return unary(g, 'Elu', x, { alpha }, hint);
  const em1 = binary(g, 'Sub', unary(g, 'Exp', g.op('Min', [x, g.scalar(`${hint}.zero`, 0)], x.shape, {}, hint), {}, hint), g.scalar(`${hint}.one`, 1), hint);
  return positiveOr(g, x, mulScalar(g, em1, alpha, hint), hint);
}

function leakyRelu(g: OnnxGraph, x: Value, slope: number, hint: string): Value {
  return g.float === 'float32' ? unary(g, 'LeakyRelu', x, { alpha: slope }, hint) : positiveOr(g, x, binary(g, 'Mul', x, g.scalar(`${hint}.slope`, slope), hint), hint);
}

/** cos x; in float64 as sin(x + pi/2) (no double Cos kernel in ONNX Runtime 1.16). */
export function cos(g: OnnxGraph, x: Value, hint: string): Value {
  return g.float === 'float32' ? unary(g, 'Cos', x, {}, hint) : unary(g, 'Sin', binary(g, 'Add', x, g.scalar(`${hint}.halfPi`, Math.PI / 2), hint), {}, hint);
}

/** PyTorch's softplus: log(1 + e^(beta x)) / beta, linear where beta x > threshold. */
export function softplus(g: OnnxGraph, x: Value, hint: string, beta: number, threshold: number): Value {
  const z = mulScalar(g, x, beta, hint);
  const sp = g.float === 'float32' ? unary(g, 'Softplus', z, {}, hint) : stableSoftplus(g, z, hint);
  const soft = beta === 1 ? sp : binary(g, 'Div', sp, g.scalar(`${hint}.beta`, beta), hint);
  const above = g.op('Greater', [z, g.scalar(`${hint}.threshold`, threshold)], z.shape, {}, hint);
  return g.op('Where', [above, x, soft], x.shape, {}, hint);
}

/** sin(x) sqrt(max(|x|, eps)), as the spder op. */
export function spder(g: OnnxGraph, x: Value, hint: string, eps: number): Value {
  const root = unary(g, 'Sqrt', g.op('Max', [unary(g, 'Abs', x, {}, hint), g.scalar(`${hint}.eps`, eps)], x.shape, {}, hint), {}, hint);
  return binary(g, 'Mul', unary(g, 'Sin', x, {}, hint), root, hint);
}

/**
 * x sigmoid(x). In float64 as x / (1 + e^-x): ONNX Runtime fuses Mul(x, Sigmoid(x)) into its
 * QuickGelu kernel, which has no double version, and then refuses to load the graph.
 */
function silu(g: OnnxGraph, x: Value, hint: string): Value {
  if (g.float === 'float32') return binary(g, 'Mul', x, unary(g, 'Sigmoid', x, {}, hint), hint);
  const denom = binary(g, 'Add', unary(g, 'Exp', unary(g, 'Neg', x, {}, hint), {}, hint), g.scalar(`${hint}.one`, 1), hint);
  return binary(g, 'Div', x, denom, hint);
}

/** Lowerings of the parameter-free activations by config; shared by the modules and by name. */
function activationFromConfig(c: ModuleConfig): ActivationLowering | null {
  switch (c.type) {
    case 'ReLU': return (g, x, h) => unary(g, 'Relu', x, {}, h);
    case 'LeakyReLU': return (g, x, h) => leakyRelu(g, x, Number(c.negativeSlope), h);
    case 'ELU': return (g, x, h) => elu(g, x, Number(c.alpha), h);
    case 'GELU': return (g, x, h) => gelu(g, x, h, String(c.approximate));
    case 'SiLU': return silu;
    case 'Tanh': return (g, x, h) => unary(g, 'Tanh', x, {}, h);
    case 'Sigmoid': return (g, x, h) => unary(g, 'Sigmoid', x, {}, h);
    case 'Softplus': return (g, x, h) => softplus(g, x, h, Number(c.beta), Number(c.threshold));
    case 'Identity': case 'Dropout': return (_g, x) => x;
    case 'Sine': return (g, x, h) => unary(g, 'Sin', mulScalar(g, x, Number(c.w0), h), {}, h);
    case 'SPDER': return (g, x, h) => spder(g, x, h, Number(c.eps));
    case 'GCU': return (g, x, h) => binary(g, 'Mul', x, cos(g, x, h), h);
    default: return null;
  }
}

/** The lowering of a parameter-free activation module (MLP/KAN activations are modules by name). */
export function activationLowering(m: Module, path: string): ActivationLowering {
  const c = configOf(m);
  const fn = activationFromConfig(c);
  if (!fn) throw new OnnxExportError(`exportOnnx: activation ${String(c.type)} at ${path || '(root)'} has no ONNX lowering`, path, String(c.type));
  return fn;
}

for (const type of ['ReLU', 'LeakyReLU', 'ELU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'Softplus', 'Identity', 'Dropout', 'Sine', 'SPDER', 'GCU']) {
  registerOnnxLowering(type, (g, m, x, path) => activationLowering(m, path)(g, x, path || type));
}

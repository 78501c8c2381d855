/**
 * @file Graph helpers shared by the lowerings of the sequence mixers (linear attention, AFT, GLA,
 * Aaren, Hopfield, the diagonal linear RNN): the [batch, seq, dim] input check, head split / merge,
 * MatMul / Transpose / Softmax / ReduceMax with static shape tracking, and the causal mask, built
 * as a constant when the sequence length is static and from Shape + Range when it is dynamic.
 */
import { ShapeError, fmtShape } from '../../core/errors.js';
import { type Dim, type OnnxGraph, type Value, checkLastDim } from './graph.js';
import { join } from './lowerings.js';

/** Throws unless `x` is [batch, seq, dim]; `where` names the module. */
export function checkSeqInput(where: string, x: Value, dim: number): void {
  if (x.shape.length !== 3) {
    throw new ShapeError(`exportOnnx: ${where} expects an input [batch, seq, ${dim}], the graph has ${fmtShape(x.shape.map((d) => d ?? -1))} there (-1 = dynamic)`);
  }
  checkLastDim(where, x, dim);
}

export function matmul(g: OnnxGraph, a: Value, b: Value, shape: readonly Dim[], hint: string): Value {
  return g.op('MatMul', [a, b], shape, {}, hint);
}

/**
 * a b^T over the last two axes (leading axes broadcast). In float64 as an Einsum: ONNX Runtime
 * fuses MatMul(a, Transpose(b)) into its FusedMatMul kernel, which has no double version, and then
 * refuses to load the graph.
 */
export function matmulTransB(g: OnnxGraph, a: Value, b: Value, shape: readonly Dim[], hint: string): Value {
  if (g.float === 'float32') return matmul(g, a, transposeLast(g, b, `${hint}.bT`), shape, hint);
  // Explicit batch letters, right-aligned (ONNX Runtime's Einsum refuses an ellipsis of different ranks).
  const batch = 'pqrstuvw'.slice(0, Math.max(a.shape.length, b.shape.length) - 2);
  const lead = (r: number): string => batch.slice(batch.length - (r - 2));
  return g.op('Einsum', [a, b], shape, { equation: `${lead(a.shape.length)}nd,${lead(b.shape.length)}md->${batch}nm` }, hint);
}

/** The last two axes swapped. */
export function transposeLast(g: OnnxGraph, x: Value, hint: string): Value {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return g.op('Transpose', [x], perm.map((p) => x.shape[p]!), { perm }, hint);
}

/** [B, L, h·d] -> [B, h, L, d]. */
export function splitHeads(g: OnnxGraph, x: Value, h: number, hint: string): Value {
  const [B, L, F] = x.shape as [Dim, Dim, number];
  const d = F / h;
  const r = g.op('Reshape', [x, g.ints(`${hint}.shape`, [0, 0, h, d])], [B, L, h, d], {}, hint);
  return g.op('Transpose', [r], [B, h, L, d], { perm: [0, 2, 1, 3] }, hint);
}

/** [B, h, L, d] -> [B, L, h·d]. */
export function mergeHeads(g: OnnxGraph, x: Value, hint: string): Value {
  const [B, h, L, d] = x.shape as [Dim, number, Dim, number];
  const t = g.op('Transpose', [x], [B, L, h, d], { perm: [0, 2, 1, 3] }, hint);
  return g.op('Reshape', [t, g.ints(`${hint}.shape`, [0, 0, h * d])], [B, L, h * d], {}, hint);
}

/** Softmax over the last axis (opset 13+: over that axis alone). */
export function softmaxLast(g: OnnxGraph, x: Value, hint: string): Value {
  return g.op('Softmax', [x], x.shape, { axis: { int: -1 } }, hint);
}

/** Max over `axis`, kept (ReduceMax's axes moved from attribute to input in opset 18). */
export function reduceMax(g: OnnxGraph, x: Value, axis: number, hint: string): Value {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((d, i) => (i === a ? 1 : d));
  const keep = { keepdims: { int: 1 } };
  return g.opset >= 18 ? g.op('ReduceMax', [x, g.ints(`${hint}.axes`, [a])], shape, keep, hint) : g.op('ReduceMax', [x], shape, { axes: [a], ...keep }, hint);
}

/** Inclusive cumulative sum along `axis`. */
export function cumSum(g: OnnxGraph, x: Value, axis: number, hint: string): Value {
  return g.op('CumSum', [x, g.constant(`${hint}.axis`, [axis], [], 'int64')], x.shape, {}, hint);
}

/** The sequence length of x [B, L, ...] as an int64 vector [1] (for Slice bounds). */
export function seqLenVector(g: OnnxGraph, x: Value, hint: string): Value {
  const shape = g.op('Shape', [x], [x.shape.length], {}, `${hint}.shape`);
  return g.op('Slice', [shape, g.ints(`${hint}.s`, [1]), g.ints(`${hint}.e`, [2]), g.ints(`${hint}.a`, [0])], [1], {}, hint);
}

/** The causal mask [L, L] of x [B, L, ...] (bool, true where key s <= query t). */
export function causalMask(g: OnnxGraph, x: Value, path: string): Value {
  const L = x.shape[1]!;
  const hint = join(path, 'causal');
  if (L !== null) {
    const v = new Uint8Array(L * L);
    for (let t = 0; t < L; t++) for (let s = 0; s <= t; s++) v[t * L + s] = 1;
    return g.constant(hint, v, [L, L], 'bool');
  }
  const shape = g.op('Shape', [x], [x.shape.length], {}, `${hint}.shape`);
  const len = g.op('Gather', [shape, g.constant(`${hint}.index`, [1], [], 'int64')], [], { axis: { int: 0 } }, `${hint}.len`);
  const range = g.op('Range', [g.constant(`${hint}.zero`, [0], [], 'int64'), len, g.constant(`${hint}.one`, [1], [], 'int64')], [null], {}, `${hint}.range`);
  const rows = g.op('Unsqueeze', [range, g.ints(`${hint}.rows`, [1])], [null, 1], {}, `${hint}.t`);
  const cols = g.op('Unsqueeze', [range, g.ints(`${hint}.cols`, [0])], [1, null], {}, `${hint}.s`);
  return g.op('GreaterOrEqual', [rows, cols], [null, null], {}, hint);
}

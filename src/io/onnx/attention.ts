/**
 * @file ONNX lowerings of the softmax-attention family (src/nn/attention): MultiheadAttention as
 * self-attention of its one input (query = key = value, as TransformerBlock uses it; the graph has
 * a single input), TransformerBlock (pre-norm, causal or not, plain or GLU feed-forward) and
 * TransformerLM (integer tokens in, so the graph input is int64; logits out). Heads follow the
 * module: q/k/v projections from the packed in_proj_weight or the separate ones, query head h reads
 * key/value head floor(h / (H / Hkv)) (GQA and MQA), scores scaled by 1/sqrt(headDim), masked
 * causally with -inf before the softmax. The KV cache is a decoding-time structure and is not
 * exported (the graph is the full forward).
 */
import type { Tensor } from '../../core/tensor.js';
import { activationFromName } from '../../nn/activation.js';
import type { MultiheadAttention } from '../../nn/attention/multihead.js';
import type { TransformerBlock } from '../../nn/attention/transformer.js';
import type { TransformerLM } from '../../nn/attention/lm.js';
import { type Dim, type OnnxGraph, type Value, broadcastShape } from './graph.js';
import { INDEX_INPUT_TYPES } from './embedding.js';
import { OnnxExportError, activationLowering, binary, join, linear, lower, registerOnnxLowering } from './lowerings.js';
import { linearOf } from './modules.js';
import { causalMask, checkSeqInput, matmul, matmulTransB, mergeHeads, softmaxLast, splitHeads } from './seq-common.js';

/** Rows [from, to) of a [rows, cols] tensor's values, and of a bias vector. */
function rows(t: Tensor, from: number, to: number): Float64Array {
  const cols = t.shape[1]!;
  return Float64Array.from((t._peek() as ArrayLike<number>) as ArrayLike<number>).subarray(from * cols, to * cols);
}

/** Self-attention of x [N, L, E] (batch first) through m's projections, heads and output projection. */
function selfAttention(g: OnnxGraph, m: MultiheadAttention, x: Value, causal: boolean, path: string): Value {
  const E = m.embedDim;
  const H = m.numHeads;
  const Hkv = m.numKVHeads;
  const d = m.headDim;
  const kvOut = Hkv * d;
  if (m.kdim !== E || m.vdim !== E) throw new OnnxExportError(`exportOnnx: ${path} MultiheadAttention with kdim/vdim != embedDim needs separate key/value inputs; the exported graph has one input`, path, 'MultiheadAttention');
  const ranges: [number, number][] = [[0, E], [E, E + kvOut], [E + kvOut, E + 2 * kvOut]];
  const ws = m.inProjWeight ? ranges.map(([f, t]) => rows(m.inProjWeight!, f, t)) : [m.qProjWeight!, m.kProjWeight!, m.vProjWeight!].map((w) => Float64Array.from(w._peek() as ArrayLike<number>));
  const b = m.inProjBias ? Float64Array.from(m.inProjBias._peek() as ArrayLike<number>) : null;
  const proj = (i: number, out: number, name: string): Value => linear(g, x, { values: ws[i]!, out, in: E }, b ? b.subarray(ranges[i]![0], ranges[i]![1]) : null, join(path, name));
  const q = splitHeads(g, proj(0, E, 'q'), H, join(path, 'qh'));
  let k = splitHeads(g, proj(1, kvOut, 'k'), Hkv, join(path, 'kh'));
  let v = splitHeads(g, proj(2, kvOut, 'v'), Hkv, join(path, 'vh'));
  const [B, , L] = q.shape as [Dim, number, Dim, number];
  if (Hkv !== H) {
    // [B, Hkv, S, d] -> [B, Hkv, H/Hkv, S, d] -> [B, H, S, d]: each key/value head serves H/Hkv consecutive query heads.
    const rep = (t: Value, name: string): Value => {
      const u = g.op('Unsqueeze', [t, g.ints(join(path, `${name}.axis`), [2])], [B, Hkv, 1, L, d], {}, join(path, `${name}.u`));
      const e = g.op('Expand', [u, g.ints(join(path, `${name}.to`), [1, 1, H / Hkv, 1, 1])], [B, Hkv, H / Hkv, L, d], {}, join(path, `${name}.e`));
      return g.op('Reshape', [e, g.ints(join(path, `${name}.shape`), [0, H, -1, d])], [B, H, L, d], {}, join(path, `${name}.r`));
    };
    k = rep(k, 'krep');
    v = rep(v, 'vrep');
  }
  let scores = binary(g, 'Mul', matmulTransB(g, q, k, [B, H, L, L], join(path, 'scores')), g.scalar(join(path, 'scale'), 1 / Math.sqrt(d)), path);
  if (causal) {
    const mask = causalMask(g, x, path);
    scores = g.op('Where', [mask, scores, g.scalar(join(path, 'neginf'), -Infinity)], broadcastShape(scores.shape, mask.shape), {}, join(path, 'masked'));
  }
  const o = matmul(g, softmaxLast(g, scores, join(path, 'softmax')), v, [B, H, L, d], join(path, 'attend'));
  return linearOf(g, m.outProj, mergeHeads(g, o, join(path, 'merge')), join(path, 'out_proj'));
}

function mha(g: OnnxGraph, m: MultiheadAttention, x: Value, path: string): Value {
  checkSeqInput(`${path || '(root)'} MultiheadAttention`, x, m.embedDim);
  if (m.batchFirst) return selfAttention(g, m, x, false, path);
  // [L, N, E] -> [N, L, E] and back.
  const t = (v: Value, hint: string): Value => g.op('Transpose', [v], [v.shape[1]!, v.shape[0]!, v.shape[2]!], { perm: [1, 0, 2] }, hint);
  return t(selfAttention(g, m, t(x, join(path, 'bf')), false, path), join(path, 'out'));
}

function block(g: OnnxGraph, m: TransformerBlock, x: Value, path: string): Value {
  checkSeqInput(`${path || '(root)'} TransformerBlock`, x, m.dModel);
  const a = selfAttention(g, m.selfAttn, lower(g, m.norm1, x, join(path, 'norm1')), m.causal, join(path, 'self_attn'));
  const x1 = binary(g, 'Add', x, a, join(path, 'res1'));
  const h2 = lower(g, m.norm2, x1, join(path, 'norm2'));
  const f = m.ff
    ? lower(g, m.ff, h2, join(path, 'ff'))
    : linearOf(g, m.linear2!, activationLowering(activationFromName(m.activation), join(path, 'act'))(g, linearOf(g, m.linear1!, h2, join(path, 'linear1')), join(path, 'act')), join(path, 'linear2'));
  return binary(g, 'Add', x1, f, join(path, 'out'));
}

function lm(g: OnnxGraph, m: TransformerLM, x: Value, path: string): Value {
  if (x.dtype !== 'int64' || x.shape.length !== 2) throw new OnnxExportError(`exportOnnx: ${path || '(root)'} TransformerLM takes integer tokens [N, T] as the graph input`, path, 'TransformerLM');
  const T = x.shape[1]!;
  if (T !== null && T > m.maxLength) throw new OnnxExportError(`exportOnnx: TransformerLM has ${m.maxLength} positions, the input shape asks for ${T}`, path, 'TransformerLM');
  const D = m.dModel;
  const tok = g.op('Gather', [g.weight(join(path, 'tok_emb'), m.tokEmb.weight), x], [x.shape[0]!, T, D], { axis: { int: 0 } }, join(path, 'tok'));
  // Positions 0..T-1 from the input's own length, so a dynamic T works.
  const shape = g.op('Shape', [x], [2], {}, join(path, 'shape'));
  const len = g.op('Gather', [shape, g.constant(join(path, 'one'), [1], [], 'int64')], [], { axis: { int: 0 } }, join(path, 'len'));
  const range = g.op('Range', [g.constant(join(path, 'zero'), [0], [], 'int64'), len, g.constant(join(path, 'step'), [1], [], 'int64')], [T], {}, join(path, 'positions'));
  const pos = g.op('Gather', [g.weight(join(path, 'pos_emb'), m.posEmb.weight), range], [T, D], { axis: { int: 0 } }, join(path, 'pos'));
  let h = binary(g, 'Add', tok, pos, join(path, 'embed'));
  m.blocks.forEach((bk, i) => { h = block(g, bk, h, join(path, `blocks.${i}`)); });
  return linearOf(g, m.head, lower(g, m.normF, h, join(path, 'norm_f')), join(path, 'head'));
}

registerOnnxLowering('MultiheadAttention', (g, m, x, path) => mha(g, m as unknown as MultiheadAttention, x, path));
registerOnnxLowering('TransformerBlock', (g, m, x, path) => block(g, m as unknown as TransformerBlock, x, path));
registerOnnxLowering('TransformerLM', (g, m, x, path) => lm(g, m as unknown as TransformerLM, x, path));
INDEX_INPUT_TYPES.add('TransformerLM');

/**
 * @file ONNX lowerings of the recurrent layers (src/nn/recurrent): RNN (tanh / relu), LSTM and GRU
 * with numLayers, bidirectional, batchFirst and bias, and their cells, as ONNX's RNN / LSTM / GRU
 * operators (https://onnx.ai/onnx/operators/onnx__LSTM.html).
 *
 * Layouts: ONNX wants W [D, G·H, in], R [D, G·H, H], B [D, 2·G·H] (= [Wb, Rb]) per layer, with its
 * own gate order: PyTorch's LSTM rows i|f|g|o become ONNX's i|o|f|c, GRU's r|z|n become z|r|h, and
 * PyTorch's GRU (b_hn inside r·(...)) is ONNX's `linear_before_reset = 1`. Stacked layers are a
 * chain of single-layer nodes (ONNX's operators have one layer each); a bidirectional node's Y
 * [T, 2, N, H] becomes PyTorch's [T, N, 2H] by Transpose + Reshape.
 *
 * What the graph computes: the module's main output only (the sequence output [T, N, D·H] of
 * RNN/LSTM/GRU, h' of a cell), from zero initial states and with every sequence at full length.
 * Initial states, `lengths` and the final states are not graph inputs / outputs.
 */
import type { Parameter } from '../../nn/module.js';
import type { RNNBase } from '../../nn/recurrent/base.js';
import type { RNNCell } from '../../nn/recurrent/cells.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import { type Dim, type OnnxGraph, type Value, type AttrValue, checkLastDim } from './graph.js';
import { join, registerOnnxLowering } from './lowerings.js';

type Kind = 'RNN' | 'LSTM' | 'GRU';

/** For each ONNX gate block, the PyTorch block it comes from. */
const GATE_ORDER: Record<Kind, readonly number[]> = { RNN: [0], LSTM: [0, 3, 1, 2], GRU: [1, 0, 2] };

/** Rows of a [G·H, cols] (or [G·H]) PyTorch tensor regrouped in ONNX's gate order, appended to `out`. */
function regate(out: number[], values: ArrayLike<number>, kind: Kind, H: number, cols: number): void {
  for (const src of GATE_ORDER[kind]) {
    const start = src * H * cols;
    for (let i = 0; i < H * cols; i++) out.push(values[start + i]!);
  }
}

interface Direction { wIh: Parameter; wHh: Parameter; bIh: Parameter | null; bHh: Parameter | null }

/** One ONNX recurrent node over x [T, N, in] for one layer's directions; returns Y [T, D, N, H]. */
function layerNode(g: OnnxGraph, kind: Kind, relu: boolean, x: Value, dirs: Direction[], H: number, inF: number, path: string): Value {
  const G = GATE_ORDER[kind].length;
  const D = dirs.length;
  const w: number[] = [];
  const r: number[] = [];
  const b: number[] = [];
  for (const d of dirs) {
    regate(w, d.wIh._peek(), kind, H, inF);
    regate(r, d.wHh._peek(), kind, H, H);
    if (d.bIh && d.bHh) {
      regate(b, d.bIh._peek(), kind, H, 1);
      regate(b, d.bHh._peek(), kind, H, 1);
    }
  }
  const inputs: Value[] = [x, g.constant(join(path, 'W'), w, [D, G * H, inF]), g.constant(join(path, 'R'), r, [D, G * H, H])];
  if (b.length) inputs.push(g.constant(join(path, 'B'), b, [D, 2 * G * H]));
  const attrs: Record<string, AttrValue> = { hidden_size: { int: H }, direction: D === 2 ? 'bidirectional' : 'forward' };
  if (kind === 'RNN' && relu) attrs.activations = { strings: Array<string>(D).fill('Relu') };
  if (kind === 'GRU') attrs.linear_before_reset = { int: 1 };
  return g.op(kind, inputs, [x.shape[0]!, D, x.shape[1]!, H], attrs, join(path, 'Y'));
}

function kindOf(mode: string): Kind {
  return mode === 'LSTM' ? 'LSTM' : mode === 'GRU' ? 'GRU' : 'RNN';
}

/** RNN / LSTM / GRU: the sequence output, in the module's layout (batchFirst, unbatched). */
function sequence(g: OnnxGraph, m: RNNBase, x: Value, path: string): Value {
  const where = path || m.constructor.name;
  if (x.shape.length !== 2 && x.shape.length !== 3) {
    throw new ShapeError(`exportOnnx: ${where} expects an input ${m.batchFirst ? '[N, T, inputSize]' : '[T, N, inputSize]'} or unbatched [T, inputSize], the graph has ${fmtShape(x.shape.map((d) => d ?? -1))} there (-1 = dynamic)`);
  }
  checkLastDim(where, x, m.inputSize);
  const kind = kindOf(m.mode);
  const H = m.hiddenSize;
  const D = m.directions;
  const unbatched = x.shape.length === 2;
  let h: Value = unbatched
    ? g.op('Unsqueeze', [x, g.ints(join(path, 'batch_axis'), [1])], [x.shape[0]!, 1, x.shape[1]!], {}, join(path, 'batched'))
    : m.batchFirst ? g.op('Transpose', [x], [x.shape[1]!, x.shape[0]!, x.shape[2]!], { perm: [1, 0, 2] }, join(path, 'time_major')) : x;
  const params = m as unknown as Record<string, Parameter | undefined>;
  for (let l = 0; l < m.numLayers; l++) {
    const dirs: Direction[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      dirs.push({ wIh: params[`weight_ih${sfx}`]!, wHh: params[`weight_hh${sfx}`]!, bIh: params[`bias_ih${sfx}`] ?? null, bHh: params[`bias_hh${sfx}`] ?? null });
    }
    const lp = join(path, `l${l}`);
    const Y = layerNode(g, kind, m.mode === 'RNN_RELU', h, dirs, H, l === 0 ? m.inputSize : D * H, lp);
    const [T, , N] = Y.shape;
    h = D === 1
      ? g.op('Squeeze', [Y, g.ints(join(lp, 'dir_axis'), [1])], [T!, N!, H], {}, join(lp, 'out'))
      : g.op('Reshape', [g.op('Transpose', [Y], [T!, N!, 2, H], { perm: [0, 2, 1, 3] }, join(lp, 'dirs_last')), g.ints(join(lp, 'shape'), [0, 0, 2 * H])], [T!, N!, 2 * H], {}, join(lp, 'out'));
  }
  const [T, N, F] = h.shape as [Dim, Dim, Dim];
  if (unbatched) return g.op('Squeeze', [h, g.ints(join(path, 'unbatch_axis'), [1])], [T, F], {}, join(path, 'out'));
  return m.batchFirst ? g.op('Transpose', [h], [N, T, F], { perm: [1, 0, 2] }, join(path, 'out')) : h;
}

/** A cell's h' from a zero state: the same operator over a one-step sequence. */
function cell(g: OnnxGraph, m: RNNCell, kind: Kind, x: Value, path: string): Value {
  const where = path || m.constructor.name;
  if (x.shape.length !== 1 && x.shape.length !== 2) {
    throw new ShapeError(`exportOnnx: ${where} expects an input [N, ${m.inputSize}] or unbatched [${m.inputSize}], the graph has ${fmtShape(x.shape.map((d) => d ?? -1))} there (-1 = dynamic)`);
  }
  checkLastDim(where, x, m.inputSize);
  const H = m.hiddenSize;
  const N: Dim = x.shape.length === 2 ? x.shape[0]! : 1;
  const seq = g.op('Reshape', [x, g.ints(join(path, 'seq_shape'), [1, -1, m.inputSize])], [1, N, m.inputSize], {}, join(path, 'seq'));
  const relu = kind === 'RNN' && m.nonlinearity === 'relu';
  const Y = layerNode(g, kind, relu, seq, [{ wIh: m.weight_ih, wHh: m.weight_hh, bIh: m.bias_ih, bHh: m.bias_hh }], H, m.inputSize, path);
  const shape = x.shape.length === 2 ? [N, H] : [H];
  return g.op('Reshape', [Y, g.ints(join(path, 'out_shape'), x.shape.length === 2 ? [-1, H] : [H])], shape, {}, join(path, 'out'));
}

for (const type of ['RNN', 'LSTM', 'GRU']) registerOnnxLowering(type, (g, m, x, path) => sequence(g, m as RNNBase, x, path));
registerOnnxLowering('RNNCell', (g, m, x, path) => cell(g, m as RNNCell, 'RNN', x, path));
registerOnnxLowering('LSTMCell', (g, m, x, path) => cell(g, m as RNNCell, 'LSTM', x, path));
registerOnnxLowering('GRUCell', (g, m, x, path) => cell(g, m as RNNCell, 'GRU', x, path));

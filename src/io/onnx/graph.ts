/**
 * @file A small builder for an ONNX inference graph: unique value names, initializers (the
 * model's weights and the lowering's constants), nodes with typed attributes, and the static shape
 * of every value where it is known (null for a dynamic dimension such as the batch), which the
 * lowerings use to pick reshapes and to check the model's input contract before anything is
 * written.
 */
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { ATTR_TYPE, type AttributeProto, type NodeProto, ONNX_DTYPE, type TensorProto } from './proto.js';

/** A dimension: a size, or null where it is only known at run time (the batch). */
export type Dim = number | null;

/** A value of the graph: its name and (static where known) shape. */
export interface Value {
  readonly name: string;
  readonly shape: readonly Dim[];
  /** 'int64' for integer indices (the graph input of a model that starts with an Embedding); absent = the model's float type. */
  readonly dtype?: 'int64';
}

export type AttrValue = number | string | readonly number[] | { floats: readonly number[] } | { int: number } | { strings: readonly string[] };

export type FloatKind = 'float32' | 'float64';

/** One node's attribute as an AttributeProto object. */
function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: ATTR_TYPE.FLOAT, f: v };
  if (Array.isArray(v)) return { name, type: ATTR_TYPE.INTS, ints: [...v] };
  if ('int' in (v as object)) return { name, type: ATTR_TYPE.INT, i: (v as { int: number }).int };
  if ('strings' in (v as object)) return { name, type: ATTR_TYPE.STRINGS, strings: (v as { strings: string[] }).strings.map((s) => new TextEncoder().encode(s)) };
  return { name, type: ATTR_TYPE.FLOATS, floats: [...(v as { floats: number[] }).floats] };
}

/** Little-endian raw bytes of numbers in the given ONNX element type. */
function rawBytes(values: ArrayLike<number>, kind: FloatKind | 'int64' | 'bool'): Uint8Array {
  const n = values.length;
  if (kind === 'bool') return Uint8Array.from(values, (v) => (v ? 1 : 0));
  const width = kind === 'float32' ? 4 : 8;
  const buf = new ArrayBuffer(n * width);
  const view = new DataView(buf);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (kind === 'float32') view.setFloat32(4 * i, v, true);
    else if (kind === 'float64') view.setFloat64(8 * i, v, true);
    else view.setBigInt64(8 * i, BigInt(v), true);
  }
  return new Uint8Array(buf);
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** `float` is the element type of the model (its parameters' dtype); `opset` the target opset. */
  constructor(readonly float: FloatKind, readonly opset: number) {}

  /** A fresh value name from `hint` (module path or op name). */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** An initializer holding `values` with `dims`, of the model's float type unless `kind` says otherwise. */
  constant(hint: string, values: ArrayLike<number>, dims: readonly number[], kind: FloatKind | 'int64' | 'bool' = this.float): Value {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_DTYPE[kind], rawData: rawBytes(values, kind) });
    return { name, shape: dims };
  }

  /** A model tensor (weight, buffer) as an initializer, converted to the model's float type. */
  weight(hint: string, t: Tensor): Value {
    return this.constant(hint, t._peek(), t.shape);
  }

  /** A float scalar constant (shape [], broadcasts). */
  scalar(hint: string, v: number): Value {
    return this.constant(hint, [v], []);
  }

  /** An int64 vector constant (axes, shapes, slice bounds). */
  ints(hint: string, v: readonly number[]): Value {
    return this.constant(hint, v, [v.length], 'int64');
  }

  /** Appends a node with one output of the given shape; returns that output. */
  op(opType: string, inputs: readonly (Value | string)[], shape: readonly Dim[], attrs: Record<string, AttrValue> = {}, hint = opType): Value {
    const out = this.fresh(hint);
    this.nodes.push({
      opType, name: out, input: inputs.map((v) => (typeof v === 'string' ? v : v.name)), output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return { name: out, shape };
  }
}

/** Broadcast two static shapes (null stays null), as ONNX multidirectional broadcasting. */
export function broadcastShape(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    // Missing leading dims are 1; a null (dynamic) dim must stay null, so no `??` here.
    const ia = a.length - n + i;
    const ib = b.length - n + i;
    const x = ia < 0 ? 1 : a[ia]!;
    const y = ib < 0 ? 1 : b[ib]!;
    out.push(x === 1 ? y : y === 1 ? x : x === null ? y : x);
  }
  return out;
}

/** Throws unless `v`'s last dimension is `size` (the module's input contract). */
export function checkLastDim(where: string, v: Value, size: number): void {
  const last = v.shape[v.shape.length - 1];
  if (v.shape.length < 1 || (last !== null && last !== size)) {
    throw new ShapeError(`exportOnnx: ${where} expects an input [..., ${size}], the graph has ${fmtShape(v.shape.map((d) => d ?? -1))} there (-1 = dynamic)`);
  }
}

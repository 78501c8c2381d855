/**
 * @file The ONNX protobuf messages an exported inference graph uses (onnx/onnx.proto, IR version
 * 7-9), written with protobufjs's wire Writer (protobufjs/minimal: the maintained varint, packed
 * and length-delimited encoders) in the style of protobufjs's own static code generator. Static
 * encoders rather than protobufjs's reflection runtime keep ~100 KiB of schema parser and
 * reflection out of the browser bundle; test/onnx-proto.test.ts checks them byte for byte against
 * protobufjs's reflection encoder over the same schema.
 * Field numbers: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */
import pb from 'protobufjs/minimal.js';

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float32: 1, int64: 7, bool: 9, float64: 11 } as const;
/** AttributeProto.AttributeType values used here. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface AttributeProto { name: string; type: number; f?: number; i?: number; s?: Uint8Array; floats?: number[]; ints?: number[]; strings?: Uint8Array[] }
export interface TensorProto { name: string; dims: number[]; dataType: number; rawData: Uint8Array }
export interface NodeProto { opType: string; name: string; input: string[]; output: string[]; attribute: AttributeProto[] }
export interface ValueInfoProto { name: string; type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } } }
export interface GraphProto { name: string; node: NodeProto[]; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[] }
export interface ModelProto {
  irVersion: number; opsetImport: { domain: string; version: number }[]; producerName: string; producerVersion: string;
  graph: GraphProto; metadataProps: { key: string; value: string }[];
}

type W = pb.Writer;
const VARINT = 0;
const I32 = 5;
const LEN = 2;
const tag = (w: W, field: number, wire: number): W => w.uint32((field << 3) | wire);
// proto3 leaves a scalar at its default ('', 0) off the wire, as protobufjs's generated encoders do.
const str = (w: W, field: number, v: string): W => (v === '' ? w : tag(w, field, LEN).string(v));
const int = (w: W, field: number, v: number): W => (v === 0 ? w : tag(w, field, VARINT).int64(v));
function msg<T>(w: W, field: number, v: T, enc: (w: W, v: T) => void): void {
  tag(w, field, LEN).fork();
  enc(w, v);
  w.ldelim();
}

function attribute(w: W, a: AttributeProto): void {
  str(w, 1, a.name);
  if (a.f !== undefined && !Object.is(a.f, 0)) tag(w, 2, I32).float(a.f);
  if (a.i !== undefined) int(w, 3, a.i);
  if (a.s !== undefined) tag(w, 4, LEN).bytes(a.s);
  if (a.floats !== undefined) { tag(w, 7, LEN).fork(); for (const f of a.floats) w.float(f); w.ldelim(); }
  if (a.ints !== undefined) { tag(w, 8, LEN).fork(); for (const i of a.ints) w.int64(i); w.ldelim(); }
  if (a.strings !== undefined) for (const b of a.strings) tag(w, 9, LEN).bytes(b);
  tag(w, 20, VARINT).int32(a.type);
}

function tensor(w: W, t: TensorProto): void {
  if (t.dims.length) { // a scalar's empty dims list is left off, as protobufjs does
    tag(w, 1, LEN).fork();
    for (const d of t.dims) w.int64(d);
    w.ldelim();
  }
  tag(w, 2, VARINT).int32(t.dataType);
  str(w, 8, t.name);
  tag(w, 9, LEN).bytes(t.rawData);
}

function node(w: W, n: NodeProto): void {
  for (const s of n.input) str(w, 1, s);
  for (const s of n.output) str(w, 2, s);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const a of n.attribute) msg(w, 5, a, attribute);
}

function valueInfo(w: W, v: ValueInfoProto): void {
  str(w, 1, v.name);
  msg(w, 2, v.type, (w2, t) => msg(w2, 1, t.tensorType, (w3, tt) => {
    tag(w3, 1, VARINT).int32(tt.elemType);
    msg(w3, 2, tt.shape, (w4, s) => {
      for (const d of s.dim) msg(w4, 1, d, (w5, dd) => { if ('dimValue' in dd) int(w5, 1, dd.dimValue); else str(w5, 2, dd.dimParam); });
    });
  }));
}

function graph(w: W, g: GraphProto): void {
  for (const n of g.node) msg(w, 1, n, node);
  str(w, 2, g.name);
  for (const t of g.initializer) msg(w, 5, t, tensor);
  for (const v of g.input) msg(w, 11, v, valueInfo);
  for (const v of g.output) msg(w, 12, v, valueInfo);
}

/** A ModelProto as protobuf bytes. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = pb.Writer.create();
  int(w, 1, m.irVersion);
  str(w, 2, m.producerName);
  str(w, 3, m.producerVersion);
  msg(w, 7, m.graph, graph);
  for (const o of m.opsetImport) msg(w, 8, o, (w2, v) => { str(w2, 1, v.domain); int(w2, 2, v.version); });
  for (const p of m.metadataProps) msg(w, 14, p, (w2, v) => { str(w2, 1, v.key); str(w2, 2, v.value); });
  return w.finish();
}

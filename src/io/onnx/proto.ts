/**
 * @file The part of the ONNX protobuf schema (onnx/onnx.proto, IR version 8) that an exported
 * inference graph uses, as a protobufjs JSON descriptor, and the encoder. The field numbers are the
 * schema's; encoding is protobufjs's (a maintained, pure-JS implementation), so no wire format is
 * written by hand here.
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */
import protobuf from 'protobufjs/light.js';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const one = (type: string, id: number) => ({ type, id });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: one('int64', 1), opsetImport: repeated('OperatorSetIdProto', 8), producerName: one('string', 2),
            producerVersion: one('string', 3), domain: one('string', 4), modelVersion: one('int64', 5), docString: one('string', 6),
            graph: one('GraphProto', 7), metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: { fields: { domain: one('string', 1), version: one('int64', 2) } },
        StringStringEntryProto: { fields: { key: one('string', 1), value: one('string', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1), name: one('string', 2), initializer: repeated('TensorProto', 5), docString: one('string', 10),
            input: repeated('ValueInfoProto', 11), output: repeated('ValueInfoProto', 12), valueInfo: repeated('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1), output: repeated('string', 2), name: one('string', 3), opType: one('string', 4),
            attribute: repeated('AttributeProto', 5), docString: one('string', 6), domain: one('string', 7),
          },
        },
        AttributeProto: {
          fields: {
            name: one('string', 1), f: one('float', 2), i: one('int64', 3), s: one('bytes', 4), t: one('TensorProto', 5),
            floats: { ...repeated('float', 7), options: { packed: true } }, ints: { ...repeated('int64', 8), options: { packed: true } },
            type: one('int32', 20),
          },
        },
        TensorProto: {
          fields: {
            dims: { ...repeated('int64', 1), options: { packed: true } }, dataType: one('int32', 2), name: one('string', 8),
            rawData: one('bytes', 9), docString: one('string', 12),
          },
        },
        ValueInfoProto: { fields: { name: one('string', 1), type: one('TypeProto', 2), docString: one('string', 3) } },
        TypeProto: { fields: { tensorType: one('TypeProtoTensor', 1) } },
        TypeProtoTensor: { fields: { elemType: one('int32', 1), shape: one('TensorShapeProto', 2) } },
        TensorShapeProto: { fields: { dim: repeated('TensorShapeDimension', 1) } },
        TensorShapeDimension: { oneofs: { value: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: one('int64', 1), dimParam: one('string', 2) } },
      },
    },
  },
};

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float32: 1, int64: 7, bool: 9, float64: 11 } as const;
/** AttributeProto.AttributeType values used here. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

let modelType: protobuf.Type | null = null;

/** The ModelProto type (built once, on first use). */
function model(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}

/** Plain-object ModelProto (camelCase field names as in DESCRIPTOR) -> protobuf bytes. */
export function encodeModel(value: Record<string, unknown>): Uint8Array {
  const t = model();
  const problem = t.verify(value);
  // A verify failure is a bug in the exporter, not bad user input.
  if (problem) throw new Error(`exportOnnx: internal error, invalid ModelProto: ${problem}`);
  return t.encode(t.fromObject(value)).finish();
}

/** protobuf bytes -> plain ModelProto object (used by tests and `plexus info` on .onnx files). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const t = model();
  return t.toObject(t.decode(bytes), { longs: Number, bytes: Array }) as Record<string, unknown>;
}

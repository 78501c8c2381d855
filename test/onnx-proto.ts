/**
 * @file The ONNX schema subset as a protobufjs reflection descriptor (field numbers and wire types
 * from onnx/onnx.proto), for tests: it decodes what io.exportOnnx writes with an implementation
 * independent of src/io/onnx/proto.ts's static encoders.
 */
import protobuf from 'protobufjs/light.js';

const repeated = (type: string, id: number, packed = false) => ({ rule: 'repeated', type, id, ...(packed ? { options: { packed: true } } : {}) });
const one = (type: string, id: number) => ({ type, id });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: one('int64', 1), opsetImport: repeated('OperatorSetIdProto', 8), producerName: one('string', 2),
            producerVersion: one('string', 3), graph: one('GraphProto', 7), metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: { fields: { domain: one('string', 1), version: one('int64', 2) } },
        StringStringEntryProto: { fields: { key: one('string', 1), value: one('string', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1), name: one('string', 2), initializer: repeated('TensorProto', 5),
            input: repeated('ValueInfoProto', 11), output: repeated('ValueInfoProto', 12),
          },
        },
        NodeProto: {
          fields: { input: repeated('string', 1), output: repeated('string', 2), name: one('string', 3), opType: one('string', 4), attribute: repeated('AttributeProto', 5) },
        },
        AttributeProto: {
          fields: {
            name: one('string', 1), f: one('float', 2), i: one('int64', 3), s: one('bytes', 4),
            floats: repeated('float', 7, true), ints: repeated('int64', 8, true), strings: repeated('bytes', 9), type: one('int32', 20),
          },
        },
        TensorProto: { fields: { dims: repeated('int64', 1, true), dataType: one('int32', 2), name: one('string', 8), rawData: one('bytes', 9) } },
        ValueInfoProto: { fields: { name: one('string', 1), type: one('TypeProto', 2) } },
        TypeProto: { fields: { tensorType: one('TypeProtoTensor', 1) } },
        TypeProtoTensor: { fields: { elemType: one('int32', 1), shape: one('TensorShapeProto', 2) } },
        TensorShapeProto: { fields: { dim: repeated('TensorShapeDimension', 1) } },
        TensorShapeDimension: { oneofs: { value: { oneof: ['dimValue', 'dimParam'] } }, fields: { dimValue: one('int64', 1), dimParam: one('string', 2) } },
      },
    },
  },
};

export const MODEL_PROTO = protobuf.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');

/** ONNX bytes -> plain object (int64 as numbers, bytes as arrays). */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  return MODEL_PROTO.toObject(MODEL_PROTO.decode(bytes), { longs: Number, bytes: Array }) as Record<string, unknown>;
}

/** Decoded by reflection and encoded again: equal to the input when both agree on the schema. */
export function reencode(bytes: Uint8Array): Uint8Array {
  return MODEL_PROTO.encode(MODEL_PROTO.decode(bytes)).finish();
}

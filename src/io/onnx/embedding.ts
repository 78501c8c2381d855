/**
 * @file ONNX lowering of nn.Embedding as Gather over its weight. Indices are integers, so an
 * Embedding exports as the model's first layer (the model itself or the first module of a
 * Sequential chain): exportOnnx then declares the graph input int64 (ONNX's index type; plexus's
 * forward takes int32 indices, the same values). Anywhere else its input would be a float value,
 * which is refused with an OnnxExportError.
 */
import type { Embedding } from '../../nn/linear.js';
import type { OnnxGraph, Value } from './graph.js';
import { OnnxExportError, join, registerOnnxLowering } from './lowerings.js';

/** Module types whose input is integer indices (the graph input is then int64). */
export const INDEX_INPUT_TYPES = new Set<string>(['Embedding']);

function embedding(g: OnnxGraph, m: Embedding, x: Value, path: string): Value {
  if (x.dtype !== 'int64') {
    throw new OnnxExportError(`exportOnnx: ${path || '(root)'} Embedding takes integer indices, so it exports only as the model's first layer (the graph input is then int64); here its input is a float value`, path, 'Embedding');
  }
  return g.op('Gather', [g.weight(join(path, 'weight'), m.weight), x], [...x.shape, m.embeddingDim], { axis: { int: 0 } }, join(path, 'out'));
}

registerOnnxLowering('Embedding', (g, m, x, path) => embedding(g, m as Embedding, x, path));

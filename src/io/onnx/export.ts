/**
 * @file `io.exportOnnx(model, { inputShape, opset })`: a plexus model as an ONNX inference graph
 * (protobuf bytes), runnable by ONNX Runtime and any other ONNX consumer. The graph computes the
 * model's eval-mode forward (Dropout as identity, BatchNorm with its running statistics); the
 * weights are initializers in the model's dtype (float32 or float64). The input is of that dtype too,
 * except for a model that starts with an Embedding, whose input is int64 indices.
 *
 * Which modules export: every type with a lowering (lowerings.ts, modules.ts, kan.ts, mlp-family.ts,
 * recurrent.ts, linear-attention.ts, seq-mixers.ts, embedding.ts;
 * `io.onnxExportableTypes()` lists them). Anything else is an OnnxExportError naming the module's
 * path and type, raised before any byte is produced.
 * ONNX spec: https://onnx.ai/onnx/intro/concepts.html
 */
import { checkOptions } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';
import { isFloat } from '../../core/dtype.js';
import type { Sequential } from '../../nn/container.js';
import type { Module } from '../../nn/module.js';
import { plexusVersion } from '../model.js';
import { type Dim, type FloatKind, OnnxGraph, type Value } from './graph.js';
import { lower } from './lowerings.js';
import { INDEX_INPUT_TYPES } from './embedding.js';
import { ONNX_DTYPE, type ValueInfoProto, encodeModel } from './proto.js';
import './modules.js';
import './kan.js';
import './attention.js';
import './mlp-family.js';
import './recurrent.js';
import './linear-attention.js';
import './seq-mixers.js';
import './embedding.js';

/** The opsets the lowerings are written for (13: Unsqueeze/Slice axes as inputs; 19: what ONNX Runtime 1.16 runs). */
export const ONNX_OPSETS = { min: 13, max: 19, default: 17 } as const;

export interface ExportOnnxOptions {
  /** The input's shape; null (or -1) marks a dynamic dimension, e.g. [null, 784] for any batch size. */
  inputShape: readonly (number | null)[];
  /** Default opset 17 (LayerNormalization as one operator); 13..19. */
  opset?: number;
  /** Graph input / output names (default 'input' / 'output'). */
  inputName?: string;
  outputName?: string;
  /**
   * Per-feature standardisation to put in front of the model, (x - mean) / std over the last axis,
   * so the graph takes raw features (what `plexus export` does for a model trained by the CLI).
   */
  standardize?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** Extra metadata_props (string -> string). */
  metadata?: Readonly<Record<string, string>>;
}

/** ONNX IR version of the opset's ONNX release. */
function irVersion(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : 9;
}

function modelFloat(model: Module): FloatKind {
  const kinds = new Set<string>();
  for (const [, t] of model.namedParameters()) kinds.add(t.dtype);
  for (const [, t] of model.stateDict()) if (isFloat(t.dtype)) kinds.add(t.dtype);
  if (kinds.size > 1) throw new ValueError(`exportOnnx: the model mixes dtypes ${[...kinds].join(', ')}; convert it with model.to(dtype) first`, 'MIXED_DTYPE');
  const [k] = kinds;
  return k === 'float64' ? 'float64' : 'float32';
}

/** The module the graph input reaches first (through the first child of each Sequential). */
function firstModule(model: Module): Module {
  let m = model;
  while (m.getConfig().type === 'Sequential') {
    const first = [...(m as Sequential)][0];
    if (!first) break;
    m = first;
  }
  return m;
}

function checkShape(shape: unknown): Dim[] {
  if (!Array.isArray(shape) || shape.length < 1) throw new ValueError(`exportOnnx: inputShape must be a non-empty array of sizes (null or -1 for dynamic), got ${JSON.stringify(shape)}`, 'INVALID_ARGUMENT');
  return shape.map((d, i) => {
    if (d === null || d === -1) return null;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) throw new ValueError(`exportOnnx: inputShape[${i}] must be a positive integer, null or -1, got ${JSON.stringify(d)}`, 'INVALID_ARGUMENT');
    return d;
  });
}

function standardized(g: OnnxGraph, x: Value, s: { readonly mean: readonly number[]; readonly std: readonly number[] }): Value {
  const n = x.shape[x.shape.length - 1];
  const ok = (v: unknown, positive: boolean): v is number[] => Array.isArray(v) && v.length === n && v.every((e) => typeof e === 'number' && Number.isFinite(e) && (!positive || e > 0));
  if (typeof s !== 'object' || s === null || !ok(s.mean, false) || !ok(s.std, true)) {
    throw new ValueError(`exportOnnx: standardize must be { mean, std } with ${n ?? 'one per feature'} finite numbers each (std > 0) for the input's last dimension`, 'INVALID_ARGUMENT');
  }
  const centred = g.op('Sub', [x, g.constant('standardize.mean', s.mean, [s.mean.length])], x.shape, {}, 'standardize.centred');
  return g.op('Div', [centred, g.constant('standardize.std', s.std, [s.std.length])], x.shape, {}, 'standardize.out');
}

function valueInfo(name: string, elemType: number, shape: readonly Dim[]): ValueInfoProto {
  let dynamic = 0;
  const dim = shape.map((d) => (d === null ? { dimParam: dynamic++ === 0 ? 'N' : `d${dynamic - 1}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/**
 * The model as ONNX protobuf bytes (write them to `model.onnx`).
 * @example const bytes = io.exportOnnx(model, { inputShape: [null, 784] });
 */
export function exportOnnx(model: Module, opts: ExportOnnxOptions): Uint8Array {
  checkOptions('exportOnnx', opts, ['inputShape', 'opset', 'inputName', 'outputName', 'standardize', 'metadata']);
  if (opts === undefined) throw new ValueError('exportOnnx: options { inputShape } are required', 'INVALID_ARGUMENT');
  const shape = checkShape(opts.inputShape);
  const opset = opts.opset ?? ONNX_OPSETS.default;
  if (!Number.isInteger(opset) || opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    throw new ValueError(`exportOnnx: opset must be an integer in ${ONNX_OPSETS.min}..${ONNX_OPSETS.max}, got ${JSON.stringify(opset)}`, 'INVALID_ARGUMENT');
  }
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'output';
  for (const [k, v] of [['inputName', inputName], ['outputName', outputName]] as const) {
    if (typeof v !== 'string' || v === '') throw new ValueError(`exportOnnx: ${k} must be a non-empty string, got ${JSON.stringify(v)}`, 'INVALID_ARGUMENT');
  }
  if (inputName === outputName) throw new ValueError(`exportOnnx: inputName and outputName must differ, both are ${JSON.stringify(inputName)}`, 'INVALID_ARGUMENT');
  const float = modelFloat(model);
  const g = new OnnxGraph(float, opset);
  g.fresh(inputName);
  g.fresh(outputName);
  // A model that starts with an Embedding takes integer indices: the graph input is then int64.
  const indices = INDEX_INPUT_TYPES.has(String(firstModule(model).getConfig().type));
  if (indices && opts.standardize) throw new ValueError('exportOnnx: standardize applies to float features; this model starts with a module that takes integer indices', 'INVALID_ARGUMENT');
  const input: Value = indices ? { name: inputName, shape, dtype: 'int64' } : { name: inputName, shape };
  const out = lower(g, model, opts.standardize ? standardized(g, input, opts.standardize) : input, '');
  // Always an explicit last node, so the graph output has its own name even when the model is the identity.
  g.nodes.push({ opType: 'Identity', name: outputName, input: [out.name], output: [outputName], attribute: [] });
  const elem = ONNX_DTYPE[float];
  const metadata = { 'plexus.model': JSON.stringify(model.getConfig()), ...(opts.metadata ?? {}) };
  return encodeModel({
    irVersion: irVersion(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'plexus',
    producerVersion: plexusVersion(),
    graph: {
      name: String(model.getConfig().type),
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, indices ? ONNX_DTYPE.int64 : elem, shape)],
      output: [valueInfo(outputName, elem, out.shape)],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })),
  });
}

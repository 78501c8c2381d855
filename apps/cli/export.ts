/**
 * @file `plexus export <model.safetensors> --format onnx [--out file.onnx] [--opset N]
 * [--input-shape N,784] [--raw-standardized]`: a saved model as an ONNX graph (io.exportOnnx), so
 * it runs in ONNX Runtime, TensorRT, OpenVINO or a browser without plexus. For a model trained by
 * `plexus train`, the input shape comes from its feature columns and the saved standardisation is
 * put in front of the graph, so the ONNX model takes the same raw features as `plexus predict`
 * (its output: the logits for classification, the values for regression).
 */
import path from 'node:path';
import { loadModel, px } from './api.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import { readModelMeta } from './model-meta.js';
import { containedPath } from './paths.js';

const FORMATS = ['onnx'] as const;

function parseShape(text: string): (number | null)[] {
  const dims = text.split(',').map((s) => s.trim());
  if (dims.length === 0 || dims.some((d) => !/^(N|\d+)$/.test(d) || d === '0')) {
    throw new CliError('INVALID_ARGUMENT', `--input-shape must be comma-separated positive sizes, N for a dynamic one (e.g. N,784), got ${JSON.stringify(text)}`);
  }
  return dims.map((d) => (d === 'N' ? null : Number(d)));
}

function parseOpset(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const { min, max } = px.io.ONNX_OPSETS;
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError('INVALID_ARGUMENT', `--opset must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

export async function exportCommand(ctx: Ctx, file: unknown, flags: Readonly<Record<string, unknown>>): Promise<string> {
  if (typeof file !== 'string' || file === '') throw new CliError('MISSING_ARGUMENT', 'a model file is required: plexus export <model.safetensors> --format onnx');
  const format = flags.format ?? 'onnx';
  if (!FORMATS.includes(format as never)) throw new CliError('INVALID_ARGUMENT', `--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const opset = parseOpset(flags.opset);
  const outArg = typeof flags.out === 'string' ? flags.out : `${file.replace(/\.safetensors$/i, '')}.onnx`;
  // Checked before the model is read, so a bad path fails fast and nothing is written.
  const out = containedPath(ctx.cwd, outArg, 'output file (--out)');
  const { model, metadata } = await loadModel(path.resolve(ctx.cwd, file));
  const meta = Object.hasOwn(metadata, 'cli') ? readModelMeta(metadata, file) : null;
  let inputShape: (number | null)[];
  if (typeof flags.inputShape === 'string') inputShape = parseShape(flags.inputShape);
  else if (meta) inputShape = [null, meta.features.length];
  else throw new CliError('MISSING_ARGUMENT', `${file} was not written by plexus train, so its input shape is unknown: pass --input-shape (e.g. N,784)`);
  const standardize = meta && !flags.rawStandardized ? meta.standardizer : undefined;
  const bytes = px.io.exportOnnx(model, { inputShape, opset, standardize, metadata: { 'plexus.source': path.basename(file) } });
  await px.io.writeFileAtomic(out, bytes);
  const text = `wrote ${path.relative(ctx.cwd, out) || out} (ONNX opset ${opset ?? px.io.ONNX_OPSETS.default}, input [${inputShape.map((d) => d ?? 'N').join(', ')}]` +
    `${standardize ? ', raw features: the saved standardisation is in the graph' : ''}, ${bytes.length} bytes)\n`;
  ctx.io.out(text);
  return text;
}

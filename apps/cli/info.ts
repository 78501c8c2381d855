/**
 * @file `plexus info <model.safetensors>`: what a file holds, from its header alone (no tensor is
 * created, nothing is run): architecture, tensors with dtypes and shapes, metadata, and whether the
 * SHA-256 checksum plexus writes was present and verified. A corrupt file is the reader's typed
 * error (naming the file and the fault), exit code 1. Plain safetensors files from other writers
 * are shown too, without the model part.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { type ModelInfo, px, readModelInfo } from './api.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import { parseConfigBytes } from './json-file.js';

const CHECKSUM_KEY = px.io.CHECKSUM_KEY;

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** `{type: "MLP", sizes: [64,128,10], ...}` -> `MLP(sizes=[64,128,10], ...)`. */
function describeConfig(c: Readonly<Record<string, unknown>>): string {
  const args = Object.entries(c).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${String(c.type)}(${args.join(', ')})`;
}

function describeCli(v: unknown): string[] {
  if (typeof v !== 'object' || v === null) return [];
  const m = v as Record<string, unknown>;
  const classes = Array.isArray(m.classes) ? m.classes as unknown[] : null;
  const names = Array.isArray(m.features) ? (m.features as unknown[]).map(String) : [];
  const data = (m.data ?? {}) as Record<string, unknown>;
  return [
    `  task: ${String(m.task)}${classes ? `, ${classes.length} classes: ${classes.map(String).join(', ')}` : ''}`,
    `  inputs: ${names.length} features${typeof m.target === 'string' ? `, target column ${JSON.stringify(m.target)}` : ''}`,
    // Every name: these are the CSV columns `plexus predict --input` must have.
    `  feature columns (plexus predict reads these by name): ${names.join(', ')}`,
    `  standardisation: input = (raw - mean) / std per feature: ${describeStandardizer(names, m.standardizer)}`,
    `  trained on: ${String(data.name)} (seed ${String(data.seed)}${data.testFraction === null || data.testFraction === undefined ? '' : `, testFraction ${String(data.testFraction)}`}), loss ${String(m.loss)}`,
  ];
}

/** Per-feature statistics for a few features; their ranges for many. */
function describeStandardizer(names: readonly string[], st: unknown): string {
  const s = (typeof st === 'object' && st !== null ? st : {}) as { mean?: unknown; std?: unknown };
  const mean = Array.isArray(s.mean) ? (s.mean as number[]) : [];
  const std = Array.isArray(s.std) ? (s.std as number[]) : [];
  const g = (v: number | undefined): string => (typeof v === 'number' ? Number(v.toPrecision(4)).toString() : '?');
  if (names.length <= 12) return names.map((n, i) => `${n} ${g(mean[i])}/${g(std[i])}`).join(', ');
  const range = (v: number[]): string => `[${g(Math.min(...v))}, ${g(Math.max(...v))}]`;
  return `mean in ${range(mean)}, std in ${range(std)} (all ${names.length} in metadata.cli.standardizer)`;
}

type TensorRow = { name: string; dtype: string; shape: number[] };

function tensorTable(tensors: readonly TensorRow[]): string[] {
  const shapes = tensors.map((t) => `[${t.shape.join(', ')}]`);
  const w = Math.max(4, ...tensors.map((t) => t.name.length));
  const ws = Math.max(5, ...shapes.map((s) => s.length));
  return tensors.map((t, i) => `  ${t.name.padEnd(w)}  ${t.dtype.padEnd(4)}  ${shapes[i]!.padEnd(ws)}  ${t.shape.reduce((a, b) => a * b, 1)}`);
}

/** "plexus checkpoint (epoch 3, step 135)" from the checkpoint JSON, read with the strict parser. */
function checkpointFormat(text: string, file: string): string {
  const { value } = parseConfigBytes(new TextEncoder().encode(text), `${file}: metadata "${px.io.CHECKPOINT_KEY}"`);
  const h = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return `plexus checkpoint (epoch ${String(h.epoch)}, step ${String(h.step)}; load with io.loadCheckpoint)`;
}

export async function infoCommand(ctx: Ctx, file: unknown): Promise<string> {
  if (typeof file !== 'string' || file === '') throw new CliError('MISSING_ARGUMENT', 'a model file is required: plexus info <model.safetensors>');
  const abs = path.resolve(ctx.cwd, file);
  let info: ModelInfo | null = null;
  let plain: { tensors: TensorRow[]; metadata: Map<string, string> } | null = null;
  try {
    info = await readModelInfo(abs);
  } catch (e) {
    if (!(e instanceof px.ModelFormatError && e.code === 'MISSING_CONFIG')) throw e;
    const f = await px.io.readSafetensorsFile(abs);
    plain = { tensors: [...f.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), metadata: f.metadata };
  }
  const tensors = info?.tensors ?? plain!.tensors;
  const fileMeta = info?.fileMetadata ?? plain!.metadata;
  const values = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const lines = [`file: ${file} (${bytes(statSync(abs).size)})`];
  if (info) {
    lines.push(`format: plexus model v${info.version}, written by plexus ${info.plexusVersion}`);
    lines.push(`architecture: ${describeConfig(info.config)}`);
  } else {
    const ckpt = fileMeta.get(px.io.CHECKPOINT_KEY);
    lines.push(`format: ${ckpt === undefined ? 'plain safetensors (no plexus model config: weights only)' : checkpointFormat(ckpt, file)}`);
  }
  lines.push(`tensors: ${tensors.length}, ${values} values`, ...tensorTable(tensors));
  const meta = info?.metadata ?? {};
  if (Object.hasOwn(meta, 'cli')) lines.push('prediction metadata:', ...describeCli(meta.cli));
  const other = [...Object.keys(meta).filter((k) => k !== 'cli' && k !== 'config'), ...[...fileMeta.keys()].filter((k) => k !== CHECKSUM_KEY && k !== px.io.CHECKPOINT_KEY)];
  if (Object.hasOwn(meta, 'config')) lines.push(`training config: ${JSON.stringify(meta.config)}`);
  if (other.length) lines.push(`other metadata keys: ${other.join(', ')}`);
  // The reader verifies the checksum when present and throws CHECKSUM_MISMATCH otherwise, so here it matched.
  lines.push(`checksum: ${fileMeta.has(CHECKSUM_KEY) ? `sha256 verified (${fileMeta.get(CHECKSUM_KEY)!.slice(0, 16)}…)` : 'none (file not written by plexus; integrity not checked)'}`);
  const text = `${lines.join('\n')}\n`;
  ctx.io.out(text);
  return text;
}

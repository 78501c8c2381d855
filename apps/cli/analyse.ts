/**
 * @file `plexus analyse <model.safetensors> [--data <set>] [--against other.safetensors] [--out dir]`:
 * a look inside trained networks (src/analysis). Always: the weight spectra of every layer (alpha,
 * weighted alpha, stable rank, spectral norm, Marchenko–Pastur spikes) with ESD plots. With --data:
 * activation statistics per layer on up to --samples test samples, prepared as the model was trained
 * (its saved standardisation). With --against and --data: linear CKA between every layer of one and
 * every layer of the other, as a heatmap. Writes report.json and the plots (.svg and .png) into a
 * run folder (as `plexus train`). Sections live in analyse-sections.ts, one entry each.
 * Flags are checked before anything is read, and the folder is claimed only after every analysis
 * succeeded, so a refused or failed invocation writes nothing.
 */
import path from 'node:path';
import { loadModel, px } from './api.js';
import type { TrainConfig } from './config-schema.js';
import { type Ctx, shown } from './context.js';
import { builtinEvalData, csvModelInput } from './data.js';
import { CliError } from './errors.js';
import { type Spec, parseSpec } from './eval.js';
import { withBackend } from './model-io.js';
import { type ModelMeta, readModelMeta } from './model-meta.js';
import { claimNewRunDir, resolveRunDir, writeRunFile } from './run-dir.js';
import { type AnalyseInput, SECTIONS } from './analyse-sections.js';

type Tensor = InstanceType<typeof px.Tensor>;

export interface AnalyseResult {
  runDir: string;
  report: Record<string, unknown>;
  files: string[];
}

function samplesFlag(v: unknown): number {
  if (v === undefined) return 1000;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(Number.isInteger(n) && n >= 4)) throw new CliError('INVALID_ARGUMENT', `--samples must be an integer >= 4, got ${JSON.stringify(v)}`);
  return n;
}

function fileFlag(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new CliError('MISSING_ARGUMENT', `${what} is required`);
  return v;
}

/** The data's first `samples` rows, prepared with `meta` (each model's own standardisation, the same samples). */
function dataFor(ctx: Ctx, spec: Exclude<Spec, { kind: 'trained' }>, meta: ModelMeta, flags: Readonly<Record<string, unknown>>, samples: number): { x: Tensor; note: string } {
  let x: Tensor;
  let note: string;
  if (spec.kind === 'csv') {
    x = csvModelInput(ctx, spec.file, meta, false, typeof flags.target === 'string' ? flags.target : undefined).x;
    note = spec.file;
  } else {
    const b = builtinEvalData(ctx, spec.name, meta, typeof flags.dir === 'string' ? flags.dir : undefined);
    x = b.x;
    note = b.note;
  }
  const n = Math.min(samples, x.shape[0]!);
  return { x: n < x.shape[0]! ? px.sliceAxis(x, 0, 0, n) : x, note: `${n} samples of ${note}` };
}

/** Runs `plexus analyse`. */
export async function analyseCommand(ctx: Ctx, file: unknown, flags: Readonly<Record<string, unknown>>): Promise<AnalyseResult> {
  const modelFile = fileFlag(file, 'a model file (plexus analyse <model.safetensors>)');
  const againstFile = flags.against === undefined ? null : fileFlag(flags.against, '--against <file>');
  const spec = flags.data === undefined ? null : (parseSpec(flags.data) as Exclude<Spec, { kind: 'trained' }>);
  const samples = samplesFlag(flags.samples);
  if (flags.samples !== undefined && spec === null) throw new CliError('INVALID_ARGUMENT', '--samples needs --data');
  const planned = resolveRunDir(ctx, { out: flags.out, name: flags.name } as TrainConfig);
  return withBackend(flags.backend, async () => {
    const a = await loadModel(path.resolve(ctx.cwd, modelFile));
    const b = againstFile === null ? null : await loadModel(path.resolve(ctx.cwd, againstFile));
    const input: AnalyseInput = {
      model: { file: modelFile, module: a.model },
      against: b ? { file: againstFile!, module: b.model } : null,
      x: null, xAgainst: null, dataNote: null,
    };
    if (spec) {
      const metaA = readModelMeta(a.metadata, modelFile);
      const da = dataFor(ctx, spec, metaA, flags, samples);
      input.x = da.x;
      input.dataNote = da.note;
      if (b) {
        // The other model's own standardisation, on model A's split (same samples for CKA).
        input.xAgainst = Object.hasOwn(b.metadata, 'cli') ? dataFor(ctx, spec, { ...readModelMeta(b.metadata, againstFile!), data: metaA.data }, flags, samples).x : da.x;
      }
    }
    const sections: Record<string, unknown> = {};
    const lines: string[] = [];
    const plots: { file: string; scene: px.analysis.Scene }[] = [];
    for (const s of SECTIONS) {
      if (!s.applies(input)) continue;
      const out = s.run(input);
      sections[s.key] = out.json;
      lines.push(...out.lines);
      plots.push(...out.plots);
    }
    const report = {
      command: 'analyse', model: modelFile, against: againstFile,
      data: spec ? { spec: flags.data, note: input.dataNote } : null,
      sections,
    };
    ctx.io.out(`${lines.join('\n')}\n`);
    const claim = claimNewRunDir(ctx, planned, { command: 'analyse', model: modelFile, against: againstFile, data: flags.data ?? null });
    try {
      const files = ['report.json'];
      await writeRunFile(claim.dir, 'report.json', `${JSON.stringify(report, null, 2)}\n`);
      for (const p of plots) {
        await writeRunFile(claim.dir, `${p.file}.svg`, px.analysis.renderSvg(p.scene));
        await px.io.writeFileAtomic(path.join(claim.dir, `${p.file}.png`), px.analysis.renderPng(p.scene));
        files.push(`${p.file}.svg`, `${p.file}.png`);
      }
      ctx.io.out(`wrote ${files.map((f) => shown(ctx, path.join(claim.dir, f))).join(', ')}\n`);
      return { runDir: claim.dir, report, files };
    } finally {
      claim.release();
    }
  });
}

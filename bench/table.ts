/**
 * @file The README's speed table from the JSON lines of one `npm run bench` run:
 * `node dist/bench/table.js [run.jsonl]` (standard input when no file is named) prints it in Markdown.
 * One row per workload and thread count (a's and f's sizes and g's batch sizes joined in one row with
 * " / ") with plexus's figure, PyTorch's and TF.js wasm's, the ratios plexus / peer (always "higher is better for plexus": for times the peer's
 * time over plexus's), each marked paired or unpaired by how the workload measured it
 * (docs/benchmarks.md "Interleaving and paired ratios"), and the peak RSS of plexus's and PyTorch's
 * processes; then a caption from the run's `{"workload": "env"}` line (date, machine, Node, plexus
 * and its wasm SIMD build, torch and its BLAS, TF.js) and the load averages the lines saw.
 *
 * PyTorch is the `torch-openblas` peer when the run has one, else `torch` (the caption names its
 * BLAS). Lines that are not JSON (workload memory's progress), lines of workloads without a speed
 * figure against a peer (sparse, algorithms, noise, memory) and env lines make no row.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Line = Record<string, unknown>;

/** A table row: its cells as printed. */
export interface Row {
  workload: string;
  threads: string;
  plexus: string;
  torch: string;
  tfjs: string;
  ratioTorch: string;
  ratioTfjs: string;
  rssPlexus: string;
  rssTorch: string;
}

/** The JSON object lines of a run's output; anything else (progress text, blank lines) is skipped. */
export function parseLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const s = raw.trim();
    if (!s.startsWith('{')) continue;
    try {
      const v = JSON.parse(s) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Line);
    } catch {
      // a truncated line (a run cut short): no row
    }
  }
  return out;
}

/** 24,329 / 612 / 30.8 / 4.1 / 0.63: about three significant digits, thousands separated. */
export function fmt(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  return a >= 1 ? v.toFixed(1) : v.toFixed(2);
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The PyTorch peer a line is compared with: over OpenBLAS when the run has that peer. */
function torchName(line: Line): string {
  return 'torch-openblas' in obj(line.peers) || 'torch-openblas' in obj(line.ratios) || 'torch-openblas' in obj(line.speedRatio) ? 'torch-openblas' : 'torch';
}

/** Whether a line's TF.js figure was repeated from another thread count's pass (then not paired). */
const tfjsRepeated = (line: Line): boolean => ((line.notes as string[] | undefined) ?? []).some((n) => /tfjs.*repeated/.test(n));

/** How each workload pairs its ratios (docs/benchmarks.md), per peer kind. */
const PAIRED: Record<string, { torch: boolean; tfjs: (line: Line) => boolean }> = {
  a: { torch: true, tfjs: (l) => !tfjsRepeated(l) },
  b: { torch: true, tfjs: () => false },
  c: { torch: false, tfjs: () => false },
  d: { torch: false, tfjs: () => false },
  e: { torch: true, tfjs: () => false },
  f: { torch: true, tfjs: () => false },
  g: { torch: true, tfjs: () => true },
  h: { torch: true, tfjs: () => false },
  image: { torch: true, tfjs: () => false },
  mixer: { torch: true, tfjs: () => false },
  ntk: { torch: false, tfjs: () => false },
  attn: { torch: true, tfjs: () => false },
};

/**
 * What a line measured: the row's name, and for lines that share a row (sizes of a and f, batches of
 * g) the name and value of what differs between them.
 */
function label(line: Line): { name: string; sub?: [string, string] } | null {
  const w = String(line.workload);
  switch (w) {
    case 'a':
      if (line.metric === 'f32x4_peak_gflops') return { name: 'a. f32x4 ceiling (1 core)' };
      return { name: 'a. GEMM float32', sub: ['n', String(line.n)] };
    case 'b': return { name: 'b. MLP 784-256-256-10, Fashion-MNIST, batch 128' };
    case 'c': return { name: 'c. 2-64-64-1 tanh, batch 32' };
    case 'd': return { name: line.model === 'fastkan' ? 'd. FastKAN [784,64,10]' : 'd. KAN [784,64,10], batch 128' };
    case 'e': return { name: 'e. LSTM(64, 256), seq 100, batch 32' };
    case 'f':
      if (line.metric === 'f64x2_peak_gflops') return { name: 'f. f64x2 ceiling (1 core)' };
      return line.metric === 'gemm_gflops' ? { name: 'f. GEMM float64', sub: ['n', String(line.n)] } : { name: 'f. float64 MLP 32-256-256-1, batch 1024' };
    case 'g': return { name: 'g. inference 784-256-256-10', sub: ['batch', String(line.batch)] };
    case 'h': return { name: 'h. MLP 784-3x512-10 training, batch 256' };
    case 'image': return { name: 'image. Fourier features + 3x128 MLP, 12,544 pixels' };
    case 'mixer': return { name: 'mixer. MLP-Mixer (MX1), batch 128' };
    case 'ntk': return { name: `ntk. empirical NTK, ${String(line.samples)} samples, float64` };
    case 'attn': return { name: 'attn. causal attention seq 256, dim 256: fwd / fwd+bwd' };
    case 'decode': return { name: 'decode. KV-cached TransformerLM: MHA / GQA / MQA' };
    default: return null;
  }
}

const UNIT: Record<string, string> = {
  gflops: 'GFLOPS', f32x4_peak_gflops: 'GFLOPS', f64x2_peak_gflops: 'GFLOPS', gemm_gflops: 'GFLOPS', samples_per_s: 'samples/s', steps_per_s: 'steps/s',
  train_steps_per_s: 'steps/s', mlp_steps_per_s: 'steps/s', inference_calls_per_s: 'calls/s', seconds: 's', ms_per_call: 'ms', tokens_per_s: 'tokens/s',
};

/** A figure: a number, or the parts of a composite figure (attn's fwd / fwd+bwd, decode's variants). */
function figure(line: Line, v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return fmt(v);
  const o = obj(v);
  switch (String(line.workload)) {
    case 'g': return fmt(num(o.callsPerSec));
    case 'attn': return `${fmt(num(o.fwdMs))} / ${fmt(num(o.fwdBwdMs))}`;
    case 'decode': return `${fmt(num(o.mha))} / ${fmt(num(o.gqa))} / ${fmt(num(o.mqa))}`;
    case 'ntk': return fmt(num(o.seconds));
    default: return '-';
  }
}

/** One line's contribution to its row, before lines that share a row are joined. */
interface Part {
  key: string;
  name: string;
  sub?: [string, string];
  threads: string;
  unit: string;
  skipped?: string;
  plexus: string;
  torch: string;
  tfjs: string;
  /** Ratios plexus / peer (attn: fwd and fwd+bwd), and whether they are paired. */
  ratioTorch: (number | undefined)[];
  pairedTorch: boolean;
  ratioTfjs: number | undefined;
  pairedTfjs: boolean;
  rssPlexus: number | undefined;
  rssTorch: number | undefined;
}

/** A line's part of a row, or null for lines that make no row (see the file comment). */
function partOf(line: Line): Part | null {
  const l = label(line);
  if (l === null) return null;
  const w = String(line.workload);
  const torch = torchName(line);
  const peers = obj(line.peers);
  const ratios = obj(line.ratios);
  const pairing = PAIRED[w] ?? { torch: false, tfjs: () => false };
  const threads = num(line.threads) === undefined ? '-' : String(line.threads);
  const skipped = (line.skipped as string[] | undefined) ?? [];
  let ratioTorch = [num(ratios[torch])];
  if (w === 'attn') {
    const r = obj(obj(line.speedRatio)[torch]);
    ratioTorch = [num(r.fwd), num(r.fwdBwd)];
  }
  const rss = obj(line.peakRssMB);
  return {
    key: [w, String(line.metric), String(line.model ?? ''), threads].join('|'), ...l, threads, unit: UNIT[String(line.metric)] ?? '',
    ...(line.plexus === undefined && skipped.length ? { skipped: skipped[0]!.slice(0, 80) } : {}),
    plexus: figure(line, line.plexus), torch: figure(line, peers[torch]), tfjs: figure(line, peers['tfjs-wasm']),
    ratioTorch: w === 'd' && line.model === 'fastkan' ? [] : ratioTorch, pairedTorch: pairing.torch,
    ratioTfjs: num(ratios['tfjs-wasm']), pairedTfjs: pairing.tfjs(line),
    rssPlexus: num(rss.plexus), rssTorch: num(rss[torch]),
  };
}

/** "0.47 / 0.52x p": the ratios of a row's lines, with the pairing mark; '-' when there are none. */
function ratioCell(values: (number | undefined)[], paired: boolean): string {
  if (!values.some((v) => v !== undefined && Number.isFinite(v))) return '-';
  return `${values.map((v) => (v === undefined ? '-' : v.toFixed(2))).join(' / ')}x ${paired ? 'p' : 'u'}`;
}

/** Cells joined across a row's lines ("30.8 / 30.5"), or '-' when every one is missing. */
const joined = (cells: string[]): string => (cells.every((c) => c === '-') ? '-' : cells.join(' / '));

/** As `joined`, but one value when all are equal (a process's peak over g's batch sizes). */
const same = (cells: string[]): string => (cells.every((c) => c === cells[0]) ? cells[0]! : joined(cells));

/** Joins the parts of one row (same workload, metric, model and thread count). */
function rowOfParts(parts: Part[]): Row {
  const p0 = parts[0]!;
  const subs = parts.map((p) => p.sub).filter((x): x is [string, string] => x !== undefined);
  const name = subs.length ? `${p0.name}, ${subs[0]![0]}=${subs.map((x) => x[1]).join(' / ')}` : p0.name;
  if (p0.skipped !== undefined) return { workload: name, threads: p0.threads, plexus: `skipped: ${p0.skipped}`, torch: '-', tfjs: '-', ratioTorch: '-', ratioTfjs: '-', rssPlexus: '-', rssTorch: '-' };
  const plexus = joined(parts.map((p) => p.plexus));
  const rss = (v: number | undefined): string => (v === undefined ? '-' : String(Math.round(v)));
  return {
    workload: name,
    threads: p0.threads,
    plexus: plexus === '-' || !p0.unit ? plexus : `${plexus} ${p0.unit}`,
    torch: joined(parts.map((p) => p.torch)),
    tfjs: joined(parts.map((p) => p.tfjs)),
    ratioTorch: ratioCell(parts.flatMap((p) => p.ratioTorch), p0.pairedTorch),
    ratioTfjs: ratioCell(parts.map((p) => p.ratioTfjs), p0.pairedTfjs),
    rssPlexus: same(parts.map((p) => rss(p.rssPlexus))),
    rssTorch: same(parts.map((p) => rss(p.rssTorch))),
  };
}

/**
 * The table's rows in the order the run printed them: one per workload, metric, model and thread
 * count, the lines of one row (a's and f's sizes, g's batches) joined cell by cell with " / ".
 */
export function rows(lines: Line[]): Row[] {
  const groups = new Map<string, Part[]>();
  for (const line of lines) {
    const p = partOf(line);
    if (!p) continue;
    const g = groups.get(p.key);
    if (g) g.push(p);
    else groups.set(p.key, [p]);
  }
  return [...groups.values()].map(rowOfParts);
}

/** Every load average the lines report (a number, [before, after] or per library). */
function loads(lines: Line[]): number[] {
  const out: number[] = [];
  for (const l of lines) {
    if (l.workload === 'env') continue;
    const v = l.load ?? l.load1;
    const vs = typeof v === 'number' ? [v] : Array.isArray(v) ? v : Object.values(obj(v));
    for (const x of vs) if (typeof x === 'number') out.push(x);
  }
  return out;
}

/** The caption: when, where and with what the run was made (from its env line). */
export function caption(lines: Line[]): string {
  const env = lines.find((l) => l.workload === 'env');
  const seen = loads(lines);
  const load = seen.length ? `load average ${Math.min(...seen).toFixed(1)}-${Math.max(...seen).toFixed(1)} during the run` : '';
  if (!env) return `Machine and versions unknown (the run has no env line)${load ? `; ${load}` : ''}.`;
  const torchPeers = obj(env.torch);
  const torchKey = 'torch-openblas' in torchPeers ? 'torch-openblas' : 'torch';
  const t = obj(torchPeers[torchKey]);
  const wasm = obj(env.wasm);
  const tf = obj(env.tfjs);
  const parts = [
    `Measured ${String(env.date).slice(0, 10)} on ${String(env.cpu)} (${String(env.cores)} cores${env.memoryGB ? `, ${String(env.memoryGB)} GB` : ''})`,
    `Node ${String(env.node)}`,
    `plexus ${String(env.plexus)} (wasm, ${typeof wasm.simd === 'string' ? `${wasm.simd} SIMD` : 'SIMD build unknown'})`,
    t.version ? `PyTorch ${String(t.version)} over ${String(t.blas)}` : 'PyTorch not found',
    tf.core ? `TF.js ${String(tf.core)} (wasm backend)` : 'TF.js not installed',
  ];
  if (load) parts.push(load);
  return `${parts.join('; ')}.`;
}

/** The whole table: header, the rows, the legend and the caption. */
export function benchTable(lines: Line[]): string {
  const head = ['workload', 'threads', 'plexus', 'PyTorch', 'TF.js wasm', 'plexus / PyTorch', 'plexus / TF.js', 'peak RSS plexus (MB)', 'peak RSS PyTorch (MB)'];
  const cells = (r: Row): string[] => [r.workload, r.threads, r.plexus, r.torch, r.tfjs, r.ratioTorch, r.ratioTfjs, r.rssPlexus, r.rssTorch];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows(lines).map((r) => `| ${cells(r).join(' | ')} |`),
    '',
    'Ratios are plexus / peer (above 1: plexus faster; for times, the peer\'s time over plexus\'s). p: paired, the median over ' +
      'rounds of plexus / peer measured back to back in the same round; u: unpaired, a ratio of medians of runs made at different times. ' +
      'Peak RSS: the peak resident set of a process that ran only that library\'s side of the workload. Figures joined by " / " follow the row\'s sizes or variants.',
    '',
    caption(lines),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = process.argv[2];
  console.log(benchTable(parseLines(readFileSync(file ?? 0, 'utf8'))));
}

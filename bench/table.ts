/**
 * @file The README's speed table from the JSON lines of one `npm run bench` run:
 * `node dist/bench/table.js [run.jsonl]` (standard input when no file is named) prints it in Markdown.
 * One row per workload line (per size / batch / thread count) with plexus's figure, PyTorch's and
 * TF.js wasm's, the ratios plexus / peer (always "higher is better for plexus": for times the peer's
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
type Num = number | null | undefined;

/** A table row before formatting. */
export interface Row {
  workload: string;
  threads: number | string;
  plexus: string;
  torch: string;
  tfjs: string;
  ratioTorch: string;
  ratioTfjs: string;
  peakRss: string;
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
export function fmt(v: Num): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  return a >= 1 ? v.toFixed(1) : v.toFixed(2);
}

const ratio = (v: Num, paired: boolean): string => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(2)}x ${paired ? 'p' : 'u'}` : '-');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The PyTorch peer a line is compared with: over OpenBLAS when the run has that peer. */
function torchName(line: Line): string {
  return 'torch-openblas' in obj(line.peers) || 'torch-openblas' in obj(line.ratios) || 'torch-openblas' in obj(line.speedRatio) ? 'torch-openblas' : 'torch';
}

/** Whether a line's TF.js figure was repeated from another thread count's pass (then not paired). */
const tfjsRepeated = (line: Line): boolean => ((line.notes as string[] | undefined) ?? []).some((n) => /tfjs.*repeated/.test(n));

function peaks(line: Line, torch: string): string {
  const p = obj(line.peakRssMB);
  const mine = num(p.plexus);
  const theirs = num(p[torch]);
  if (mine === undefined) return '-';
  return theirs === undefined ? `${Math.round(mine)}` : `${Math.round(mine)} / ${Math.round(theirs)}`;
}

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

/** The row's first cell: what the line measured. */
function label(line: Line): string | null {
  const w = String(line.workload);
  switch (w) {
    case 'a': return `a. GEMM float32 n=${String(line.n)}`;
    case 'b': return 'b. MLP 784-256-256-10, Fashion-MNIST, batch 128';
    case 'c': return 'c. 2-64-64-1 tanh, batch 32';
    case 'd': return line.model === 'fastkan' ? 'd. FastKAN [784,64,10] (vs the B-spline KAN)' : 'd. KAN [784,64,10], batch 128';
    case 'e': return 'e. LSTM(64, 256), seq 100, batch 32';
    case 'f':
      if (line.metric === 'f64x2_peak_gflops') return 'f. f64x2 ceiling (1 core)';
      return line.metric === 'gemm_gflops' ? `f. GEMM float64 n=${String(line.n)}` : 'f. float64 MLP 32-256-256-1, batch 1024';
    case 'g': return `g. inference 784-256-256-10, batch ${String(line.batch)}`;
    case 'h': return 'h. MLP 784-3x512-10 training, batch 256';
    case 'image': return 'image. Fourier features + 3x128 MLP, 12,544 pixels';
    case 'mixer': return 'mixer. MLP-Mixer (MX1), batch 128';
    case 'ntk': return `ntk. empirical NTK, ${String(line.samples)} samples, float64`;
    case 'attn': return 'attn. causal attention seq 256, dim 256: fwd / fwd+bwd';
    case 'decode': return 'decode. KV-cached TransformerLM: MHA / GQA / MQA';
    default: return null;
  }
}

const UNIT: Record<string, string> = {
  gflops: 'GFLOPS', f64x2_peak_gflops: 'GFLOPS', gemm_gflops: 'GFLOPS', samples_per_s: 'samples/s', steps_per_s: 'steps/s',
  train_steps_per_s: 'steps/s', mlp_steps_per_s: 'steps/s', inference_calls_per_s: 'calls/s', seconds: 's', ms_per_call: 'ms', tokens_per_s: 'tokens/s',
};

/** A figure cell: a number, or the parts of a composite figure (attn's fwd / fwd+bwd, decode's variants). */
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

/** One row per line that has a speed figure (see the file comment); null for the others. */
export function rowOf(line: Line): Row | null {
  const name = label(line);
  if (name === null) return null;
  const w = String(line.workload);
  const torch = torchName(line);
  const peers = obj(line.peers);
  const ratios = obj(line.ratios);
  const pairing = PAIRED[w] ?? { torch: false, tfjs: () => false };
  const unit = UNIT[String(line.metric)] ?? '';
  const skipped = (line.skipped as string[] | undefined) ?? [];
  if (line.plexus === undefined && skipped.length) {
    return { workload: name, threads: '-', plexus: `skipped: ${skipped[0]!.slice(0, 80)}`, torch: '-', tfjs: '-', ratioTorch: '-', ratioTfjs: '-', peakRss: '-' };
  }
  let ratioTorch = ratio(num(ratios[torch]), pairing.torch);
  if (w === 'attn') {
    const s = obj(obj(line.speedRatio)[torch]);
    ratioTorch = typeof s.fwd === 'number' ? `${ratio(num(s.fwd), true).replace(/ p$/, '')} / ${ratio(num(s.fwdBwd), true)}` : '-';
  }
  if (w === 'd' && line.model === 'fastkan') ratioTorch = '-';
  const plexus = figure(line, line.plexus);
  return {
    workload: name,
    threads: num(line.threads) ?? '-',
    plexus: plexus === '-' || !unit ? plexus : `${plexus} ${unit}`,
    torch: figure(line, peers[torch]),
    tfjs: figure(line, peers['tfjs-wasm']),
    ratioTorch,
    ratioTfjs: ratio(num(ratios['tfjs-wasm']), pairing.tfjs(line)),
    peakRss: peaks(line, torch),
  };
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

/** The whole table: header, one row per line with a speed figure, the legend and the caption. */
export function benchTable(lines: Line[]): string {
  const rows = lines.map(rowOf).filter((r): r is Row => r !== null);
  const head = ['workload', 'threads', 'plexus', 'PyTorch', 'TF.js wasm', 'plexus / PyTorch', 'plexus / TF.js', 'peak RSS MB plexus / PyTorch'];
  const cells = (r: Row): string[] => [r.workload, String(r.threads), r.plexus, r.torch, r.tfjs, r.ratioTorch, r.ratioTfjs, r.peakRss];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
    '',
    'Ratios are plexus / peer (above 1: plexus faster; for times, peer time / plexus time). p: paired, the median over ' +
      'rounds run back to back of the two libraries of plexus / peer; u: unpaired, a ratio of medians of runs at different times. ' +
      'Peak RSS: the peak resident set of a process that ran only that library\'s side of the workload.',
    '',
    caption(lines),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = process.argv[2];
  console.log(benchTable(parseLines(readFileSync(file ?? 0, 'utf8'))));
}

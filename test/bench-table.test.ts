/**
 * @file bench/table.ts, the README speed table made from one `npm run bench` run's JSON lines: the
 * rows, cells, pairing marks and caption it prints for test/fixtures/bench-run.jsonl (lines printed by
 * short runs of every workload on 2026-12-03 on the development VM, under the first run's env line),
 * and the choices it makes on hand-written lines (the OpenBLAS peer first, skipped workloads, a run
 * without an env line).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { benchTable, caption, fmt, parseLines, rows } from '../bench/table.js';

// dist/test/x.js -> repo root is ../../; the fixtures are committed under test/fixtures/.
const SAMPLE = readFileSync(fileURLToPath(new URL('../../test/fixtures/bench-run.jsonl', import.meta.url)), 'utf8');
const lines = parseLines(SAMPLE);

/** A row as its Markdown cells, found by its first two cells. */
function row(workload: string, threads: string): string[] {
  const r = rows(lines).find((x) => x.workload === workload && x.threads === threads);
  assert.ok(r, `no row '${workload}' at ${threads} thread(s); rows: ${rows(lines).map((x) => `${x.workload} @ ${x.threads}`).join('; ')}`);
  return [r.plexus, r.torch, r.tfjs, r.ratioTorch, r.ratioTfjs, r.rssPlexus, r.rssTorch];
}

test('parseLines keeps JSON objects only (progress text and truncated lines are skipped)', () => {
  assert.equal(lines.length, SAMPLE.trim().split('\n').length - 1); // the sample has one progress line of workload memory
  assert.deepEqual(parseLines('npm output\n{"workload":"c"}\n{"workload":"h",\n[1]\n'), [{ workload: 'c' }]);
});

test('fmt: about three significant digits, thousands separated', () => {
  assert.deepEqual([24329, 612.4, 30.84, 4.1, 0.634, null, NaN].map(fmt), ['24,329', '612', '30.8', '4.1', '0.63', '-', '-']);
});

test('one row per workload, metric, model and thread count, in the order of the run; lines without a peer figure make none', () => {
  assert.deepEqual(rows(lines).map((r) => `${r.workload} @ ${r.threads}`), [
    'b. MLP 784-256-256-10, Fashion-MNIST, batch 128 @ 1',
    'c. 2-64-64-1 tanh, batch 32 @ 1',
    'h. MLP 784-3x512-10 training, batch 256 @ 1',
    'h. MLP 784-3x512-10 training, batch 256 @ 2',
    'g. inference 784-256-256-10, batch=1 / 8 @ 1',
    'g. inference 784-256-256-10, batch=1 / 8 @ 2',
    'a. GEMM float32, n=64 / 256 @ 1',
    'a. GEMM float32, n=64 / 256 @ 2',
    'f. f64x2 ceiling (1 core) @ 1',
    'f. float64 MLP 32-256-256-1, batch 1024 @ 1',
    'f. GEMM float64, n=256 @ 1',
    'f. float64 MLP 32-256-256-1, batch 1024 @ 2',
    'f. GEMM float64, n=256 @ 2',
    'e. LSTM(64, 256), seq 100, batch 32 @ 1',
    'image. Fourier features + 3x128 MLP, 12,544 pixels @ 1',
    'mixer. MLP-Mixer (MX1), batch 128 @ 1',
    'attn. causal attention seq 256, dim 256: fwd / fwd+bwd @ 1',
    'decode. KV-cached TransformerLM: MHA / GQA / MQA @ 1',
    'd. KAN [784,64,10], batch 128 @ 1',
    'd. FastKAN [784,64,10] @ 1',
    'ntk. empirical NTK, 32 samples, float64 @ -',
  ]);
});

test('cells: figures with the unit, ratios marked paired (p) or unpaired (u) by the workload protocol, peak RSS per side', () => {
  // c runs the libraries one after the other: unpaired.
  assert.deepEqual(row('c. 2-64-64-1 tanh, batch 32', '1'), ['2,058 steps/s', '1,802', '230', '1.14x u', '8.95x u', '102', '239']);
  // h interleaves rounds: paired; no TF.js peer.
  assert.deepEqual(row('h. MLP 784-3x512-10 training, batch 256', '2'), ['9.5 steps/s', '19.5', '-', '0.50x p', '-', '135', '306']);
  // g: both peers interleaved; one process's peak over both batch sizes is shown once.
  assert.deepEqual(row('g. inference 784-256-256-10, batch=1 / 8', '1'), ['15,735 / 4,319 calls/s', '4,015 / 3,724', '6,780 / 2,532', '3.99 / 1.16x p', '2.40 / 1.71x p', '84', '233']);
  // a at 2 threads: TF.js's 1-thread figure is repeated, so its ratio is unpaired; torch's is paired.
  assert.deepEqual(row('a. GEMM float32, n=64 / 256', '2'), ['11.1 / 7.8 GFLOPS', '26.0 / 42.7', '5.9 / 10.6', '0.46 / 0.25x p', '1.87 / 0.73x u', '113 / 116', '231 / 232']);
  assert.deepEqual(row('a. GEMM float32, n=64 / 256', '1').slice(3, 5), ['0.27 / 0.60x p', '2.06 / 1.55x p']);
  // attn: fwd and fwd+bwd in one cell, the speed ratio torch ms / plexus ms.
  assert.deepEqual(row('attn. causal attention seq 256, dim 256: fwd / fwd+bwd', '1'), ['836 / 612 ms', '113 / 86.9', '-', '0.38 / 0.16x p', '-', '187', '296']);
  // ntk: seconds, the ratio torch s / plexus s, one after the other.
  assert.deepEqual(row('ntk. empirical NTK, 32 samples, float64', '-'), ['0.15 s', '2.0', '-', '13.31x u', '-', '555', '513']);
  // No peer: plexus's figure and peak only.
  assert.deepEqual(row('decode. KV-cached TransformerLM: MHA / GQA / MQA', '1'), ['617 / 991 / 1,113 tokens/s', '-', '-', '-', '-', '107', '-']);
  assert.deepEqual(row('d. FastKAN [784,64,10]', '1'), ['20.5 steps/s', '-', '-', '-', '-', '1355', '-']);
  assert.deepEqual(row('mixer. MLP-Mixer (MX1), batch 128', '1'), ['4.3 steps/s', '7.1', '-', '0.61x p', '-', '649', '400']);
});

test('the table: header, separator, rows, legend and a caption from the env line', () => {
  const out = benchTable(lines).split('\n');
  assert.equal(out[0], '| workload | threads | plexus | PyTorch | TF.js wasm | plexus / PyTorch | plexus / TF.js | peak RSS plexus (MB) | peak RSS PyTorch (MB) |');
  assert.equal(out[1], '|---|---|---|---|---|---|---|---|---|');
  assert.equal(out[2], '| b. MLP 784-256-256-10, Fashion-MNIST, batch 128 | 1 | 9,155 samples/s | 17,686 | 1,892 | 0.52x p | 4.84x u | 379 | 480 |');
  assert.equal(out[3], '| c. 2-64-64-1 tanh, batch 32 | 1 | 2,058 steps/s | 1,802 | 230 | 1.14x u | 8.95x u | 102 | 239 |');
  assert.equal(out.filter((l) => l.startsWith('| ')).length, 1 + 21);
  assert.match(out.at(-3)!, /^Ratios are plexus \/ peer .* p: paired.* u: unpaired/);
  assert.equal(out.at(-1), 'Measured 2026-12-03 on AMD EPYC (2 cores, 23.5 GB); Node v20.20.2; plexus 0.1.0 (wasm, relaxed SIMD); '
    + 'PyTorch 1.13.0a0 over openblas; TF.js 4.22.0 (wasm backend); load average 5.8-13.5 during the run.');
});

test('PyTorch over OpenBLAS is the compared peer when the run has it; a skipped workload gets a row saying why', () => {
  const env = { workload: 'env', date: '2026-11-30T10:00:00.000Z', cpu: 'X', cores: 4, node: 'v22.1.0', plexus: '0.2.0', wasm: { simd: 'baseline', sharedMemory: true },
    torch: { 'torch': { version: '1.13.0', blas: 'generic (netlib)' }, 'torch-openblas': { version: '1.13.0', blas: 'openblas' } }, tfjs: { core: null }, load: [1, 1, 1] };
  const b = { workload: 'b', metric: 'samples_per_s', threads: 1, plexus: 24329, peers: { 'torch': 9000, 'torch-openblas': 35165, 'tfjs-wasm': 1347 },
    ratios: { 'torch': 2.7, 'torch-openblas': 0.7, 'tfjs-wasm': 18.06 }, peakRssMB: { 'plexus': 366, 'torch': 480, 'torch-openblas': 514 }, load: { plexus: 0.5, torch: 2.24 } };
  const mixer = { workload: 'mixer', skipped: ['Fashion-MNIST not found (apt-get install dataset-fashion-mnist)'] };
  const rs = rows([env, b, mixer]);
  assert.deepEqual(rs[0], { workload: 'b. MLP 784-256-256-10, Fashion-MNIST, batch 128', threads: '1', plexus: '24,329 samples/s', torch: '35,165', tfjs: '1,347',
    ratioTorch: '0.70x p', ratioTfjs: '18.06x u', rssPlexus: '366', rssTorch: '514' });
  assert.equal(rs[1]!.plexus, 'skipped: Fashion-MNIST not found (apt-get install dataset-fashion-mnist)');
  assert.equal(caption([env, b]), 'Measured 2026-11-30 on X (4 cores); Node v22.1.0; plexus 0.2.0 (wasm, baseline SIMD); PyTorch 1.13.0 over openblas; '
    + 'TF.js not installed; load average 0.5-2.2 during the run.');
  assert.equal(caption([b]), 'Machine and versions unknown (the run has no env line); load average 0.5-2.2 during the run.');
});

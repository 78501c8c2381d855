/**
 * @file Workload a of ../shared/bench/WORKLOADS.md: square float32 GEMM, C = A·B, n in
 * {64, ..., 1024}, entries uniform in [-1, 1). Per call a complete C readable from JS (tfjs:
 * matMul + dataSync). Warm-up >= 2 calls and 0.1 s; calls per rep = ceil(0.25 s / call time);
 * 5 reps; GFLOPS = 2n^3·calls / s, median. Prints one JSON line per (n, threads) with plexus,
 * each peer and the ratios plexus / peer.
 *
 * The peers run interleaved with plexus per n (Python peers in persistent child processes), so a busy
 * machine skews all figures of one line alike and the ratios stay meaningful.
 * TensorFlow.js has no thread control in Node (its wasm backend is single-threaded there), so it
 * is measured once, in the 1-thread pass, and repeated on the 2-thread lines with a note.
 *
 * On a shared, busy machine wall-clock figures mostly measure the scheduler, so 1-thread lines
 * also carry `cpu`: the same protocol timed by process CPU seconds (time actually on a core), and
 * `load`, the 1-minute load average when the line was measured. WORKLOADS.md's figure is `plexus`
 * / `peers` (wall clock); `cpu` is the tie-breaker when `load` is well above the thread count.
 * `--best` adds `best`: the fastest of 30 windows of >= 20 ms per library, which on a busy machine
 * is the closest to its uncontended speed (a short window often runs without being preempted).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as px from '../src/index.js';
import { createWasmBackend, getNumThreads, setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { torchPeers } from './common.js';

export const SIZES = [64, 128, 256, 512, 1024];

export interface GemmBenchOptions {
  sizes?: number[];
  threads?: number[];
  /** Skip TensorFlow.js's cpu backend (0.5 GFLOPS: ~25 s at n = 1024). */
  skipTfjsCpu?: boolean;
  /** Also report `best`: the fastest of 30 short windows (see measure). */
  best?: boolean;
}

interface Measured {
  /** Median over reps of 2n^3·calls / wall seconds (the WORKLOADS.md figure). */
  gflops: number;
  /** The same with process CPU seconds instead of wall seconds (see runGemm). */
  cpuGflops: number;
  /** With `best`: the fastest of 30 windows of >= 20 ms (uncontended speed on a busy machine). */
  bestGflops?: number;
  reps: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The WORKLOADS.md protocol around one call; `best` adds the fastest of 30 short windows. */
export function measure(call: () => void, n: number, best = false): Measured {
  let calls = 0;
  const t0 = performance.now();
  while (calls < 2 || performance.now() - t0 < 100) {
    call();
    calls++;
  }
  const perCall = (performance.now() - t0) / calls;
  const perRep = Math.max(1, Math.ceil(250 / perCall));
  const reps: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < perRep; i++) call();
    const wall = (performance.now() - t) / 1000;
    const c = process.cpuUsage(c0);
    reps.push((2 * n ** 3 * perRep) / wall / 1e9);
    cpu.push((2 * n ** 3 * perRep) / Math.max(wall * 1e-3, (c.user + c.system) / 1e6) / 1e9);
  }
  const r: Measured = { gflops: median(reps), cpuGflops: median(cpu), reps };
  if (best) {
    const perWindow = Math.max(1, Math.ceil(20 / perCall));
    let top = 0;
    for (let w = 0; w < 30; w++) {
      const t = performance.now();
      for (let i = 0; i < perWindow; i++) call();
      top = Math.max(top, (2 * n ** 3 * perWindow) / ((performance.now() - t) / 1000) / 1e9);
    }
    r.bestGflops = top;
  }
  return r;
}

/** Uniform [-1, 1) float32 from mulberry32, the same data for every JS library. */
function uniform(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}

/**
 * plexus at `threads` threads (setNumThreads). With more than one, the pool's workers are started
 * and awaited before timing, and `workerShare` reports the fraction of GEMM pieces the workers ran
 * (about 1/2 with 2 threads on an idle machine; lower when the workers are descheduled).
 */
function plexusGemm(n: number, best: boolean, threads: number): Measured & { workerShare?: number } {
  if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);
  px.setBackend('wasm');
  setNumThreads(threads);
  const a = px.tensor(uniform(n * n, 1), { shape: [n, n] });
  const b = px.tensor(uniform(n * n, 2), { shape: [n, n] });
  const parallel = (a._storage.backend as WasmBackend).parallel;
  if (threads > 1) {
    if (!parallel || parallel.threads() < 1 || !parallel.pool || parallel.pool.waitReady(10000) < threads - 1) {
      throw new Error(`plexus: could not start ${threads - 1} pool workers`);
    }
  }
  const stats0 = parallel?.pool ? { ...parallel.pool.stats } : null;
  let sink = 0;
  const r = measure(() => {
    const c = px.matmul(a, b);
    sink += c.values[n * n - 1]!; // C is complete and readable right after the call
    c.dispose();
  }, n, best);
  a.dispose();
  b.dispose();
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the read alive');
  if (threads > 1 && stats0 && parallel?.pool) {
    const s = parallel.pool.stats;
    const worker = s.workerChunks - stats0.workerChunks;
    const total = worker + s.mainChunks - stats0.mainChunks;
    return { ...r, workerShare: total > 0 ? worker / total : 0 };
  }
  return r;
}

type Tf = typeof import('@tensorflow/tfjs-core');

/** TensorFlow.js with its wasm and cpu backends, or the reason it cannot run. */
function loadTfjs(): Tf | string {
  try {
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs-core') as Tf;
    require('@tensorflow/tfjs-backend-wasm');
    require('@tensorflow/tfjs-backend-cpu');
    return tf;
  } catch (e) {
    return `TensorFlow.js not installed (${(e as Error).message.split('\n')[0]})`;
  }
}

async function tfjsGemm(tf: Tf, backend: 'wasm' | 'cpu', n: number, best: boolean): Promise<Measured> {
  await tf.setBackend(backend);
  await tf.ready();
  const a = tf.tensor2d(uniform(n * n, 1), [n, n]);
  const b = tf.tensor2d(uniform(n * n, 2), [n, n]);
  const r = measure(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }, n, best);
  a.dispose();
  b.dispose();
  return r;
}

/**
 * A persistent Python peer (bench/peers/torch_gemm.py) answering one "n" line with one JSON line.
 * `torch`: Debian's python3-torch through /usr/bin/python3 (WORKLOADS.md). `numpy-openblas`:
 * numpy from the first `python3` on PATH, used only when its BLAS is OpenBLAS, because Debian's
 * torch calls the generic libblas.so.3 (netlib's reference BLAS unless libopenblas is installed),
 * and the bar is stated against OpenBLAS. `torch-openblas`: that torch with OpenBLAS's
 * libblas.so.3 first on LD_LIBRARY_PATH, when one is found (common.ts torchPeers).
 */
class PythonPeer {
  private lines: AsyncIterableIterator<string>;
  info: Record<string, unknown> = {};
  private constructor(private proc: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string, lib: 'torch' | 'numpy', threads: number, best: boolean, env: NodeJS.ProcessEnv = {}): Promise<PythonPeer | string> {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/peers/torch_gemm.py');
    const t = String(threads);
    const proc = spawn(python, [script, lib], {
      env: { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_WAIT_POLICY: 'PASSIVE', BENCH_BEST: best ? '1' : '', ...env },
    });
    let err = '';
    proc.stderr.on('data', (d) => (err += String(d)));
    const failed = new Promise<string>((resolve) => proc.on('error', (e) => resolve(`${python} not available (${e.message})`)));
    const peer = new PythonPeer(proc);
    const first = await Promise.race([peer.lines.next().then((r) => (r.done ? `${lib} peer exited: ${err.trim().split('\n').pop()}` : r.value)), failed]);
    if (!first.startsWith('{')) return first;
    peer.info = JSON.parse(first) as Record<string, unknown>;
    return peer;
  }

  async gemm(n: number): Promise<Measured> {
    this.proc.stdin.write(`${n}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('python peer exited');
    return JSON.parse(r.value) as Measured;
  }

  stop(): void {
    this.proc.stdin.end();
  }
}

/** Both Python peers for one thread count; a peer that cannot run becomes a skip reason. */
async function pythonPeers(threads: number, best: boolean): Promise<{ peers: Map<string, PythonPeer>; skipped: string[]; notes: string[] }> {
  const peers = new Map<string, PythonPeer>();
  const skipped: string[] = [];
  const notes: string[] = [];
  const torch = await PythonPeer.start('/usr/bin/python3', 'torch', threads, best);
  if (typeof torch === 'string') skipped.push(`torch: ${torch}`);
  else {
    peers.set('torch', torch);
    if (torch.info.blas !== 'open' && torch.info.blas !== 'openblas') notes.push(`torch ${torch.info.version} uses BLAS '${torch.info.blas}' (not OpenBLAS)`);
  }
  // The same torch over OpenBLAS (common.ts torchPeers): WORKLOADS.md's "PyTorch" GEMM figures.
  for (const peer of torchPeers().filter((p) => p.name !== 'torch')) {
    const tp = await PythonPeer.start('/usr/bin/python3', 'torch', threads, best, peer.env);
    if (typeof tp === 'string') skipped.push(`${peer.name}: ${tp}`);
    else peers.set(peer.name, tp);
  }
  const np = await PythonPeer.start('python3', 'numpy', threads, best);
  if (typeof np === 'string') skipped.push(`numpy-openblas: ${np}`);
  else if (!/openblas/i.test(String(np.info.blas))) {
    skipped.push(`numpy-openblas: numpy ${np.info.version} on PATH uses BLAS '${np.info.blas}'`);
    np.stop();
  } else peers.set('numpy-openblas', np);
  return { peers, skipped, notes };
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Runs workload a and prints its JSON lines; returns them for callers that aggregate. */
export async function runGemm(opts: GemmBenchOptions = {}): Promise<object[]> {
  const sizes = opts.sizes ?? SIZES;
  const threadCounts = opts.threads ?? [1, 2];
  const tf = loadTfjs();
  const tfjsCache = new Map<string, Measured>();
  /** plexus's 1-thread figure per n: 2-thread lines report their speed-up over it (bar: >= 1.8 at n >= 512). */
  const oneThread = new Map<number, number>();
  const oneThreadBest = new Map<number, number>();
  const threadsBefore = getNumThreads();
  const lines: object[] = [];
  for (const threads of threadCounts) {
    const py = await pythonPeers(threads, !!opts.best);
    for (const n of sizes) {
      const peers: Record<string, number> = {};
      const skipped: string[] = [...py.skipped];
      const notes: string[] = [...py.notes];
      const cpu: Record<string, number> = {};
      const best: Record<string, number> = {};
      const keep = (name: string, r: Measured): void => {
        if (threads === 1) cpu[name] = r.cpuGflops;
        if (r.bestGflops !== undefined) best[name] = r.bestGflops;
      };
      const pr = plexusGemm(n, !!opts.best, threads);
      const plexus = pr.gflops;
      keep('plexus', pr);
      for (const [name, peer] of py.peers) {
        const r = await peer.gemm(n);
        peers[name] = r.gflops;
        keep(name, r);
      }
      if (typeof tf === 'string') skipped.push(`tfjs: ${tf}`);
      else {
        for (const backend of ['wasm', 'cpu'] as const) {
          const key = `tfjs-${backend}`;
          if (backend === 'cpu' && opts.skipTfjsCpu) {
            skipped.push(`${key}: skipped by --skip-tfjs-cpu`);
            continue;
          }
          if (!tfjsCache.has(`${key}:${n}`)) tfjsCache.set(`${key}:${n}`, await tfjsGemm(tf, backend, n, !!opts.best));
          peers[key] = tfjsCache.get(`${key}:${n}`)!.gflops;
          keep(key, tfjsCache.get(`${key}:${n}`)!);
        }
        if (threads > 1) notes.push('tfjs runs single-threaded in Node; its 1-thread figure is repeated');
      }
      const ratios: Record<string, number> = {};
      for (const [k, v] of Object.entries(peers)) ratios[k] = round(plexus / v);
      if (threads > 1) {
        const one = oneThread.get(n);
        if (one !== undefined) ratios['plexus-1-thread'] = round(plexus / one);
        const oneBest = oneThreadBest.get(n);
        if (oneBest !== undefined && pr.bestGflops !== undefined) ratios['plexus-1-thread-best'] = round(pr.bestGflops / oneBest);
        if (pr.workerShare !== undefined) notes.push(`pool workers ran ${Math.round(pr.workerShare * 100)}% of the GEMM pieces`);
      } else {
        oneThread.set(n, plexus);
        if (pr.bestGflops !== undefined) oneThreadBest.set(n, pr.bestGflops);
      }
      const line = {
        workload: 'a', metric: 'gflops', n, threads,
        plexus: round(plexus),
        peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, round(v)])),
        ratios,
        ...(threads === 1 ? { cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v)])) } : {}),
        ...(opts.best ? { best: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round(v)])) } : {}),
        load: round(os.loadavg()[0]!),
        ...(skipped.length ? { skipped } : {}),
        ...(notes.length ? { notes } : {}),
      };
      console.log(JSON.stringify(line));
      lines.push(line);
    }
    for (const peer of py.peers.values()) peer.stop();
  }
  setNumThreads(threadsBefore);
  return lines;
}

/**
 * @file Workload a of docs/benchmarks.md: square float32 GEMM, C = A·B, n in
 * {64, ..., 1024}, entries uniform in [-1, 1). Per call a complete C readable from JS (tfjs:
 * matMul + dataSync). GFLOPS = 2n^3·calls / s. Prints one JSON line per (n, threads).
 *
 * Protocol, per (threads, n): every library (a Runner) prepares first: operands, warm-up >= 2
 * calls and 0.1 s, which gives its time per call and so its calls per rep = ceil(0.25 s / call
 * time). Then R rounds (`reps`, default 7) in which every library runs one rep; round r starts at
 * library r mod k and odd rounds run the order backwards, so none always runs first or last or
 * after the same neighbour (in 2-thread rounds a Python peer is followed by a 150 ms pause: its
 * OpenBLAS threads spin after a call). A library's figure is its median over rounds.
 *
 * Why rounds: this VM is shared and a core's speed changes by up to 2x for seconds at a time.
 * Measured back to back, a slow episode lands on one library and skews plexus / peer. So `ratios`
 * are paired: the median over rounds of (plexus in round r / peer in round r). Both reps of a pair
 * ran within about a second of each other, mostly inside the same episode, and a round hit as a
 * whole cancels out; the median then drops the rounds in which an episode began between the two.
 *
 * Threads: the Python peers run in persistent child processes per thread count (OMP/OpenBLAS
 * threads set at start). TensorFlow.js has no thread control in Node (its wasm backend is
 * single-threaded there), so it runs in the first pass that has the size and its figure is
 * repeated, with a note, on lines of other thread counts. Lines with threads > 1 also pair plexus
 * with plexus at 1 thread in the same rounds: ratios['plexus-1-thread'] is the paired speed-up
 * (bar: >= 1.8 at n >= 512). The 1-thread runs use their own wasm backend instance: a 1-thread
 * GEMM on the multi-threaded instance would shrink its pool to no workers (parallel.threads()
 * resizes the pool to getNumThreads() - 1), and every 2-thread rep would start cold workers.
 * `workerShare` in the notes checks that the kept workers really did their part.
 *
 * On a busy machine 1-thread lines also carry `cpu` (the same rounds timed by process CPU seconds:
 * time actually on a core) and every line `load`, the 1-minute load average. `--best` adds `best`:
 * the fastest of 30 windows of >= 20 ms per library, the closest to its uncontended speed.
 */
import { createRequire } from 'node:module';
import * as px from '../src/index.js';
import { createWasmBackend, getNumThreads, setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { load1, median, repoPath, round, threadEnv, torchPeers } from './common.js';
import { Stepwise } from './stepwise.js';

export const SIZES = [64, 128, 256, 512, 1024];

export interface GemmBenchOptions {
  sizes?: number[];
  threads?: number[];
  /** Skip TensorFlow.js's cpu backend (0.5 GFLOPS: ~4 s per call at n = 1024). */
  skipTfjsCpu?: boolean;
  /** Also report `best`: the fastest of 30 short windows. */
  best?: boolean;
  /** Rounds per (threads, n) (default 7). */
  reps?: number;
}

/** One rep: seconds on the wall clock and process CPU seconds. */
interface Rep {
  wall: number;
  cpu: number;
}

/** One library at one thread count. */
interface Runner {
  name: string;
  /** Operands for size n and a warm-up of >= 2 calls and >= 0.1 s; resolves to seconds per call. */
  prepare(n: number): Promise<number>;
  rep(calls: number): Promise<Rep>;
  /** GFLOPS of the fastest of 30 windows of >= 20 ms. */
  best(): Promise<number>;
  /** Frees the current operands. */
  release(): void;
}

const gflops = (n: number, calls: number, seconds: number): number => (2 * n ** 3 * calls) / seconds / 1e9;

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
 * A JS library as a Runner. `select` runs before the warm-up and before every rep and window,
 * outside the timing: it puts the library's thread count and backend back in place after the
 * other runners of the round changed them.
 */
function jsRunner(name: string, select: () => void | Promise<void>, operands: (n: number) => { call: () => void; free: () => void }): Runner {
  let op: { call: () => void; free: () => void } | null = null;
  let n = 0;
  let perCall = 0;
  const ops = (): { call: () => void } => {
    if (!op) throw new Error(`${name}: rep before prepare`);
    return op;
  };
  return {
    name,
    async prepare(size) {
      await select();
      op?.free();
      op = operands(size);
      n = size;
      let calls = 0;
      const t0 = performance.now();
      while (calls < 2 || performance.now() - t0 < 100) {
        op.call();
        calls++;
      }
      perCall = (performance.now() - t0) / 1000 / calls;
      return perCall;
    },
    async rep(calls) {
      await select();
      const { call } = ops();
      const c0 = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < calls; i++) call();
      const wall = (performance.now() - t) / 1000;
      const c = process.cpuUsage(c0);
      return { wall, cpu: (c.user + c.system) / 1e6 };
    },
    async best() {
      await select();
      const { call } = ops();
      const perWindow = Math.max(1, Math.ceil(0.02 / perCall));
      let top = 0;
      for (let w = 0; w < 30; w++) {
        const t = performance.now();
        for (let i = 0; i < perWindow; i++) call();
        top = Math.max(top, gflops(n, perWindow, (performance.now() - t) / 1000));
      }
      return top;
    },
    release() {
      op?.free();
      op = null;
    },
  };
}

/** Keeps every C's last element alive, so no call can be optimized away. */
let sink = 0;

/** The backend instance for plexus at `threads` threads (1 thread: its own instance, see the file comment). */
function plexusBackend(threads: number): string {
  if (threads > 1) return 'wasm';
  const name = 'wasm-bench-1-thread';
  if (!px.availableBackends().includes(name)) px.registerBackend(name, () => createWasmBackend({ name }));
  return name;
}

type PlexusRunner = Runner & {
  /** Fraction of GEMM pieces the pool's workers ran in the reps, and whether a worker was replaced. */
  pool(): { workerShare: number; replaced: boolean } | null;
};

/**
 * plexus at `threads` threads. With more than one, prepare starts the pool's workers and waits for
 * them; the reps count the pieces run by workers vs the main thread (about 1/2 with 2 threads on
 * an idle machine; lower when the workers are descheduled) and check that the same workers stay.
 */
function plexusRunner(threads: number): PlexusRunner {
  const backend = plexusBackend(threads);
  const select = (): void => {
    setNumThreads(threads);
    px.setBackend(backend);
  };
  let parallel: WasmBackend['parallel'] = null;
  let ids = '';
  let replaced = false;
  const chunks = { worker: 0, main: 0 };
  const inner = jsRunner(threads === 1 ? 'plexus-1-thread' : 'plexus', select, (n) => {
    const a = px.tensor(uniform(n * n, 1), { shape: [n, n] });
    const b = px.tensor(uniform(n * n, 2), { shape: [n, n] });
    parallel = (a._storage.backend as WasmBackend).parallel;
    if (threads > 1) {
      parallel?.threads(); // creates the pool and starts its workers
      const pool = parallel?.pool;
      if (!pool || pool.waitReady(10000) < threads - 1) throw new Error(`plexus: could not start ${threads - 1} pool workers`);
      ids = pool.workerIds().join();
    }
    return {
      call: () => {
        const c = px.matmul(a, b);
        sink += c.values[n * n - 1]!; // C is complete and readable right after the call
        c.dispose();
      },
      free: () => {
        a.dispose();
        b.dispose();
      },
    };
  });
  return {
    ...inner,
    async rep(calls) {
      const pool = threads > 1 ? parallel?.pool : null;
      const s0 = pool ? { ...pool.stats } : null;
      const r = await inner.rep(calls);
      if (pool && s0) {
        chunks.worker += pool.stats.workerChunks - s0.workerChunks;
        chunks.main += pool.stats.mainChunks - s0.mainChunks;
        replaced ||= pool.workerIds().join() !== ids;
      }
      return r;
    },
    pool() {
      if (threads === 1) return null;
      const total = chunks.worker + chunks.main;
      const out = { workerShare: total > 0 ? chunks.worker / total : 0, replaced };
      chunks.worker = chunks.main = 0;
      replaced = false;
      return out;
    },
  };
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

/**
 * TensorFlow.js on one backend. Its tensors belong to the backend active when they were made and
 * a kernel on another backend would first move them there, so `select` switches back before
 * every rep. tf.setBackend of a backend already initialized only re-runs the kernels' setup (no
 * re-init), and is skipped when it is already the active one.
 */
function tfjsRunner(tf: Tf, backend: 'wasm' | 'cpu'): Runner {
  const select = async (): Promise<void> => {
    if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' failed to initialize`);
  };
  return jsRunner(`tfjs-${backend}`, select, (n) => {
    const a = tf.tensor2d(uniform(n * n, 1), [n, n]);
    const b = tf.tensor2d(uniform(n * n, 2), [n, n]);
    return {
      call: () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      },
      free: () => {
        a.dispose();
        b.dispose();
      },
    };
  });
}

/**
 * A persistent Python peer (bench/peers/torch_gemm.py) answering commands on stdin, one JSON line
 * each. `torch`: Debian's python3-torch through /usr/bin/python3 (docs/benchmarks.md "Peers"). `numpy-openblas`:
 * numpy from the first `python3` on PATH, used only when its BLAS is OpenBLAS, because Debian's
 * torch calls the generic libblas.so.3 (netlib's reference BLAS unless libopenblas is installed),
 * and the bar is stated against OpenBLAS. `torch-openblas`: that torch with OpenBLAS's
 * libblas.so.3 first on LD_LIBRARY_PATH, when one is found (common.ts torchPeers).
 */
class PythonPeer implements Runner {
  private constructor(readonly name: string, private readonly proc: Stepwise, readonly info: Record<string, unknown>) {}

  static async start(name: string, python: string, lib: 'torch' | 'numpy', threads: number, env: NodeJS.ProcessEnv = {}): Promise<PythonPeer | string> {
    const proc = Stepwise.start(python, [repoPath('bench/peers/torch_gemm.py'), lib], { ...threadEnv(threads), ...env });
    try {
      return new PythonPeer(name, proc, await proc.read()); // the first line describes the library and its BLAS
    } catch (e) {
      proc.kill();
      return `${python} ${lib} peer: ${(e as Error).message}`;
    }
  }

  private async ask(command: string): Promise<Record<string, number>> {
    try {
      return (await this.proc.ask(command)) as Record<string, number>;
    } catch (e) {
      throw new Error(`${this.name} peer: ${(e as Error).message}`);
    }
  }

  async prepare(n: number): Promise<number> {
    return (await this.ask(`prep ${n}`)).perCall!;
  }

  async rep(calls: number): Promise<Rep> {
    const r = await this.ask(`rep ${calls}`);
    return { wall: r.wall!, cpu: r.cpu! };
  }

  async best(): Promise<number> {
    return (await this.ask('best')).bestGflops!;
  }

  release(): void {}

  stop(): void {
    this.proc.stop();
  }
}

/** The Python peers for one thread count; a peer that cannot run becomes a skip reason. */
async function pythonPeers(threads: number): Promise<{ peers: PythonPeer[]; skipped: string[]; notes: string[] }> {
  const peers: PythonPeer[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  // torch as installed, and the same torch over OpenBLAS (common.ts torchPeers): the "PyTorch" GEMM figures of docs/benchmarks.md.
  for (const peer of torchPeers()) {
    const tp = await PythonPeer.start(peer.name, '/usr/bin/python3', 'torch', threads, peer.env);
    if (typeof tp === 'string') skipped.push(`${peer.name}: ${tp}`);
    else {
      peers.push(tp);
      if (peer.name === 'torch' && tp.info.blas !== 'open' && tp.info.blas !== 'openblas') notes.push(`torch ${tp.info.version} uses BLAS '${tp.info.blas}' (not OpenBLAS)`);
    }
  }
  const np = await PythonPeer.start('numpy-openblas', 'python3', 'numpy', threads);
  if (typeof np === 'string') skipped.push(`numpy-openblas: ${np}`);
  else if (!/openblas/i.test(String(np.info.blas))) {
    skipped.push(`numpy-openblas: numpy ${np.info.version} on PATH uses BLAS '${np.info.blas}'`);
    np.stop();
  } else peers.push(np);
  return { peers, skipped, notes };
}

/** Per runner, GFLOPS per round by wall clock and by CPU seconds (see the file comment). */
async function rounds(runners: Runner[], n: number, reps: number, settle: (r: Runner) => boolean): Promise<{ wall: number[][]; cpu: number[][] }> {
  const calls: number[] = [];
  for (const r of runners) calls.push(Math.max(1, Math.ceil(0.25 / (await r.prepare(n)))));
  const wall: number[][] = runners.map(() => []);
  const cpu: number[][] = runners.map(() => []);
  const k = runners.length;
  let prev: Runner | undefined;
  for (let round = 0; round < reps; round++) {
    for (let i = 0; i < k; i++) {
      // Odd rounds walk the order backwards, so each library follows a different neighbour in turn.
      const j = round % 2 === 0 ? (round + i) % k : (round + k - i) % k;
      // OpenBLAS's threads spin for ~0.1 s after a call before sleeping: a rep right after one would
      // share its cores with them. A short idle gap after a multi-threaded Python peer lets them sleep.
      if (prev && settle(prev)) await new Promise((resolve) => setTimeout(resolve, 150));
      const r = await runners[j]!.rep(calls[j]!);
      prev = runners[j]!;
      wall[j]!.push(gflops(n, calls[j]!, r.wall));
      // A rep shorter than the CPU clock's tick could show 0 CPU seconds; wall/1000 caps the figure.
      cpu[j]!.push(gflops(n, calls[j]!, Math.max(r.wall * 1e-3, r.cpu)));
    }
  }
  return { wall, cpu };
}

/** A tfjs figure kept for lines of other thread counts. */
interface Kept {
  gflops: number;
  cpu: number;
  best?: number;
}

/** Runs workload a and prints its JSON lines; returns them for callers that aggregate. */
export async function runGemm(opts: GemmBenchOptions = {}): Promise<object[]> {
  const sizes = opts.sizes ?? SIZES;
  const threadCounts = opts.threads ?? [1, 2];
  const reps = opts.reps ?? 7;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${reps}`);
  const tf = loadTfjs();
  const tfjsKept = new Map<string, Kept>();
  const threadsBefore = getNumThreads();
  const lines: object[] = [];
  for (const threads of threadCounts) {
    const py = await pythonPeers(threads);
    const plexus = plexusRunner(threads);
    const oneThread = threads > 1 ? plexusRunner(1) : null;
    const tfjs = typeof tf === 'string' ? [] : (['wasm', 'cpu'] as const).filter((b) => b !== 'cpu' || !opts.skipTfjsCpu).map((b) => tfjsRunner(tf, b));
    for (const n of sizes) {
      const skipped = [...py.skipped];
      const notes = [...py.notes];
      if (typeof tf === 'string') skipped.push(`tfjs: ${tf}`);
      if (typeof tf !== 'string' && opts.skipTfjsCpu) skipped.push('tfjs-cpu: skipped by --skip-tfjs-cpu');
      const tfjsNow = tfjs.filter((r) => !tfjsKept.has(`${r.name}:${n}`));
      const runners: Runner[] = [plexus, ...(oneThread ? [oneThread] : []), ...py.peers, ...tfjsNow];
      const { wall, cpu: cpuRounds } = await rounds(runners, n, reps, (r) => threads > 1 && r instanceof PythonPeer);
      const bestOf: number[] = [];
      if (opts.best) for (const r of runners) bestOf.push(await r.best()); // one at a time, like the reps
      for (const r of runners) r.release();

      const peers: Record<string, number> = {};
      const ratios: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      const best: Record<string, number> = {};
      const paired = (j: number): number => median(wall[0]!.map((p, r) => p / wall[j]![r]!));
      const plexusFigure = median(wall[0]!);
      cpu.plexus = median(cpuRounds[0]!);
      if (opts.best) best.plexus = bestOf[0]!;
      runners.forEach((r, j) => {
        if (j === 0) return;
        if (r === oneThread) {
          ratios['plexus-1-thread'] = round(paired(j));
          if (opts.best) ratios['plexus-1-thread-best'] = round(bestOf[0]! / bestOf[j]!);
          notes.push(`plexus at 1 thread in the same rounds: ${round(median(wall[j]!))} GFLOPS`);
          return;
        }
        peers[r.name] = median(wall[j]!);
        ratios[r.name] = round(paired(j));
        cpu[r.name] = median(cpuRounds[j]!);
        if (opts.best) best[r.name] = bestOf[j]!;
        if (tfjsNow.includes(r)) tfjsKept.set(`${r.name}:${n}`, { gflops: peers[r.name]!, cpu: cpu[r.name]!, ...(opts.best ? { best: bestOf[j]! } : {}) });
      });
      // tfjs measured in an earlier pass: an unpaired ratio against its median.
      const repeated = tfjs.filter((r) => !tfjsNow.includes(r));
      for (const r of repeated) {
        const kept = tfjsKept.get(`${r.name}:${n}`)!;
        peers[r.name] = kept.gflops;
        ratios[r.name] = round(plexusFigure / kept.gflops);
        cpu[r.name] = kept.cpu;
        if (opts.best && kept.best !== undefined) best[r.name] = kept.best;
      }
      if (repeated.length) notes.push('tfjs runs single-threaded in Node; its 1-thread figure is repeated');
      const pool = plexus.pool();
      if (pool) {
        notes.push(`pool workers ran ${Math.round(pool.workerShare * 100)}% of the GEMM pieces`);
        if (pool.replaced) notes.push('a pool worker was replaced during the rounds (crash or timeout): the 2-thread figure includes a cold start');
      }
      const rounded = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
      const line = {
        workload: 'a', metric: 'gflops', n, threads, reps,
        plexus: round(plexusFigure),
        peers: rounded(peers),
        ratios,
        ...(threads === 1 ? { cpu: rounded(cpu) } : {}),
        ...(opts.best ? { best: rounded(best) } : {}),
        load: load1(),
        ...(skipped.length ? { skipped } : {}),
        ...(notes.length ? { notes } : {}),
      };
      console.log(JSON.stringify(line));
      lines.push(line);
    }
    for (const peer of py.peers) peer.stop();
  }
  setNumThreads(threadsBefore);
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the reads alive');
  return lines;
}

/**
 * @file The libraries of workload a (bench/gemm.ts) as Runners: plexus on the wasm backend at a
 * thread count, TensorFlow.js on its wasm and cpu backends, and the persistent Python peers
 * (bench/peers/torch_gemm.py: torch as installed, torch over OpenBLAS, numpy over OpenBLAS). Each
 * prepares its operands and warm-up, runs timed reps and the `--best` windows; gemm.ts interleaves them.
 */
import { createRequire } from 'node:module';
import * as px from '../src/index.js';
import { setNumThreads } from '../src/index.js';
import { createWasmBackend, type WasmBackend } from '../src/internal.js';
import { repoPath, threadEnv, torchPeers } from './common.js';
import { Stepwise } from './stepwise.js';

/** One rep: seconds on the wall clock and process CPU seconds. */
export interface Rep {
  wall: number;
  cpu: number;
}

/** One library at one thread count. */
export interface Runner {
  name: string;
  /** Operands for size n and a warm-up of >= 2 calls and >= 0.1 s; resolves to seconds per call. */
  prepare(n: number): Promise<number>;
  rep(calls: number): Promise<Rep>;
  /** GFLOPS of the fastest of 30 windows of >= 20 ms. */
  best(): Promise<number>;
  /** Frees the current operands. */
  release(): void;
}

export const gflops = (n: number, calls: number, seconds: number): number => (2 * n ** 3 * calls) / seconds / 1e9;

/** Uniform [-1, 1) float32 from mulberry32, the same data for every JS library. */
export function uniform(count: number, seed: number): Float32Array {
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
export function jsRunner(name: string, select: () => void | Promise<void>, operands: (n: number) => { call: () => void; free: () => void }): Runner {
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
export let sink = 0;

/** The backend instance for plexus at `threads` threads (1 thread: its own instance, see the file comment). */
export function plexusBackend(threads: number): string {
  if (threads > 1) return 'wasm';
  const name = 'wasm-bench-1-thread';
  if (!px.availableBackends().includes(name)) px.registerBackend(name, () => createWasmBackend({ name }));
  return name;
}

export type PlexusRunner = Runner & {
  /** Fraction of GEMM pieces the pool's workers ran in the reps, and whether a worker was replaced. */
  pool(): { workerShare: number; replaced: boolean } | null;
};

/**
 * plexus at `threads` threads. With more than one, prepare starts the pool's workers and waits for
 * them; the reps count the pieces run by workers vs the main thread (about 1/2 with 2 threads on
 * an idle machine; lower when the workers are descheduled) and check that the same workers stay.
 */
export function plexusRunner(threads: number): PlexusRunner {
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

export type Tf = typeof import('@tensorflow/tfjs-core');

/** TensorFlow.js with its wasm and cpu backends, or the reason it cannot run. */
export function loadTfjs(): Tf | string {
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
export function tfjsRunner(tf: Tf, backend: 'wasm' | 'cpu'): Runner {
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
export class PythonPeer implements Runner {
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

  /** The process's peak RSS so far in MB (it has run every size up to the current one). */
  async rss(): Promise<number> {
    return (await this.ask('rss')).peakRssMB!;
  }

  stop(): void {
    this.proc.stop();
  }
}

/** The Python peers for one thread count; a peer that cannot run becomes a skip reason. */
export async function pythonPeers(threads: number): Promise<{ peers: PythonPeer[]; skipped: string[]; notes: string[] }> {
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

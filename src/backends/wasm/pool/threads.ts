/**
 * @file The thread count (`setNumThreads`), how this host makes workers, and the one warning for
 * hosts that cannot share memory. Each wasm backend's pool reads the count before every parallel
 * op and grows or shrinks itself to match, so the setting applies to every backend instance.
 */
import { ValueError } from '../../../core/errors.js';
import { nodeBuiltin } from '../../../core/host.js';

/** Upper bound for the default (a pool beyond this rarely pays for its chunking on one socket). */
const DEFAULT_CAP = 16;

/** A Worker in either host, reduced to what the pool uses. */
export interface HostWorker {
  terminate(): Promise<unknown> | void;
  /** Resolves when the thread has ended (Node's 'exit'; in browsers, right after terminate). */
  readonly ended: Promise<void>;
  readonly threadId: number;
}

type WorkerThreads = typeof import('node:worker_threads');

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
type Os = typeof import('node:os');
let workerThreads: WorkerThreads | undefined;
/** Set once the user chose a count: the default no longer follows the hardware then. */
let userSet = false;

function hardwareThreads(os?: Os): number {
  if (os) return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

const defaultThreads = (os?: Os): number => Math.max(1, Math.min(DEFAULT_CAP, hardwareThreads(os)));

let numThreads = 1;
if (isNode) {
  // Node >= 20.16 gives built-in modules synchronously; older 20.x resolve them a tick after loading.
  workerThreads = nodeBuiltin<WorkerThreads>('node:worker_threads');
  const os = nodeBuiltin<Os>('node:os');
  if (workerThreads && os) numThreads = defaultThreads(os);
  else {
    const load = (spec: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ spec);
    void Promise.all([load('node:worker_threads'), load('node:os')]).then(([wt, o]) => {
      workerThreads = wt as WorkerThreads;
      if (!userSet) numThreads = defaultThreads(o as Os);
    }, () => undefined);
  }
} else {
  numThreads = defaultThreads();
}

/**
 * Threads the wasm backend uses for GEMM and large elementwise ops, counting the calling thread
 * (1 = no workers). Default: the machine's available parallelism (capped at 16). Takes effect at
 * the next op; workers start in the background and join as soon as they are ready.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new ValueError(`setNumThreads: expected an integer in [1, 32], got ${n}`);
  numThreads = n;
  userSet = true;
}

export function getNumThreads(): number {
  return numThreads;
}

/**
 * Why this host cannot run worker threads on a shared memory, or null when it can. `final` is
 * false while Node's worker_threads module is still loading (Node < 20.16): not worth a warning.
 */
export function threadsUnavailable(): { reason: string; final: boolean } | null {
  if (typeof SharedArrayBuffer !== 'function') {
    return { reason: 'SharedArrayBuffer is unavailable (in a browser the page must be cross-origin isolated: COOP/COEP headers)', final: true };
  }
  if (isNode) return workerThreads ? null : { reason: 'node:worker_threads is still loading', final: false };
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (g.crossOriginIsolated !== true) return { reason: 'the page is not cross-origin isolated (serve it with COOP/COEP headers)', final: true };
  if (typeof g.Worker !== 'function') return { reason: 'this host has no Web Workers', final: true };
  return null;
}

let warned = false;

/** Warns once per process that threads were requested but this host runs single-threaded. */
export function warnSingleThreaded(reason: string): boolean {
  if (warned) return false;
  warned = true;
  const text = `plexus: setNumThreads(${numThreads}) requested, but the wasm backend runs single-threaded: ${reason}`;
  if (isNode && typeof process.emitWarning === 'function') process.emitWarning(text, { code: 'PLEXUS_SINGLE_THREADED' });
  else console.warn(text);
  return true;
}

/** Test hook: lets the next warnSingleThreaded warn again. */
export function resetWarning(): void {
  warned = false;
}

/**
 * Starts a worker running pool/worker.js with `init`. Node: worker_threads, unref'd so an idle pool
 * never keeps the process alive, with a small JS heap limit so a runaway worker is stopped by V8
 * rather than taking the process down. Browser: a module Web Worker.
 */
export function spawnWorker(init: object, onExit: () => void): HostWorker {
  if (isNode) {
    const { Worker } = workerThreads!;
    const w = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    w.unref();
    const ended = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    // A worker's uncaught error must not become an uncaught 'error' on the main thread; the
    // control block already tells the pool what happened.
    w.on('error', () => undefined);
    void ended.then(onExit);
    return { terminate: () => w.terminate(), ended, threadId: w.threadId };
  }
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.postMessage(init);
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  w.onerror = () => undefined;
  return {
    terminate: () => {
      w.terminate(); // browsers stop the thread without waiting for the page's event loop
      resolveEnded();
      onExit();
    },
    ended,
    threadId: -1,
  };
}

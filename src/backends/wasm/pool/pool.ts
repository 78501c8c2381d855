/**
 * @file The worker pool of one wasm backend: workers instantiate the same kernel module against
 * the backend's shared memory and split the chunks of a task with the main thread (protocol.ts).
 *
 * `run` is synchronous, like every kernel: it publishes the chunks, wakes the workers
 * (Atomics.notify), claims chunks itself, then waits for the rest with Atomics.wait (Node's main
 * thread may block; a browser's main thread polls). A worker that throws, exits, or does not
 * finish within the timeout fails the op with a WorkerCrashedError: the task is cancelled, every
 * worker still holding one of its chunks is terminated and replaced, and the op's output range is
 * held back from reuse until those threads have really ended (terminate is asynchronous), so the
 * result of the next op cannot receive a stray write.
 */
import type { WasmHeap } from '../heap.js';
import { WorkerCrashedError, type WorkerCrashReason } from './errors.js';
import {
  CANCELLED, DESC_F64, DONE, EPOCH, FAULT_KIND, FAULT_SLOT, LAYOUT, MAX_ARGS, MAX_CHUNKS, MAX_SLOTS, MSG_BYTES, NCHUNKS,
  SEQ_MASK, SPIN_US, ST_EMPTY, ST_FAILED, ST_READY, ST_STARTING, S_HOLD, S_STATE, S_WS, S_WSBYTES, TASK,
  type WorkerInit, slotWord,
} from './protocol.js';
import { type HostWorker, getNumThreads, spawnWorker } from './threads.js';

/** One chunk: a kernel export called with `args`; `wsArg` (if >= 0) is replaced by the caller's workspace. */
export interface Chunk {
  fn: string;
  args: number[];
  wsArg: number;
}

export interface RunOptions {
  /** Bytes of workspace each participant needs (workers get their own block; 0: none). */
  wsBytes?: number;
  /** The main thread's workspace (byte offset), when wsBytes > 0. */
  mainWs?: number;
  /** Byte range [start, end) the chunks write; held back from reuse if a worker crashes. */
  out: readonly [number, number];
}

/** Tunables shared by every pool; pool/testing.ts changes them in tests. */
export const POOL_CONFIG = {
  /** Minimum time a worker may take for its chunk before it counts as hung (ms). */
  timeoutMs: 5000,
  /** ... or this many times the slowest chunk the main thread ran in the same task. */
  timeoutFactor: 50,
  /**
   * How long an idle worker polls for the next task before sleeping (µs); 0 sleeps at once. A
   * training step publishes a task every 0.1-1 ms, and a futex wake-up on this VM often takes
   * longer than a small GEMM piece, leaving the main thread waiting for a late worker: workload b
   * at 2 threads measured 25.1k samples/s with 0, 29.6k with 1000 µs (same process, interleaved
   * rounds). Bounded so an idle program does not keep a core busy: unlike OpenMP's active wait
   * (which slows PyTorch 4x on this VM, docs/benchmarks.md "Peers") it ends 1 ms after the last op.
   */
  spinUs: 1000,
  /**
   * How long the main thread polls for the last chunks before sleeping in Atomics.wait (µs). The
   * op is blocked on them anyway; sleeping costs a wake-up that measured 16-110 µs median, 230-450
   * µs p90-p99 on this VM (main/worker ping-pong). 2-thread GEMM, 50 vs 2000 µs, interleaved:
   * n = 512 1.65x -> 1.65x, 1.78x -> 1.84x; n = 1024 1.82x -> 1.88x, 1.85x -> 1.88x over 1 thread.
   */
  mainSpinUs: 2000,
  /** Test hook: when false the main thread claims no chunks (so a fault always hits a worker). */
  mainClaims: true,
  /** Test hook: when true every op runs on the calling thread, but the pool keeps its workers. */
  inline: false,
};

interface Slot {
  slot: number;
  /** Pool-local worker id (unique for the pool's lifetime; reported in WorkerCrashedError). */
  id: number;
  worker: HostWorker;
  ws: number;
  wsBytes: number;
  retired: boolean;
}

/** Whether this thread may block in Atomics.wait (false on a browser's main thread). */
function canBlock(i32: Int32Array): boolean {
  try {
    Atomics.wait(i32, 0, Atomics.load(i32, 0) + 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool {
  private readonly i32: Int32Array;
  private readonly desc: Float64Array;
  private readonly msg: Uint8Array;
  private readonly ctrl: number;
  private readonly fnIndex = new Map<string, number>();
  private readonly exportNames: string[];
  private readonly block: boolean;
  private workers: Slot[] = [];
  /** Slot numbers whose previous worker has ended (safe to reuse). */
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private nextId = 1;
  private seq = 0;
  /** Counters for tests and benchmarks: tasks published, chunks run by this thread / by workers. */
  readonly stats = { tasks: 0, mainChunks: 0, workerChunks: 0, waitMs: 0 };

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    private readonly heap: WasmHeap,
    /** The main thread's instance: it runs its own chunks through these. */
    private readonly exports: Record<string, unknown>,
  ) {
    this.ctrl = heap.alloc(LAYOUT.bytes);
    new Uint8Array(heap.buffer, this.ctrl, LAYOUT.bytes).fill(0);
    this.i32 = new Int32Array(heap.buffer, this.ctrl, LAYOUT.descOffset / 4);
    this.desc = new Float64Array(heap.buffer, this.ctrl + LAYOUT.descOffset, MAX_CHUNKS * DESC_F64);
    this.msg = new Uint8Array(heap.buffer, this.ctrl + LAYOUT.msgOffset, MAX_SLOTS * MSG_BYTES);
    this.exportNames = Object.keys(exports).filter((k) => typeof exports[k] === 'function');
    this.exportNames.forEach((n, i) => this.fnIndex.set(n, i));
    Atomics.store(this.i32, FAULT_SLOT, -1);
    this.block = canBlock(this.i32);
  }

  /** Workers that can claim chunks right now. */
  readyWorkers(): number {
    let n = 0;
    for (const w of this.workers) if (!w.retired && Atomics.load(this.i32, slotWord(w.slot, S_STATE)) === ST_READY) n++;
    return n;
  }

  /** Live workers (starting or ready), ids in spawn order. */
  workerIds(): number[] {
    return this.workers.filter((w) => !w.retired).map((w) => w.id);
  }

  /**
   * Grows or shrinks the pool to `getNumThreads() - 1` workers; retires workers that died while
   * idle. New workers start in the background: they join tasks once ready.
   */
  resize(): void {
    const want = getNumThreads() - 1;
    let healthy = 0;
    for (const w of this.workers) {
      if (!w.retired && Atomics.load(this.i32, slotWord(w.slot, S_STATE)) >= ST_FAILED) this.retire(w);
      if (!w.retired) healthy++;
    }
    if (healthy === want && healthy === this.workers.length) return; // the per-op fast path
    let live = this.workers.filter((w) => !w.retired);
    for (let i = want; i < live.length; i++) this.retire(live[i]!);
    live = this.workers.filter((w) => !w.retired);
    for (let i = live.length; i < want; i++) if (!this.spawn()) break;
    this.workers = this.workers.filter((w) => !w.retired);
  }

  /** Terminates every worker (the pool stays usable: `resize` starts new ones). */
  shutdown(): Promise<void> {
    const ends = this.workers.map((w) => (this.retire(w), w.worker.ended));
    this.workers = [];
    return Promise.all(ends).then(() => undefined);
  }

  /** Test hook (pool/testing.ts): the next chunk a worker claims runs, then faults as `kind`. */
  armFault(kind: number, workerId = -1): void {
    const w = workerId < 0 ? undefined : this.workers.find((x) => x.id === workerId);
    Atomics.store(this.i32, FAULT_SLOT, w ? w.slot : -1);
    Atomics.store(this.i32, FAULT_KIND, kind);
  }

  /** Blocks (up to `ms`) until every live worker is ready; returns how many are. */
  waitReady(ms: number): number {
    const deadline = performance.now() + ms;
    for (const w of this.workers) {
      const at = slotWord(w.slot, S_STATE);
      for (;;) {
        const s = Atomics.load(this.i32, at);
        const rem = deadline - performance.now();
        if (s !== ST_STARTING || rem <= 0) break;
        if (this.block) Atomics.wait(this.i32, at, s, Math.min(rem, 20));
      }
    }
    return this.readyWorkers();
  }

  /**
   * Runs every chunk, split between this thread and the ready workers; returns when all are done.
   * Throws WorkerCrashedError when a worker fails (see the file comment).
   */
  run(op: string, chunks: readonly Chunk[], opts: RunOptions): void {
    for (let start = 0; start < chunks.length; start += MAX_CHUNKS) {
      this.runRound(op, chunks.slice(start, start + MAX_CHUNKS), opts);
    }
  }

  private runRound(op: string, chunks: readonly Chunk[], opts: RunOptions): void {
    const n = chunks.length;
    const wsBytes = opts.wsBytes ?? 0;
    if (this.readyWorkers() === 0) {
      for (const c of chunks) this.runHere(c, opts.mainWs ?? 0);
      return;
    }
    if (wsBytes > 0) this.ensureWorkspaces(wsBytes);
    const i32 = this.i32;
    for (let c = 0; c < n; c++) {
      const ch = chunks[c]!;
      const fi = this.fnIndex.get(ch.fn);
      if (fi === undefined || ch.args.length > MAX_ARGS) throw new Error(`pool: no kernel export '${ch.fn}' or too many arguments`);
      const base = c * DESC_F64;
      this.desc[base] = fi;
      this.desc[base + 1] = ch.wsArg;
      this.desc[base + 2] = ch.args.length;
      for (let i = 0; i < ch.args.length; i++) this.desc[base + 3 + i] = ch.args[i]!;
    }
    const seq = (this.seq = (this.seq + 1) & SEQ_MASK);
    Atomics.store(i32, SPIN_US, POOL_CONFIG.spinUs);
    Atomics.store(i32, NCHUNKS, n);
    Atomics.store(i32, DONE, seq << 16);
    Atomics.store(i32, TASK, seq << 16); // publishes the descriptors (seq-cst store after them)
    Atomics.add(i32, EPOCH, 1);
    Atomics.notify(i32, EPOCH);

    const ws = opts.mainWs ?? 0;
    this.stats.tasks++;
    const before = this.stats.mainChunks;
    const slowest = POOL_CONFIG.mainClaims ? this.claimAll(chunks, seq, ws, opts) : 0;
    const waitStart = performance.now();
    const timeout = Math.max(POOL_CONFIG.timeoutMs, POOL_CONFIG.timeoutFactor * slowest);
    const deadline = performance.now() + timeout;
    const spinUntil = performance.now() + POOL_CONFIG.mainSpinUs / 1000;
    for (;;) {
      const d = Atomics.load(i32, DONE);
      if ((d & 0xffff) >= n) {
        this.stats.workerChunks += n - (this.stats.mainChunks - before);
        this.stats.waitMs += performance.now() - waitStart;
        return;
      }
      const now = performance.now();
      const failed = this.failedHolder(seq);
      if (failed) this.fail(op, seq, opts, failed, Atomics.load(i32, slotWord(failed.slot, S_STATE)) === ST_FAILED ? 'threw' : 'exited', timeout);
      if (now >= deadline) {
        const holder = this.holders(seq)[0];
        if (holder) this.fail(op, seq, opts, holder, 'timeout', timeout);
        // Nobody holds the missing chunks, so some were never claimed (no worker woke up and the
        // main thread was told not to claim): run them here.
        this.claimAll(chunks, seq, ws, opts);
        continue;
      }
      if (now < spinUntil || !this.block) continue;
      Atomics.wait(i32, DONE, d, Math.min(Math.max(1, deadline - now), 100));
    }
  }

  /**
   * Claims and runs chunks of task `seq` on this thread until none is left; returns the slowest
   * chunk's time (ms), which scales the hang timeout.
   */
  private claimAll(chunks: readonly Chunk[], seq: number, ws: number, opts: RunOptions): number {
    const i32 = this.i32;
    const n = chunks.length;
    let slowest = 0;
    try {
      for (;;) {
        const t = Atomics.load(i32, TASK);
        const next = t & 0xffff;
        if (next >= n) return slowest;
        if (Atomics.compareExchange(i32, TASK, t, t + 1) !== t) continue;
        const t0 = performance.now();
        this.runHere(chunks[next]!, ws);
        slowest = Math.max(slowest, performance.now() - t0);
        this.stats.mainChunks++;
        Atomics.add(i32, DONE, 1); // the main thread's chunks need no seq check: only it moves seq
      }
    } catch (e) {
      // A trap in our own chunk: stop the task and make sure no worker still writes the output.
      this.cancel(seq);
      this.settle(seq, opts, performance.now() + POOL_CONFIG.timeoutMs);
      throw e;
    }
  }

  private runHere(c: Chunk, ws: number): void {
    const args = c.wsArg >= 0 ? c.args.map((a, i) => (i === c.wsArg ? ws : a)) : c.args;
    (this.exports[c.fn] as (...a: number[]) => void)(...args);
  }

  /** Live workers running a chunk of task `seq`. */
  private holders(seq: number): Slot[] {
    return this.workers.filter((w) => !w.retired && Atomics.load(this.i32, slotWord(w.slot, S_HOLD)) === seq + 1);
  }

  /** A worker holding a chunk of task `seq` whose state says it threw or exited. */
  private failedHolder(seq: number): Slot | undefined {
    return this.holders(seq).find((w) => Atomics.load(this.i32, slotWord(w.slot, S_STATE)) >= ST_FAILED);
  }

  /** No more claims for task `seq` (a worker's compare-exchange on the old word fails). */
  private cancel(seq: number): void {
    Atomics.store(this.i32, TASK, (seq << 16) | CANCELLED);
  }

  /**
   * After a cancel: waits (until `deadline`) while the workers still running chunks of `seq` are
   * healthy, then terminates the ones left and holds the output range until their threads end.
   */
  private settle(seq: number, opts: RunOptions, deadline: number): Slot[] {
    let h = this.holders(seq);
    while (h.length > 0 && performance.now() < deadline && h.every((w) => Atomics.load(this.i32, slotWord(w.slot, S_STATE)) === ST_READY)) {
      if (this.block) Atomics.wait(this.i32, DONE, Atomics.load(this.i32, DONE), 5);
      h = this.holders(seq);
    }
    if (h.length > 0) {
      const release = this.heap.hold(opts.out[0], opts.out[1]);
      void Promise.all(h.map((w) => w.worker.ended)).then(release);
      for (const w of h) this.retire(w);
    }
    return h;
  }

  /** Fails task `seq`: cancel, terminate the culprit and every other holder, replace, throw. */
  private fail(op: string, seq: number, opts: RunOptions, culprit: Slot, reason: WorkerCrashReason, timeout: number): never {
    this.cancel(seq);
    let cause: Error;
    if (reason === 'threw') {
      const bytes = this.msg.subarray(culprit.slot * MSG_BYTES, (culprit.slot + 1) * MSG_BYTES);
      const end = bytes.indexOf(0);
      cause = new Error(new TextDecoder().decode(bytes.slice(0, end < 0 ? MSG_BYTES : end)) || 'unknown error');
    } else if (reason === 'exited') {
      cause = new Error(`thread ${culprit.worker.threadId} ended while running a chunk`);
    } else {
      cause = new Error(`no answer within ${Math.round(timeout)} ms; thread ${culprit.worker.threadId} terminated`);
    }
    // Other holders are healthy but still write the cancelled output: they are terminated too
    // rather than waited for, so the error surfaces within the timeout.
    this.settle(seq, opts, 0);
    this.workers = this.workers.filter((w) => !w.retired);
    this.resize(); // replacements start now and join once ready
    throw new WorkerCrashedError(culprit.id, op, reason, cause);
  }

  /** Makes every live worker's workspace at least `bytes` (between tasks, so none is in use). */
  private ensureWorkspaces(bytes: number): void {
    for (const w of this.workers) {
      if (w.retired || w.wsBytes >= bytes) continue;
      if (w.wsBytes > 0) this.heap.release(w.ws, w.wsBytes);
      w.ws = this.heap.alloc(bytes);
      w.wsBytes = bytes;
      Atomics.store(this.i32, slotWord(w.slot, S_WS), w.ws);
      Atomics.store(this.i32, slotWord(w.slot, S_WSBYTES), bytes);
    }
  }

  private spawn(): boolean {
    const slot = this.freeSlots.pop() ?? (this.nextSlot < MAX_SLOTS ? this.nextSlot++ : -1);
    if (slot < 0) return false; // every slot still belongs to a thread that has not ended
    const i32 = this.i32;
    Atomics.store(i32, slotWord(slot, S_STATE), ST_STARTING);
    Atomics.store(i32, slotWord(slot, S_HOLD), 0);
    Atomics.store(i32, slotWord(slot, S_WS), 0);
    Atomics.store(i32, slotWord(slot, S_WSBYTES), 0);
    const init: WorkerInit = { memory: this.memory, module: this.module, ctrl: this.ctrl, slot, exportNames: this.exportNames };
    const entry: Slot = { slot, id: this.nextId++, worker: undefined as unknown as HostWorker, ws: 0, wsBytes: 0, retired: false };
    try {
      entry.worker = spawnWorker(init, () => {
        // The thread has ended: its slot and workspace can never be written by it again.
        Atomics.store(i32, slotWord(slot, S_STATE), ST_EMPTY);
        Atomics.store(i32, slotWord(slot, S_HOLD), 0);
        if (entry.wsBytes > 0) this.heap.release(entry.ws, entry.wsBytes);
        entry.wsBytes = 0;
        if (!entry.retired) entry.retired = true;
        this.freeSlots.push(slot);
      });
    } catch {
      Atomics.store(i32, slotWord(slot, S_STATE), ST_EMPTY);
      this.freeSlots.push(slot);
      return false;
    }
    this.workers.push(entry);
    return true;
  }

  private retire(w: Slot): void {
    if (w.retired) return;
    w.retired = true;
    void w.worker.terminate();
  }
}

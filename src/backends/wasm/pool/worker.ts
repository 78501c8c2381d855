/**
 * @file The pool's worker: instantiates the kernel module against the shared memory, then claims
 * and runs chunks of published tasks (see protocol.ts) until it is terminated. It imports only the
 * protocol constants and core/host.ts, so starting one costs the module instantiation and little else.
 *
 * No AssemblyScript runtime state is shared: the kernels are built with `--runtime stub`, declare
 * no mutable globals and no data segments, and allocate nothing; every byte they write is an
 * argument (the task's output, or this worker's own workspace block from its slot).
 */
import {
  CANCELLED, DESC_F64, DONE, EPOCH, FAULT_DETACHED, FAULT_EXIT, FAULT_HANG, FAULT_KIND, FAULT_NONE, FAULT_OOM, FAULT_SLOT,
  FAULT_THROW, LAYOUT, MSG_BYTES, NCHUNKS, SPIN_US, ST_EXITED, ST_FAILED, ST_READY, S_HOLD, S_STATE, S_WS,
  TASK, type WorkerInit, slotWord,
} from './protocol.js';
import { nodeBuiltin } from '../../../core/host.js';

type Fn = (...args: number[]) => void;

function start(init: WorkerInit, postDetached: () => void): void {
  const { memory, module, ctrl, slot } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, unknown>;
  const fns = init.exportNames.map((n) => exports[n] as Fn);
  // The control block sits below the top of memory at creation, so these views never go stale.
  const i32 = new Int32Array(memory.buffer, ctrl, LAYOUT.descOffset / 4);
  const desc = new Float64Array(memory.buffer, ctrl + LAYOUT.descOffset, (LAYOUT.bytes - LAYOUT.descOffset) / 8);
  const msg = new Uint8Array(memory.buffer, ctrl + LAYOUT.msgOffset + slot * MSG_BYTES, MSG_BYTES);
  const stateAt = slotWord(slot, S_STATE);
  const holdAt = slotWord(slot, S_HOLD);
  const wsAt = slotWord(slot, S_WS);
  const args: number[] = [];

  if (typeof process !== 'undefined' && typeof process.on === 'function') {
    // process.exit() in a worker runs this before the thread ends: the main thread stops waiting at once.
    process.on('exit', () => {
      Atomics.store(i32, stateAt, ST_EXITED);
      Atomics.notify(i32, DONE);
    });
  }

  /** Runs chunk c: the descriptor's export with this worker's workspace patched in. */
  const runChunk = (c: number): void => {
    const base = c * DESC_F64;
    const wsArg = desc[base + 1]!;
    const nargs = desc[base + 2]!;
    args.length = nargs;
    for (let i = 0; i < nargs; i++) args[i] = desc[base + 3 + i]!;
    if (wsArg >= 0) args[wsArg] = Atomics.load(i32, wsAt);
    fns[desc[base]!]!(...args);
  };

  /** Test-only: the fault armed by pool/testing.ts, after doing the chunk's work (a partial write). */
  const fault = (kind: number): void => {
    if (kind === FAULT_THROW) throw new Error(`injected fault in worker slot ${slot}`);
    if (kind === FAULT_EXIT) process.exit(0);
    if (kind === FAULT_HANG) for (;;);
    if (kind === FAULT_OOM) {
      const hog: number[][] = [];
      for (;;) hog.push(new Array<number>(1 << 16).fill(slot + 0.5));
    }
    if (kind === FAULT_DETACHED) postDetached();
  };

  const takeFault = (): number => {
    const kind = Atomics.load(i32, FAULT_KIND);
    if (kind === FAULT_NONE) return FAULT_NONE;
    const target = Atomics.load(i32, FAULT_SLOT);
    if (target !== -1 && target !== slot) return FAULT_NONE;
    return Atomics.compareExchange(i32, FAULT_KIND, kind, FAULT_NONE) === kind ? kind : FAULT_NONE;
  };

  /** Claims and runs chunks of the current task until none is left. */
  const work = (): void => {
    for (;;) {
      const t = Atomics.load(i32, TASK);
      const seq = t >>> 16;
      const next = t & 0xffff;
      const n = Atomics.load(i32, NCHUNKS);
      if (next === CANCELLED || next >= n) return;
      // Announce before claiming: the main thread, cancelling a failed task, reads HOLD after its
      // cancel, so any claim that succeeded before the cancel is visible to it.
      Atomics.store(i32, holdAt, seq + 1);
      if (Atomics.compareExchange(i32, TASK, t, t + 1) !== t) {
        Atomics.store(i32, holdAt, 0);
        continue;
      }
      const kind = takeFault();
      try {
        runChunk(next);
        if (kind !== FAULT_NONE) fault(kind);
      } catch (e) {
        const text = new TextEncoder().encode(String(e instanceof Error ? e.message : e).slice(0, MSG_BYTES - 1));
        msg.fill(0);
        msg.set(text.subarray(0, MSG_BYTES - 1));
        Atomics.store(i32, stateAt, ST_FAILED);
        Atomics.notify(i32, DONE);
        // Leave HOLD set: the main thread blames this slot and terminates it.
        for (;;) Atomics.wait(i32, stateAt, ST_FAILED);
      }
      // Count the chunk only if its task is still current (a cancelled task's DONE has moved on).
      for (;;) {
        const d = Atomics.load(i32, DONE);
        if (d >>> 16 !== seq) break;
        if (Atomics.compareExchange(i32, DONE, d, d + 1) === d) {
          if ((d & 0xffff) + 1 >= n) Atomics.notify(i32, DONE);
          break;
        }
      }
      Atomics.store(i32, holdAt, 0);
    }
  };

  // Read the epoch before announcing readiness: a task published right after the main thread sees
  // READY bumps it past this value, so the loop below cannot miss that task.
  let epoch = Atomics.load(i32, EPOCH);
  Atomics.store(i32, stateAt, ST_READY);
  Atomics.notify(i32, stateAt); // WorkerPool.waitReady
  for (;;) {
    let e = Atomics.load(i32, EPOCH);
    if (e === epoch) {
      // Poll briefly before sleeping: back-to-back ops (a training step) then skip the futex wake-up.
      const until = performance.now() + Atomics.load(i32, SPIN_US) / 1000;
      while (e === epoch && performance.now() < until) e = Atomics.load(i32, EPOCH);
      if (e === epoch) {
        Atomics.wait(i32, EPOCH, epoch);
        continue;
      }
    }
    epoch = e;
    work();
  }
}

// Node: worker_threads hands the init data over synchronously; browsers send it as the first message.
// The Node module comes from the host (getBuiltinModule, or a dynamic import whose specifier a bundler
// cannot see), never a static `node:` import: a browser bundle of this worker must not contain one.
if (typeof process !== 'undefined' && process.versions?.node !== undefined) {
  const spec = 'node:worker_threads';
  const wt = nodeBuiltin<typeof import('node:worker_threads')>(spec) ??
    ((await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as typeof import('node:worker_threads'));
  start(wt.workerData as WorkerInit, () => {
    const b = new ArrayBuffer(8);
    structuredClone(b, { transfer: [b] }); // b is now detached
    wt.parentPort!.postMessage({ b }); // cloning a detached buffer throws DataCloneError
  });
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerInit>) => void) | null; postMessage(m: unknown, t: Transferable[]): void };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    start(e.data, () => {
      const b = new ArrayBuffer(8);
      structuredClone(b, { transfer: [b] });
      scope.postMessage({ b }, []);
    });
  };
}

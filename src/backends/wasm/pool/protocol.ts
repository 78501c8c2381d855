/**
 * @file The control block shared by the main thread and the pool's workers: a region of the wasm
 * memory (so no postMessage on the hot path) read and written only with Atomics. This file has no
 * imports so the worker script stays tiny.
 *
 * A task is a list of chunks; each chunk is one call of a kernel export on a sub-block of the work
 * (a row block of C, a range of elements). Participants (the main thread and every ready worker)
 * claim chunks with a compare-exchange on TASK, so a busy or descheduled thread simply claims fewer.
 *
 * Why the sequence tags: a claim, a completion and a "busy" mark all carry the task's sequence
 * number, so a slow thread that wakes up after its task ended (or was cancelled) can neither claim
 * a chunk of the next task nor count towards its completion.
 *
 *   TASK   = seq << 16 | next chunk       (next = CANCELLED: no more claims)
 *   DONE   = seq << 16 | finished chunks
 *   EPOCH  = bumped per published task; idle workers Atomics.wait on it
 *   slot s = STATE, HOLD (seq + 1 while running a chunk of task seq, else 0), WS (workspace byte
 *            offset), WSBYTES, then an error message of MSG_BYTES UTF-8 bytes
 *   chunk descriptors = Float64 [fn index, workspace arg index (-1: none), nargs, args...]
 */

export const TASK = 0;
export const NCHUNKS = 1;
export const DONE = 2;
export const EPOCH = 3;
/** Test-only fault hook: the kind (FAULT_*) the next chunk claimed by a worker executes, once. */
export const FAULT_KIND = 4;
/** Slot the fault is meant for (-1: whichever worker claims first). */
export const FAULT_SLOT = 5;
/** How long (µs) an idle worker polls EPOCH before it sleeps in Atomics.wait. */
export const SPIN_US = 6;

export const SEQ_MASK = 0x7fff; // 15 bits: the words stay positive as Int32
export const CANCELLED = 0xffff;
/** Chunks per round; bigger tasks run in several rounds. */
export const MAX_CHUNKS = 1024;
/** Worker slots per control block (a replaced worker gets a fresh slot, see pool.ts). */
export const MAX_SLOTS = 64;

export const SLOT_BASE = 16;
export const SLOT_WORDS = 4;
export const S_STATE = 0;
export const S_HOLD = 1;
export const S_WS = 2;
export const S_WSBYTES = 3;

export const ST_EMPTY = 0;
export const ST_STARTING = 1;
export const ST_READY = 2;
/** Threw while running a chunk (message in the slot's error bytes). */
export const ST_FAILED = 3;
/** The worker's thread ended (process.exit, uncaught error, terminate). */
export const ST_EXITED = 4;

export const MSG_BYTES = 192;
/** Float64 slots per chunk descriptor: fn, ws arg, nargs, up to 17 args. */
export const DESC_F64 = 20;
export const MAX_ARGS = DESC_F64 - 3;

/** Fault kinds for the test hook (pool/testing.ts). */
export const FAULT_NONE = 0;
export const FAULT_THROW = 1;
export const FAULT_EXIT = 2;
export const FAULT_HANG = 3;
export const FAULT_OOM = 4;
export const FAULT_DETACHED = 5;

const MSG_OFFSET = (SLOT_BASE + MAX_SLOTS * SLOT_WORDS) * 4;
const DESC_OFFSET = Math.ceil((MSG_OFFSET + MAX_SLOTS * MSG_BYTES) / 64) * 64;

/** Byte layout relative to the block's start. */
export const LAYOUT = {
  msgOffset: MSG_OFFSET,
  descOffset: DESC_OFFSET,
  bytes: DESC_OFFSET + MAX_CHUNKS * DESC_F64 * 8,
} as const;

export const slotWord = (slot: number, field: number): number => SLOT_BASE + slot * SLOT_WORDS + field;

/** What a worker is started with (workerData in Node, the first message in a browser). */
export interface WorkerInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  /** Byte offset of the control block. */
  ctrl: number;
  slot: number;
  /** Export names by index: descriptors name the function by this index. */
  exportNames: string[];
}

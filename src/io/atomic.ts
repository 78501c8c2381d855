/**
 * @file Atomic file replacement for checkpoints (docs/reliability.md "Atomic saves"): write a temp file in the
 * same directory, fsync it, rename it over the target, fsync the directory. A crash at any point leaves
 * either the old file or the new one, never a mix: Lightning's non-atomic save produced "unexpected
 * EOF" checkpoints (pytorch-lightning#688). Failures remove the temp file and throw CheckpointWriteError
 * naming the path and errno. Saves to one path from one thread are serialized through a promise chain,
 * as npm's write-file-atomic does; across threads/processes the unique temp names plus rename(2)'s
 * atomicity still leave one complete file.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { CheckpointWriteError } from './errors.js';

/** Where a write is when a stage hook runs (after the stage completed). */
export type AtomicStage = 'open' | 'write' | 'fsync' | 'rename' | 'dirsync';

/** The file-system calls used, replaceable so tests can inject ENOSPC/EIO/EXDEV faults. */
export interface AtomicFs {
  open(file: string, flags: string, mode?: number): Promise<fsp.FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

export interface WriteAtomicOptions {
  /** fsync the file and its directory (default true; false only for scratch files). */
  fsync?: boolean;
  /** Permission bits of a new file (default 0o666, minus the umask). */
  mode?: number;
  /** Bytes per write call (default 8 MiB). */
  chunkSize?: number;
  /** @internal fault injection for tests. */
  fs?: Partial<AtomicFs>;
  /** @internal called after each stage; tests use it to kill the process at a known point. */
  onStage?: (stage: AtomicStage) => void | Promise<void>;
}

/** `.name.plexus-tmp-<pid>-<threadId>-<counter>`: unique per process, thread and call. */
const TEMP_RE = /^\..*\.plexus-tmp-(\d+)-(\d+)-(\d+)$/;
let counter = 0;
const chains = new Map<string, Promise<void>>();
/** Temp files this thread is writing right now (cleanupTemp must not remove them). */
const active = new Set<string>();

const errnoOf = (e: unknown): string =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'UNKNOWN';
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** True for names of temp files written by writeFileAtomic (so listings can skip them). */
export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}

/**
 * Atomically replaces `file` with `data`. Resolves once the new file is durable (with fsync). Do not
 * change `data` until the promise settles: concurrent saves to one path are queued, not copied.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string, opts: WriteAtomicOptions = {}): Promise<void> {
  const target = path.resolve(file);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const prev = chains.get(target) ?? Promise.resolve();
  const run = prev.then(() => writeOnce(target, bytes, opts));
  const settled = run.then(() => undefined, () => undefined);
  chains.set(target, settled);
  void settled.then(() => {
    if (chains.get(target) === settled) chains.delete(target);
  });
  return run;
}

async function writeOnce(target: string, bytes: Uint8Array, opts: WriteAtomicOptions): Promise<void> {
  const fs: AtomicFs = {
    open: opts.fs?.open ?? ((f, flags, mode) => fsp.open(f, flags, mode)),
    rename: opts.fs?.rename ?? fsp.rename,
    unlink: opts.fs?.unlink ?? fsp.unlink,
  };
  const sync = opts.fsync ?? true;
  const chunk = Math.max(1, opts.chunkSize ?? 8 * 2 ** 20);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.plexus-tmp-${process.pid}-${threadId}-${++counter}`);
  let current: AtomicStage | 'close' = 'open';
  const stage = async (s: AtomicStage): Promise<void> => {
    current = s;
    if (opts.onStage) await opts.onStage(s);
  };
  let fh: fsp.FileHandle | undefined;
  let renamed = false;
  // Orphans of earlier, killed writes of this same file go first (temps of live writers are kept).
  if (opts.fs === undefined) await cleanupTemp(dir, { target: path.basename(target) }).catch(() => undefined);
  active.add(tmp);
  try {
    // 'wx': never follow or reuse an existing file under the temp name.
    fh = await fs.open(tmp, 'wx', opts.mode ?? 0o666);
    await stage('open');
    current = 'write';
    let off = 0;
    while (off < bytes.length) {
      // A write may be short (signals, pipes, quotas): loop until every byte is down.
      const { bytesWritten } = await fh.write(bytes, off, Math.min(chunk, bytes.length - off), off);
      if (!(bytesWritten > 0)) throw Object.assign(new Error(`write returned ${bytesWritten} at byte ${off} of ${bytes.length}`), { code: 'EIO' });
      off += bytesWritten;
      await stage('write');
    }
    current = 'fsync';
    if (sync) await fh.sync();
    await stage('fsync');
    current = 'close';
    const h = fh;
    fh = undefined;
    await h.close();
    current = 'rename';
    await fs.rename(tmp, target);
    renamed = true;
    await stage('rename');
    current = 'dirsync';
    if (sync) await syncDir(dir, fs);
    await stage('dirsync');
  } catch (e) {
    if (fh) await fh.close().catch(() => undefined);
    if (!renamed) await fs.unlink(tmp).catch(() => undefined);
    throw new CheckpointWriteError(target, errnoOf(e), current, messageOf(e), { cause: e });
  } finally {
    active.delete(tmp);
  }
}

/** fsync a directory so the rename itself is durable. Windows cannot open directories: skipped there. */
async function syncDir(dir: string, fs: AtomicFs): Promise<void> {
  if (process.platform === 'win32') return;
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } catch (e) {
    // Some file systems do not support fsync on directories; that is not a failed write.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM'].includes(errnoOf(e))) throw e;
  } finally {
    await d.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}

/**
 * Removes orphan temp files in `dir` left by crashed writers: those of dead processes, and this
 * thread's own that are not being written. Temps of live processes or of other threads of this
 * process are kept (they may still be writing). With `target`, only temps of that file name.
 * Only names of writeFileAtomic's own pattern in `dir` itself are touched. Returns the names removed. Readers never pick a temp
 * file anyway: its name is not the target's.
 */
export async function cleanupTemp(dir: string, opts: { target?: string } = {}): Promise<string[]> {
  const prefix = opts.target === undefined ? null : `.${opts.target}.plexus-tmp-`;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw e;
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || (prefix !== null && !name.startsWith(prefix))) continue;
    const pid = Number(m[1]);
    const tid = Number(m[2]);
    const full = path.join(path.resolve(dir), name);
    const mine = pid === process.pid;
    if (mine ? tid !== threadId || active.has(full) : processAlive(pid)) continue;
    try {
      await fsp.unlink(full);
      removed.push(name);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }
  }
  return removed;
}

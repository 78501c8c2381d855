/**
 * @file The run folder of `plexus train`: where it goes (runs/<name or timestamp> under the working
 * folder, or --out, always contained there), how it is claimed, and the files it gets.
 *
 * Claiming (after every check has passed, before anything else is written): the folder is created
 * if needed, then an owner file `.plexus-lock-<n>` is created exclusively with link(2), which fails
 * when the name exists, so of two runs started together exactly one owns the folder. Generation n=1
 * is the original run; each `--resume` claims n+1 the same way, so two resumes of one run cannot
 * both win. The owner file records the pid, host and the resolved config (a run killed before
 * config.json was written can still be resumed), and is marked released when the process ends.
 */
import { linkSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { px } from './api.js';
import type { TrainConfig } from './config-schema.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import { containedPath, ensureDir, isInside } from './paths.js';

/** File names inside a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  model: 'model.safetensors',
  curves: 'curves.svg',
  /** Folder of io.saveCheckpoint: last.safetensors (model, optimizer, loader position, RNG). */
  checkpoint: 'checkpoint',
} as const;

const LOCK_RE = /^\.plexus-lock-([1-9][0-9]{0,8})$/;
/** Scratch names of createExclusive / release (a kill can leave one behind): `<lock>.claim-<pid>-...`. */
const LOCK_TMP_RE = /^\.plexus-lock-[1-9][0-9]{0,8}\.(?:claim|release)-([0-9]+)(?:-[a-z0-9]+)?$/;
const lockName = (n: number): string => `.plexus-lock-${n}`;

/** What an owner file holds. */
export interface RunLock {
  pid: number;
  host: string;
  generation: number;
  released: boolean;
  /** The resolved config of the run (as config.json). */
  config: Record<string, unknown>;
}

/** A claimed run folder; release() marks the claim as ended (call once, when the process is done with it). */
export interface RunClaim {
  dir: string;
  generation: number;
  release(): void;
}

/** "2025-01-31T12-00-05": sortable, and legal in file names everywhere. */
function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

/** True for names the run folder machinery itself writes (owner files), so "empty" checks skip them. */
export function isRunLockName(name: string): boolean {
  return LOCK_RE.test(name);
}

/**
 * The planned run folder for `cfg` (absolute, contained; not created). An explicit --out / name must
 * be new or empty (a finished run is never overwritten); this is re-checked when it is claimed.
 * `default` tells the claim it may move on to the next free timestamped name.
 */
export function resolveRunDir(ctx: Ctx, cfg: TrainConfig): { dir: string; rel: string; default: boolean } {
  if (cfg.out !== undefined || cfg.name !== undefined) {
    const rel = cfg.out ?? `runs/${cfg.name}`;
    const dir = containedPath(ctx.cwd, rel, cfg.out !== undefined ? 'output folder (--out)' : 'run folder (name)');
    if (occupied(dir)) throw taken(rel);
    return { dir, rel, default: false };
  }
  const rel = `runs/${timestamp()}`;
  return { dir: containedPath(ctx.cwd, rel, 'run folder'), rel, default: true };
}

const taken = (rel: string): CliError => new CliError('RUN_DIR_EXISTS', `run folder ${rel} already exists and is not empty (or another run is using it); choose another --out or --name, or continue it with --resume ${rel}`);

/** True when `dir` exists and holds anything. */
function occupied(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** Writes `lock` as `dir/<name>` only if that name is free: full content first, then link(2). */
function createExclusive(dir: string, name: string, lock: RunLock): boolean {
  // `name` starts with '.', so this is `.plexus-lock-<n>.claim-<pid>-<r>`: LOCK_TMP_RE must match it, or a
  // concurrent claimer reading the folder takes our scratch file for run output and both give up.
  const tmp = path.join(dir, `${name}.claim-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, `${JSON.stringify(lock)}\n`, { flag: 'wx' });
  try {
    linkSync(tmp, path.join(dir, name));
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function makeRelease(dir: string, lock: RunLock): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    // Rewritten in place by rename: only the owner ever writes its own generation's file.
    const file = path.join(dir, lockName(lock.generation));
    const tmp = `${file}.release-${process.pid}`; // matches LOCK_TMP_RE
    writeFileSync(tmp, `${JSON.stringify({ ...lock, released: true })}\n`);
    try {
      renameSync(tmp, file);
    } catch {
      try { unlinkSync(tmp); } catch { /* already gone */ }
    }
  };
}


/**
 * Claims the folder for a new run: creates it (a default name moves on to -2, -3, ... when taken),
 * then its generation-1 owner file exclusively. Refuses (RUN_DIR_EXISTS, exit 2) an explicit folder
 * that another run owns or that holds anything.
 */
export function claimNewRunDir(ctx: Ctx, planned: { dir: string; rel: string; default: boolean }, config: Record<string, unknown>): RunClaim {
  const lock: RunLock = { pid: process.pid, host: os.hostname(), generation: 1, released: false, config };
  for (let i = 1; ; i++) {
    const rel = i === 1 ? planned.rel : `${planned.rel}-${i}`;
    const dir = i === 1 ? planned.dir : containedPath(ctx.cwd, rel, 'run folder');
    if (planned.default) {
      mkdirSync(path.dirname(dir), { recursive: true });
      try {
        mkdirSync(dir); // exclusive: EEXIST when another default run took this second's name
      } catch (e) {
        if ((e as { code?: string }).code === 'EEXIST') continue;
        throw e;
      }
    }
    ensureDir(ctx.cwd, dir);
    if (!createExclusive(dir, lockName(1), lock)) {
      if (planned.default) continue;
      throw taken(rel);
    }
    removeStaleLockTemps(dir);
    const others = readdirSync(dir).filter((n) => n !== lockName(1) && !LOCK_TMP_RE.test(n));
    if (others.length > 0) {
      unlinkSync(path.join(dir, lockName(1))); // ours: created exclusively above
      if (planned.default) continue;
      throw taken(rel);
    }
    return { dir, generation: 1, release: makeRelease(dir, lock) };
  }
}

function readLock(dir: string, name: string): RunLock | null {
  try {
    const v = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as RunLock;
    return typeof v === 'object' && v !== null && typeof v.pid === 'number' ? v : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // a previous holder with our (reused) pid is gone
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Removes scratch files of owner files whose process is gone (never a live process's). */
export function removeStaleLockTemps(dir: string): void {
  for (const n of readdirSync(dir)) {
    const m = LOCK_TMP_RE.exec(n);
    if (m && !alive(Number(m[1]))) {
      try { unlinkSync(path.join(dir, n)); } catch { /* removed concurrently */ }
    }
  }
}

/** The newest owner file of a run folder, or null (a folder from an older plexus has none). */
export function latestLock(dir: string): RunLock | null {
  const gens = readdirSync(dir).map((n) => LOCK_RE.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
  if (gens.length === 0) return null;
  const g = Math.max(...gens);
  return readLock(dir, lockName(g)) ?? { pid: -1, host: os.hostname(), generation: g, released: true, config: {} };
}

/**
 * Claims an existing run folder for `--resume`: refused (RUN_IN_USE) while the process owning it
 * runs, else takes the next generation exclusively (so two resumes cannot both win).
 */
export function claimRunDirForResume(ctx: Ctx, dir: string, rel: string, config: Record<string, unknown>): RunClaim {
  const cur = latestLock(dir);
  const gen = (cur?.generation ?? 0) + 1;
  if (cur && !cur.released) {
    const here = cur.host === os.hostname();
    if (!here || alive(cur.pid)) {
      throw new CliError('RUN_IN_USE', `run folder ${rel} is in use by process ${cur.pid}${here ? '' : ` on ${cur.host}`}; if no plexus process is writing it, remove ${rel}/${lockName(cur.generation)}`);
    }
  }
  const lock: RunLock = { pid: process.pid, host: os.hostname(), generation: gen, released: false, config };
  if (!createExclusive(dir, lockName(gen), lock)) throw new CliError('RUN_IN_USE', `run folder ${rel} was just claimed by another process`);
  for (const n of readdirSync(dir)) {
    const m = LOCK_RE.exec(n);
    if (m && Number(m[1]) < gen) unlinkSync(path.join(dir, n)); // older generations: the newest alone decides
  }
  removeStaleLockTemps(dir);
  if (!isInside(dir, ctx.cwd)) throw new CliError('PATH_OUTSIDE_ROOT', `${rel} is outside the working folder`);
  return { dir, generation: gen, release: makeRelease(dir, lock) };
}

/** Writes text into the run folder atomically (a crash leaves the old file or none, never half of one). */
export async function writeRunFile(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await px.io.writeFileAtomic(file, text);
  return file;
}

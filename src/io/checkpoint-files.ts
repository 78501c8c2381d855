/**
 * @file Node-only (plexus/node): checkpoints in a directory. `last.safetensors` is the newest; with
 * `keep: N` the last N are also kept as `step-<step>.safetensors`. `last` is written first, so a
 * crash between the two writes leaves `last` the newest, and `latestCheckpoint` reads it first.
 * Temp files of interrupted writes are never picked. The bytes come from checkpoint.ts; every
 * function here also takes what the portable one takes, so browser-entry code runs unchanged.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type WriteAtomicOptions, cleanupTemp, isTempName, writeFileAtomic } from './atomic.js';
import {
  type CheckpointState, type CheckpointTargets, type LoadedCheckpoint, type SaveCheckpointOptions,
  LAST_CHECKPOINT, checkTargets, checkpointBytes, invalid, isCount, loadCheckpoint as loadCheckpointBytes, restoreCheckpoint,
  saveCheckpoint as saveCheckpointBytes,
} from './checkpoint.js';
import { CheckpointWriteError, ModelFormatError } from './errors.js';
import { readSafetensorsFile } from './files.js';
import type { ParseOptions } from './safetensors.js';
import type { ByteSource } from './source.js';

const STEP_RE = /^step-([0-9]{1,15})\.safetensors$/;

const errnoOf = (e: unknown): string => (typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'UNKNOWN');

/** Step files in `dir`, newest first (temp files and other names ignored). */
async function stepFiles(dir: string): Promise<{ name: string; step: number }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return [];
    throw e;
  }
  const out: { name: string; step: number }[] = [];
  for (const d of entries) {
    const m = d.isFile() && !isTempName(d.name) ? STEP_RE.exec(d.name) : null;
    if (m) out.push({ name: d.name, step: Number(m[1]) });
  }
  return out.sort((a, b) => b.step - a.step);
}

/**
 * Saves a checkpoint into `dir` (created if needed) as `last.safetensors`, atomically: a crash or a
 * write error leaves the previous `last` intact. Refuses NaN/Inf weights or optimizer state with
 * NonFiniteWeightsError before touching the disk. The state is captured when called; the promise
 * resolves once the file is durable. Returns the path of `last`. Without a directory, returns the
 * bytes (as the browser entry's io.saveCheckpoint).
 * @example await io.saveCheckpoint('runs/a/ckpt', { model, optimizer, scheduler, loader, epoch, step });
 */
export function saveCheckpoint(dir: string, state: CheckpointState, opts?: SaveCheckpointOptions & WriteAtomicOptions): Promise<string>;
export function saveCheckpoint(state: CheckpointState, opts?: Omit<SaveCheckpointOptions, 'keep'>): Uint8Array;
export function saveCheckpoint(
  dir: string | CheckpointState, state?: CheckpointState | Omit<SaveCheckpointOptions, 'keep'>, opts: SaveCheckpointOptions & WriteAtomicOptions = {},
): Promise<string> | Uint8Array {
  if (typeof dir === 'object' && dir !== null) return saveCheckpointBytes(dir, (state ?? {}) as Omit<SaveCheckpointOptions, 'keep'>);
  return saveCheckpointDir(dir, state as CheckpointState, opts);
}

async function saveCheckpointDir(dir: string, state: CheckpointState, opts: SaveCheckpointOptions & WriteAtomicOptions): Promise<string> {
  if (typeof dir !== 'string' || dir === '') invalid('saveCheckpoint: dir must be a non-empty path');
  const keep = opts.keep ?? 0;
  if (!isCount(keep)) invalid(`saveCheckpoint: keep must be a non-negative integer, got ${String(keep)}`);
  const last = path.join(dir, LAST_CHECKPOINT);
  const bytes = checkpointBytes(state, opts, 'saveCheckpoint', `the last good checkpoint ${last} is kept`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new CheckpointWriteError(dir, errnoOf(e), 'open', `cannot create the directory: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  await cleanupTemp(dir); // orphans of crashed writers (docs/reliability.md "Atomic saves")
  await writeFileAtomic(last, bytes, opts);
  if (keep > 0) {
    await writeFileAtomic(path.join(dir, `step-${String(state.step).padStart(8, '0')}.safetensors`), bytes, opts);
    for (const old of (await stepFiles(dir)).slice(keep)) {
      await unlink(path.join(dir, old.name)).catch((e: unknown) => {
        if (errnoOf(e) !== 'ENOENT') throw e;
      });
    }
  }
  return last;
}

/**
 * The newest checkpoint in `dir`: `last.safetensors` when present, else the highest
 * `step-<n>.safetensors`; null when there is none (or no such directory). Temp files of interrupted
 * writes are never returned.
 */
export async function latestCheckpoint(dir: string): Promise<string | null> {
  try {
    if ((await stat(path.join(dir, LAST_CHECKPOINT))).isFile()) return path.join(dir, LAST_CHECKPOINT);
  } catch (e) {
    if (!['ENOENT', 'ENOTDIR'].includes(errnoOf(e))) throw e;
  }
  const steps = await stepFiles(dir);
  return steps.length ? path.join(dir, steps[0]!.name) : null;
}

/**
 * Restores a checkpoint (a file, or a directory: its latest; or bytes, a Response, a Blob) into the
 * targets, all or nothing (see checkpoint.ts).
 * @example const { epoch, step } = await io.loadCheckpoint('runs/a/ckpt', { model, optimizer, scheduler, loader });
 */
export async function loadCheckpoint(
  file: string | ByteSource, targets: CheckpointTargets, opts: Pick<ParseOptions, 'maxHeader' | 'maxTensors' | 'requireChecksum'> = {},
): Promise<LoadedCheckpoint> {
  if (typeof file !== 'string') return loadCheckpointBytes(file, targets, opts);
  checkTargets(targets, 'loadCheckpoint');
  let source = file;
  if ((await stat(file).catch(() => null))?.isDirectory()) {
    const latest = await latestCheckpoint(file);
    if (latest === null) throw new ModelFormatError('NO_CHECKPOINT', `${file}: no checkpoint in this directory (expected ${LAST_CHECKPOINT} or step-<n>.safetensors)`);
    source = latest;
  }
  // We always write a checksum: a checkpoint without one was not written by plexus.
  const parsed = await readSafetensorsFile(source, { requireChecksum: true, ...opts });
  return restoreCheckpoint(parsed, source, targets);
}

/**
 * @file The run folder of `plexus train`: where it goes (runs/<name or timestamp> under the working
 * folder, or --out, always contained there) and the files it gets. The location is checked before
 * training starts; the folder is created only after every check has passed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { px } from './api.js';
import type { TrainConfig } from './config-schema.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import { containedPath, nonEmptyDir } from './paths.js';

/** File names inside a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  model: 'model.safetensors',
  curves: 'curves.svg',
  /** Folder of io.saveCheckpoint: last.safetensors (model, optimizer, loader position, RNG). */
  checkpoint: 'checkpoint',
} as const;

/** "2025-01-31T12-00-05": sortable, and legal in file names everywhere. */
function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

/**
 * The absolute run folder for `cfg` (not yet created). An explicit --out / name must be new or
 * empty: a finished run is never overwritten. A default timestamped name gets -2, -3, ... if taken.
 */
export function resolveRunDir(ctx: Ctx, cfg: TrainConfig): string {
  if (cfg.out !== undefined || cfg.name !== undefined) {
    const rel = cfg.out ?? `runs/${cfg.name}`;
    const dir = containedPath(ctx.cwd, rel, cfg.out !== undefined ? 'output folder (--out)' : 'run folder (name)');
    if (nonEmptyDir(dir)) throw new CliError('RUN_DIR_EXISTS', `run folder ${rel} already exists and is not empty; choose another --out or --name`);
    return dir;
  }
  const base = `runs/${timestamp()}`;
  for (let i = 1; ; i++) {
    const rel = i === 1 ? base : `${base}-${i}`;
    const dir = containedPath(ctx.cwd, rel, 'run folder');
    if (!existsSync(dir)) return dir;
  }
}

/** Writes text into the run folder atomically (a crash leaves the old file or none, never half of one). */
export async function writeRunFile(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await px.io.writeFileAtomic(file, text);
  return file;
}

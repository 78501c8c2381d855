/**
 * @file `plexus train --resume runs/<name>`: continue a run from its last checkpoint (model,
 * optimizer, data-loader position, RNG), bit-exactly: the finished run equals an uninterrupted one.
 *
 * Rules (README "Command line"):
 * - the folder must exist (else exit 2, nothing to resume); without a checkpoint yet (stopped in the
 *   first epoch) the run starts over from epoch 1 in the same folder;
 * - flags and --config given with --resume must agree with the run's config.json; any other value
 *   is refused (exit 2) naming the keys, except `epochs`, which may be raised to train further;
 * - a complete run (all epochs done and model.safetensors written) is refused unless --epochs raises
 *   the count; --out / --name cannot be combined with --resume;
 * - the folder is claimed for the resume like a new run (run-dir.ts), and stale temp files of
 *   interrupted atomic saves in it and in checkpoint/ are removed.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { type EpochLogs, px } from './api.js';
import { loadTrainConfig, resolveBackend } from './config.js';
import { type Ctx, shown } from './context.js';
import { CliError } from './errors.js';
import { readConfigFile } from './json-file.js';
import { containedPath } from './paths.js';
import { RUN_FILES, claimRunDirForResume, latestLock, writeRunFile } from './run-dir.js';
import { FAILED_FILE, type StartPoint, type TrainResult, announce, execute, plan, withBackend } from './train.js';

type Tree = Record<string, unknown>;

/** Leaves of two JSON values that differ, as JSON pointers. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  const obj = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (obj(a) && obj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], `${at}/${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '/'];
}

/** The run's config: config.json, or the owner file's copy when the run died before writing it. */
function storedConfig(dir: string, rel: string): Tree {
  const file = path.join(dir, RUN_FILES.config);
  if (existsSync(file)) {
    const read = readConfigFile(file, `${rel}/${RUN_FILES.config}`);
    if (read.problems.length > 0 || typeof read.value !== 'object' || read.value === null) {
      throw new CliError('INVALID_CONFIG', `${rel}/${RUN_FILES.config} is unreadable: ${read.problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}`);
    }
    return read.value as Tree;
  }
  const lock = latestLock(dir);
  if (lock && Object.keys(lock.config).length > 0) return structuredClone(lock.config);
  throw new CliError('NOTHING_TO_RESUME', `${rel} has no ${RUN_FILES.config}: not a plexus run folder, nothing to resume`);
}

/** Epoch lines of log.jsonl up to `epoch` (the checkpoint), others dropped; the kept text is returned too. */
function trimLog(file: string, epoch: number): { text: string; epochs: EpochLogs[] } {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { text: '', epochs: [] };
  }
  const kept: string[] = [];
  const epochs: EpochLogs[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: Tree;
    try {
      v = JSON.parse(line) as Tree;
    } catch {
      continue; // a line cut by the kill
    }
    if (v.event === 'epoch') {
      if (typeof v.epoch !== 'number' || v.epoch > epoch) continue; // done after the checkpoint: redone now
      epochs.push(v as unknown as EpochLogs);
    }
    kept.push(line);
  }
  return { text: kept.map((l) => `${l}\n`).join(''), epochs };
}

/** Runs `plexus train --resume <dir>`. */
export async function resumeTrain(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<TrainResult> {
  const rel = String(flags.resume);
  if (flags.out !== undefined || flags.name !== undefined) throw new CliError('INVALID_ARGUMENT', `--resume ${rel} names the run folder; do not combine it with ${flags.out !== undefined ? '--out' : '--name'}`);
  const dir = containedPath(ctx.cwd, rel, 'run folder (--resume)');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError('NOTHING_TO_RESUME', `nothing to resume: ${rel} does not exist (the run never claimed its folder); start it again without --resume`);
  const stored = storedConfig(dir, rel);
  // The stored config is the base; a --config file replaces it and flags lay over either.
  const { config: cfg, source } = loadTrainConfig(ctx, flags, { tree: structuredClone(stored), source: `${rel}/${RUN_FILES.config}` });
  const ckptDir = path.join(dir, RUN_FILES.checkpoint);
  const backend = resolveBackend(cfg.backend);
  return withBackend(backend, async () => {
    const p = plan(ctx, cfg, source, backend);
    const storedEpochs = typeof stored.epochs === 'number' ? stored.epochs : cfg.epochs;
    const changed = differences(stored, p.config).filter((k) => k !== '/epochs');
    if (changed.length > 0) {
      throw new CliError('CONFIG_MISMATCH', `cannot resume ${rel}: the config given differs from the run's ${RUN_FILES.config} at ${changed.join(', ')}; resume with the same settings (or only a larger --epochs)`);
    }
    if (cfg.epochs < storedEpochs) throw new CliError('CONFIG_MISMATCH', `cannot resume ${rel}: --epochs ${cfg.epochs} is below the run's ${storedEpochs}; epochs can only be raised`);
    const latest = await px.io.latestCheckpoint(ckptDir);
    const done = latest === null ? 0 : (await px.io.readSafetensorsFile(latest).then((f) => (JSON.parse(f.metadata.get(px.io.CHECKPOINT_KEY) ?? '{}') as { epoch?: number }).epoch ?? 0));
    if (done >= cfg.epochs && existsSync(path.join(dir, RUN_FILES.model))) {
      throw new CliError('RUN_COMPLETE', `${rel} is complete (${done}/${storedEpochs} epochs, model saved); to train further pass a larger --epochs, e.g. --resume ${rel} --epochs ${storedEpochs * 2}`);
    }
    const claim = claimRunDirForResume(ctx, dir, rel, p.config);
    try {
      const removed = [...await px.io.cleanupTemp(dir), ...await px.io.cleanupTemp(ckptDir)];
      if (removed.length) ctx.io.out(`removed ${removed.length} stale temp file(s) of interrupted saves: ${removed.join(', ')}\n`);
      for (const f of [FAILED_FILE, RUN_FILES.model, RUN_FILES.curves]) rmSync(path.join(dir, f), { force: true }); // rewritten at the end
      let start: StartPoint = { epoch: 0, step: 0, firstLoss: null, previous: [] };
      if (latest !== null) {
        const c = await px.io.loadCheckpoint(latest, { model: p.model, optimizer: p.optimizer, loader: p.loader });
        const extra = (c.extra ?? {}) as { firstLoss?: unknown };
        start = { epoch: c.epoch, step: c.step, firstLoss: typeof extra.firstLoss === 'number' ? extra.firstLoss : null, previous: [], ...(c.algorithm === null ? {} : { algorithmState: c.algorithm }) };
      }
      const log = trimLog(path.join(dir, RUN_FILES.log), start.epoch);
      start.previous = log.epochs;
      await writeRunFile(dir, RUN_FILES.log, `${log.text}${JSON.stringify({ event: 'resume', fromEpoch: start.epoch, step: start.step })}\n`);
      announce(ctx, p);
      ctx.io.out(latest === null
        ? `resuming ${shown(ctx, dir)}: no checkpoint yet (stopped in epoch 1), starting over from epoch 1\n`
        : `resuming ${shown(ctx, dir)} after epoch ${start.epoch}/${cfg.epochs} (step ${start.step})\n`);
      return await execute(ctx, p, dir, start);
    } finally {
      claim.release();
    }
  });
}

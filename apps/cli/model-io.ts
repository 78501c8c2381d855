/**
 * @file Loading a model saved by `plexus train` for eval / predict: the model, its CLI metadata, and
 * the backend switched for the duration of a command.
 */
import path from 'node:path';
import { type LoadedModel, loadModel, px } from './api.js';
import { resolveBackend } from './config.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';
import { type ModelMeta, readModelMeta } from './model-meta.js';

export async function loadCliModel(ctx: Ctx, file: unknown): Promise<LoadedModel & { meta: ModelMeta }> {
  if (typeof file !== 'string' || file === '') throw new CliError('MISSING_ARGUMENT', 'a model file is required (--model <file>)');
  const loaded = await loadModel(path.resolve(ctx.cwd, file));
  return { ...loaded, meta: readModelMeta(loaded.metadata, file) };
}

/** Runs `fn` on the backend a --backend flag names ('auto' if absent), restoring the previous one. */
export async function withBackend<T>(flag: unknown, fn: () => Promise<T>): Promise<T> {
  const want = typeof flag === 'string' ? flag : 'auto';
  if (want !== 'auto' && !px.availableBackends().includes(want)) {
    throw new CliError('INVALID_ARGUMENT', `--backend must be auto or one of ${px.availableBackends().join(', ')}, got ${JSON.stringify(want)}`);
  }
  const previous = px.getBackend();
  px.setBackend(resolveBackend(want));
  try {
    return await fn();
  } finally {
    px.setBackend(previous);
  }
}

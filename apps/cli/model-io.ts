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

export async function loadCliModel(ctx: Ctx, file: unknown): Promise<LoadedModel & { meta: ModelMeta; predictor: (x: Tensor) => Tensor; algorithm?: px.train.TrainingAlgorithm<unknown> }> {
  if (typeof file !== 'string' || file === '') throw new CliError('MISSING_ARGUMENT', 'a model file is required (--model <file>)');
  const loaded = await loadModel(path.resolve(ctx.cwd, file));
  const algorithm = trainedWith(loaded.metadata, file);
  const { model } = loaded;
  // Forward-Forward's prediction is not model.forward (goodness over the labels): predict through it.
  const predictor = algorithm?.predict ? (x: Tensor): Tensor => algorithm.predict!(model, x) : (x: Tensor): Tensor => px.predict(model, x);
  return { ...loaded, meta: readModelMeta(loaded.metadata, file), predictor, ...(algorithm ? { algorithm } : {}) };
}

type Tensor = InstanceType<typeof px.Tensor>;

/** The training algorithm the run's config (saved in the model's metadata) names, when it is not backprop. */
function trainedWith(metadata: Readonly<Record<string, unknown>>, file: string): px.train.TrainingAlgorithm<unknown> | null {
  const cfg = metadata.config as { algorithm?: { name?: unknown } & Record<string, unknown> } | undefined;
  const a = cfg?.algorithm;
  if (a === undefined || a === null || typeof a !== 'object' || a.name === 'backprop') return null;
  const { name, ...options } = a;
  try {
    return px.train.createAlgorithm(String(name), options);
  } catch (e) {
    if (e instanceof px.ValueError) throw new CliError('INVALID_MODEL', `${file}: its metadata names training algorithm ${JSON.stringify(name)}, which this plexus cannot rebuild: ${e.message}`);
    throw e;
  }
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

/**
 * @file What the CLI stores with a trained model (under `metadata.cli` of io.saveModel) so that
 * `eval` and `predict` can prepare raw inputs exactly as training did: the task, class names,
 * feature names, the standardisation that maps raw file values to model inputs, and where the test
 * split came from. A model file is untrusted input, so this is checked with a strict schema too.
 */
import { z } from 'zod';
import { DATASETS } from './config-schema.js';
import { CliError } from './errors.js';

const finite = z.number();
export const ModelMetaSchema = z.strictObject({
  /** Layout version of this object. */
  version: z.literal(1),
  task: z.enum(['classification', 'regression']),
  /** Class names by output index (classification), else null. */
  classes: z.array(z.string()).nullable(),
  /** Input column names, in the model's input order. */
  features: z.array(z.string()).min(1),
  /** CSV target column (csv data), else null. */
  target: z.string().nullable(),
  /** model input = (raw value - mean) / std, per feature. */
  standardizer: z.strictObject({ mean: z.array(finite), std: z.array(finite.positive()) }),
  /** The training data: which set, and the split (seed, testFraction) its test part came from. */
  data: z.strictObject({
    name: z.enum(DATASETS),
    seed: z.int().min(0),
    testFraction: z.number().gt(0).lt(1).nullable(),
  }),
  loss: z.enum(['crossEntropy', 'mse']),
});

export type ModelMeta = z.output<typeof ModelMetaSchema>;

/** The CLI metadata of a loaded model, or a typed error naming the file and the field. */
export function readModelMeta(metadata: Readonly<Record<string, unknown>>, file: string): ModelMeta {
  const raw = Object.hasOwn(metadata, 'cli') ? metadata.cli : undefined;
  if (raw === undefined) throw new CliError('NOT_A_CLI_MODEL', `${file}: no "cli" metadata (the model was not saved by \`plexus train\`), so its input preparation is unknown`);
  const r = ModelMetaSchema.safeParse(raw);
  if (!r.success) {
    const where = r.error.issues.map((i) => `/cli${i.path.map((k) => `/${String(k)}`).join('')}: ${i.message}`).join('; ');
    throw new CliError('INVALID_MODEL_METADATA', `${file}: invalid "cli" metadata: ${where}`);
  }
  const m = r.data;
  if (m.standardizer.mean.length !== m.features.length || m.standardizer.std.length !== m.features.length) {
    throw new CliError('INVALID_MODEL_METADATA', `${file}: the standardizer has ${m.standardizer.mean.length} columns for ${m.features.length} features`);
  }
  return m;
}

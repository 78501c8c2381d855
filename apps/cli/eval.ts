/**
 * @file `plexus eval --model <file> [--data digits|iris|fashion-mnist|csv:<path>]`: the saved model's
 * loss and accuracy (or mse) on a test set. Built-in sets use the split the model was trained with;
 * a CSV is evaluated whole, prepared with the saved standardisation and class names.
 */
import { evaluate, px } from './api.js';
import { DATASETS } from './config-schema.js';
import type { Ctx } from './context.js';
import { builtinEvalData, csvModelInput } from './data.js';
import { CliError } from './errors.js';
import { loadCliModel, withBackend } from './model-io.js';

type Tensor = InstanceType<typeof px.Tensor>;

export interface EvalOutput { loss: number; accuracy?: number; samples: number }

export type Spec = { kind: 'csv'; file: string } | { kind: 'builtin'; name: 'digits' | 'iris' | 'fashion-mnist' } | { kind: 'trained' };

/** --data, checked before anything is read: a built-in name, csv:<path>, or absent (the training set). */
export function parseSpec(spec: unknown): Spec {
  if (spec === undefined) return { kind: 'trained' };
  if (typeof spec === 'string' && /^csv:./i.test(spec)) return { kind: 'csv', file: spec.slice(4) };
  if (spec === 'digits' || spec === 'iris' || spec === 'fashion-mnist') return { kind: 'builtin', name: spec };
  const hint = spec === 'csv' || spec === 'csv:' ? ' (csv needs a file: --data csv:<path>)' : '';
  throw new CliError('INVALID_ARGUMENT', `--data must be one of ${DATASETS.filter((d) => d !== 'csv').join(', ')} or csv:<path>, got ${JSON.stringify(spec)}${hint}`);
}

export async function evalCommand(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<EvalOutput> {
  let spec = parseSpec(flags.data); // before any reading: a bad flag is a refusal (exit 2)
  return withBackend(flags.backend, async () => {
    const { model, meta, algorithm } = await loadCliModel(ctx, flags.model);
    if (spec.kind === 'trained') {
      if (meta.data.name === 'csv') throw new CliError('MISSING_ARGUMENT', 'the model was trained on a CSV file: give the test file with --data csv:<path>');
      spec = { kind: 'builtin', name: meta.data.name };
    }
    let t: { x: Tensor; y: Tensor; where: string };
    if (spec.kind === 'csv') {
      const c = csvModelInput(ctx, spec.file, meta, true, typeof flags.target === 'string' ? flags.target : undefined);
      t = { x: c.x, y: c.y!, where: spec.file };
    } else {
      const b = builtinEvalData(ctx, spec.name, meta, typeof flags.dir === 'string' ? flags.dir : undefined);
      t = { x: b.x, y: b.y, where: b.note };
    }
    const r = evaluate(model, { x: t.x, y: t.y }, { loss: meta.loss, ...(algorithm ? { algorithm } : {}) });
    const n = t.x.shape[0]!;
    const score = r.accuracy === undefined ? `mse ${r.loss.toPrecision(4)}` : `accuracy ${(r.accuracy * 100).toFixed(2)}% (loss ${r.loss.toFixed(4)})`;
    ctx.io.out(`${score} on ${n} samples of ${t.where}\n`);
    return { loss: r.loss, ...(r.accuracy === undefined ? {} : { accuracy: r.accuracy }), samples: n };
  });
}

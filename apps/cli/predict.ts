/**
 * @file `plexus predict --model <file> --input in.csv [--output out.csv]`: raw CSV rows in, one row
 * of predictions out per input row. Classification: the predicted class name and one probability
 * column per class (softmax of the logits); regression: the predicted value. The input gets the
 * saved standardisation; columns are matched by name, so order and extra columns do not matter.
 */
import { px } from './api.js';
import { type Ctx, shown } from './context.js';
import { csvModelInput } from './data.js';
import { CliError } from './errors.js';
import { loadCliModel, withBackend } from './model-io.js';
import { containedPath } from './paths.js';

/** 6 significant digits: enough for probabilities and values, short enough to read. */
const num = (v: number): string => String(Number(v.toPrecision(6)));

export async function predictCommand(ctx: Ctx, flags: Readonly<Record<string, unknown>>): Promise<string> {
  if (typeof flags.input !== 'string') throw new CliError('MISSING_ARGUMENT', 'an input CSV is required (--input <file>)');
  // The output location is checked before any work, and before anything is written.
  const out = typeof flags.output === 'string' ? containedPath(ctx.cwd, flags.output, 'output file (--output)') : null;
  return withBackend(flags.backend, async () => {
    const { meta, predictor } = await loadCliModel(ctx, flags.model);
    const { x, rows } = csvModelInput(ctx, flags.input as string, meta, false);
    const pred = predictor(x);
    const lines: string[] = [];
    if (meta.classes) {
      const classes = meta.classes;
      const probs = px.softmax(pred, 1).values;
      const k = classes.length;
      lines.push(px.data.formatCsvRow(['predicted', ...classes.map((c) => `prob_${c}`)]));
      for (let i = 0; i < rows; i++) {
        const p = Array.from(probs.subarray(i * k, (i + 1) * k));
        let best = 0;
        for (let j = 1; j < k; j++) if (p[j]! > p[best]!) best = j;
        lines.push(px.data.formatCsvRow([classes[best]!, ...p.map(num)]));
      }
    } else {
      const v = pred.values;
      const k = pred.shape[1] ?? 1;
      lines.push(px.data.formatCsvRow(k === 1 ? ['prediction'] : Array.from({ length: k }, (_, j) => `prediction_${j}`)));
      for (let i = 0; i < rows; i++) lines.push(px.data.formatCsvRow(Array.from(v.subarray(i * k, (i + 1) * k), num)));
    }
    const csv = `${lines.join('\n')}\n`;
    if (out === null) ctx.io.out(csv);
    else {
      await px.io.writeFileAtomic(out, csv);
      ctx.io.err(`wrote ${rows} predictions to ${shown(ctx, out)}\n`);
    }
    return csv;
  });
}

/**
 * @file `plexus eval`, `predict` and `info` on models trained by `plexus train`: eval reproduces the
 * test accuracy training printed (the saved standardisation and split are applied, not re-derived);
 * predict reads raw CSV rows by column name (any order, extra columns ignored) and its predictions
 * score the same accuracy as eval on the same rows; info shows architecture, tensors, dtypes,
 * metadata and checksum status, and a tampered file is a typed error. Regression on a CSV as well.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

/** Raw digits test rows (pixels 0..16) as CSV: an id column first, pixels in reversed order, then the label. */
function digitsCsv(): { text: string; labels: number[] } {
  const { test, features } = px.data.digits({ seed: 0, testFraction: 0.2, normalize: false });
  const x = test.x.values;
  const y = Array.from(test.y.values);
  const order = [...features.keys()].reverse();
  const rows = [['id', ...order.map((k) => features[k]!), 'label'].join(',')];
  for (let i = 0; i < y.length; i++) rows.push([`r${i}`, ...order.map((k) => String(x[i * 64 + k])), String(y[i])].join(','));
  return { text: `${rows.join('\n')}\n`, labels: y };
}

describe('eval / predict / info on a digits model', () => {
  let cwd: string;
  let trainedAcc: string;
  const model = 'runs/d/model.safetensors';

  before(async () => {
    cwd = tempDir();
    const r = await runCli(cwd, 'train', '--epochs', '4', '--hidden', '32', '--name', 'd');
    assert.equal(r.code, 0, r.err);
    trainedAcc = /test accuracy: ([\d.]+%)/.exec(r.out)![1]!;
  });

  it('eval reproduces the accuracy printed by train, on the same test split', async () => {
    const r = await runCli(cwd, 'eval', '--model', model);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.startsWith(`accuracy ${trainedAcc}`), `${r.out} vs ${trainedAcc}`);
    assert.match(r.out, /on 359 samples of the digits test split \(seed 0, testFraction 0\.2\), as in training/);
  });

  it('predict: raw CSV in (columns by name), class + probabilities out, matching eval on the same rows', async () => {
    const { text, labels } = digitsCsv();
    writeFileSync(path.join(cwd, 'test.csv'), text);
    const p = await runCli(cwd, 'predict', '--model', model, '--input', 'test.csv', '--output', 'pred.csv');
    assert.equal(p.code, 0, p.err);
    const lines = readFileSync(path.join(cwd, 'pred.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], ['predicted', ...Array.from({ length: 10 }, (_, k) => `prob_${k}`)].join(','));
    assert.equal(lines.length, labels.length + 1);
    let correct = 0;
    lines.slice(1).forEach((l, i) => {
      const [cls, ...probs] = l.split(',');
      const sum = probs.map(Number).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `row ${i} probabilities sum to ${sum}`);
      if (Number(cls) === labels[i]) correct++;
    });
    assert.equal(`${((correct / labels.length) * 100).toFixed(2)}%`, trainedAcc);
    // eval on that CSV (target column "label" given by flag) agrees too.
    const e = await runCli(cwd, 'eval', '--model', model, '--data', 'csv:test.csv', '--target', 'label');
    assert.equal(e.code, 0, e.err);
    assert.ok(e.out.startsWith(`accuracy ${trainedAcc}`), e.out);
  });

  it('a bad --data is refused before the model is read (exit 2)', async () => {
    const r = await refused(cwd, ['eval', '--model', 'missing.safetensors', '--data', 'csv'], ['--data', 'csv:<path>', 'INVALID_ARGUMENT']);
    assert.equal(r.code, 2);
  });

  it('predict without --output writes the CSV to stdout', async () => {
    writeFileSync(path.join(cwd, 'one.csv'), `${digitsCsv().text.split('\n').slice(0, 3).join('\n')}\n`);
    const p = await runCli(cwd, 'predict', '--model', model, '--input', 'one.csv');
    assert.equal(p.code, 0, p.err);
    assert.equal(p.out.trim().split('\n').length, 3);
  });

  it('a CSV lacking a feature column is a typed error naming it', async () => {
    writeFileSync(path.join(cwd, 'short.csv'), 'pixel_0_0,pixel_0_1\n0,1\n');
    const r = await refused(cwd, ['predict', '--model', model, '--input', 'short.csv', '--output', 'never.csv'], ['short.csv', 'missing feature column', '"pixel_0_2"', 'MISSING_COLUMNS']);
    assert.equal(r.code, 2);
  });

  it('info shows architecture, tensors with dtypes and shapes, metadata and a verified checksum', async () => {
    const r = await runCli(cwd, 'info', model);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /architecture: MLP\(sizes=\[64,32,10\], activation="relu"/);
    assert.match(r.out, /tensors: 4, 2410 values/);
    assert.match(r.out, /layers\.0\.weight +F32 +\[32, 64\] +2048/);
    assert.match(r.out, /task: classification, 10 classes: 0, 1, 2/);
    assert.match(r.out, /trained on: digits \(seed 0, testFraction 0\.2\)/);
    assert.match(r.out, /checksum: sha256 verified/);
  });

  it('info on a tampered file: CHECKSUM_MISMATCH naming the file, exit 1', async () => {
    const bytes = readFileSync(path.join(cwd, model));
    bytes[bytes.length - 3]! ^= 0x40; // a weight byte
    writeFileSync(path.join(cwd, 'tampered.safetensors'), bytes);
    const r = await runCli(cwd, 'info', 'tampered.safetensors');
    assert.equal(r.code, 1);
    assert.match(r.err, /tampered\.safetensors.*CHECKSUM_MISMATCH/s);
    const e = await runCli(cwd, 'eval', '--model', 'tampered.safetensors');
    assert.equal(e.code, 1);
    assert.match(e.err, /CHECKSUM_MISMATCH/);
  });

  it('info on a file with an oversized header is refused before reading it', async () => {
    const f = new Uint8Array(16);
    new DataView(f.buffer).setBigUint64(0, 2n ** 40n, true);
    writeFileSync(path.join(cwd, 'huge.safetensors'), f);
    const r = await runCli(cwd, 'info', 'huge.safetensors');
    assert.equal(r.code, 1);
    assert.match(r.err, /huge\.safetensors/);
    assert.match(r.err, /HEADER_TOO_LARGE|INVALID_HEADER_LENGTH/);
  });

  it('info on a plain safetensors file (no plexus config) shows its tensors', async () => {
    await px.io.saveSafetensors(path.join(cwd, 'plain.safetensors'), new Map([['w', px.tensor([1, 2, 3], { dtype: 'float64' })]]));
    const r = await runCli(cwd, 'info', 'plain.safetensors');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /plain safetensors/);
    assert.match(r.out, /w +F64 +\[3\] +3/);
  });

  it('info on the checkpoint names it as one', async () => {
    const r = await runCli(cwd, 'info', 'runs/d/checkpoint/last.safetensors');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /plexus checkpoint \(epoch 4, step 180/);
  });
});

describe('a CSV regression model', () => {
  it('trains with mse, ignores an id column, evaluates and predicts one value per row', async () => {
    const cwd = tempDir();
    const g = new px.Generator(1);
    const rows = ['id,a,b,y'];
    for (let i = 0; i < 200; i++) {
      const a = g.nextFloat() * 2 - 1;
      const b = g.nextFloat() * 2 - 1;
      rows.push(`${i},${a},${b},${2 * a - 3 * b + 0.5}`);
    }
    writeFileSync(path.join(cwd, 'fx.csv'), `${rows.join('\n')}\n`);
    const t = await runCli(cwd, 'train', '--data', 'csv:fx.csv', '--target', 'y', '--ignore', 'id', '--lr', '0.01', '--epochs', '40', '--out', 'reg');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /csv: 160 train \/ 40 test, 2 features, regression/);
    const mse = Number(/test mse: ([\d.e-]+)/.exec(t.out)![1]);
    assert.ok(mse < 0.05, `test mse ${mse}`);
    const e = await runCli(cwd, 'eval', '--model', 'reg/model.safetensors', '--data', 'csv:fx.csv');
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /^mse [\d.e-]+ on 200 samples of fx\.csv/);
    const p = await runCli(cwd, 'predict', '--model', 'reg/model.safetensors', '--input', 'fx.csv');
    const lines = p.out.trim().split('\n');
    assert.equal(lines[0], 'prediction');
    assert.equal(lines.length, 201);
    const first = Number(lines[1]);
    const [, a, b] = rows[1]!.split(',').map(Number);
    assert.ok(Math.abs(first - (2 * a! - 3 * b! + 0.5)) < 0.5, `prediction ${first}`);
  });
});

/**
 * @file The playground's pure parts in Node: the URL-hash settings (round trip, strict parsing of
 * shared links), every model and dataset it offers (built and saved/loaded through io), and the
 * CSV upload checks (size and row limits, malformed lines, non-numeric features, column counts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { CSV_MAX_BYTES, CSV_MAX_ROWS, UploadError, buildDataset, parseUpload } from '../apps/playground/src/datasets.js';
import { buildModel } from '../apps/playground/src/models.js';
import { DATASETS, DEFAULTS, MODELS, type Settings, settingsFromHash, settingsToHash } from '../apps/playground/src/settings.js';

describe('playground settings in the URL', () => {
  it('round-trips through the hash, writing only what differs from the defaults', () => {
    const s: Settings = { ...DEFAULTS, model: 'kan', grid: 7, basis: 'chebyshev', lr: 0.05, dataset: 'moons' };
    const hash = settingsToHash(s);
    assert.equal(hash, '#dataset=moons&model=kan&grid=7&basis=chebyshev&lr=0.05');
    assert.deepEqual(settingsFromHash(hash), { settings: s, errors: [] });
    assert.equal(settingsToHash(DEFAULTS), '');
  });

  it('reports unknown keys and bad values of a shared link and keeps the defaults for them', () => {
    const { settings, errors } = settingsFromHash('#model=transformer&width=2.5&lr=0&colour=red&depth=3');
    assert.equal(settings.model, DEFAULTS.model);
    assert.equal(settings.width, DEFAULTS.width);
    assert.equal(settings.lr, DEFAULTS.lr);
    assert.equal(settings.depth, 3);
    assert.deepEqual(errors, [
      'model: must be one of mlp, kan, fastkan, siren, fourier, got "transformer"',
      'width: must be an integer in [1, 512], got "2.5"',
      'lr: must be a number in (0, 10], got "0"',
      'colour: unknown setting (known: dataset, noise, seed, model, width, depth, activation, norm, grid, basis, features, scale, w0, optimizer, lr, batchSize, algorithm)',
    ]);
  });
});

describe('playground models and data', () => {
  it('builds every model on every dataset; each saves and loads back to the same function', async () => {
    const csv = parseUpload('up.csv', `a,b,label\n${Array.from({ length: 40 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 3}`).join('\n')}\n`, 100);
    for (const dataset of DATASETS) {
      const d = buildDataset({ ...DEFAULTS, dataset }, csv);
      assert.equal(d.xTrain.shape[0]! + d.xTest.shape[0]!, d.task === 'classification' && dataset !== 'csv' ? 300 : dataset === 'csv' ? 40 : 400, dataset);
      for (const model of MODELS) {
        px.manualSeed(0);
        const m = buildModel({ ...DEFAULTS, model, width: 4, depth: 1, dataset }, d.inFeatures, d.outFeatures, d.bounds);
        const out = m.forward(d.xTest);
        assert.deepEqual(out.shape, [d.xTest.shape[0], d.outFeatures], `${model} on ${dataset}`);
        const { model: back } = await px.io.loadModel(px.io.saveModel(m));
        assert.deepEqual(Array.from(back.forward(d.xTest).values), Array.from(out.values), `${model} on ${dataset}: reload`);
      }
    }
  });

  it('asks for an upload before the csv dataset exists', () => {
    assert.throws(() => buildDataset({ ...DEFAULTS, dataset: 'csv' }, null), (e: Error) => e instanceof UploadError && /upload a CSV file first/.test(e.message));
  });
});

describe('playground CSV uploads', () => {
  const ok = (n: number, label: (i: number) => string): string => `x1,x2,y\n${Array.from({ length: n }, (_, i) => `${i / n},${(i * 7) % 5},${label(i)}`).join('\n')}\n`;
  const refused = (text: string, re: RegExp, bytes = text.length): void => {
    assert.throws(() => parseUpload('f.csv', text, bytes), (e: Error) => e instanceof UploadError && re.test(e.message), re.source);
  };

  it('takes integer labels as classes, text labels as classes, other numbers as regression', () => {
    const c = parseUpload('f.csv', ok(20, (i) => String(i % 2)), 10);
    assert.deepEqual(c.classes, ['0', '1']);
    assert.equal(c.y.dtype, 'int32');
    const t = parseUpload('f.csv', ok(20, (i) => (i % 2 ? 'cat' : 'dog')), 10);
    assert.deepEqual(t.classes, ['cat', 'dog']);
    const r = parseUpload('f.csv', ok(20, (i) => String(i / 3)), 10);
    assert.equal(r.classes, null);
    assert.deepEqual(r.y.shape, [20, 1]);
  });

  it('refuses files over the size or row limit, malformed lines, non-numeric features and wrong column counts', () => {
    refused('x,y\n1,2\n', new RegExp(`f\\.csv: ${CSV_MAX_BYTES + 1} bytes is over the upload limit of ${CSV_MAX_BYTES} bytes`), CSV_MAX_BYTES + 1);
    refused(ok(CSV_MAX_ROWS + 1, () => '0'), new RegExp(`^f\\.csv:${CSV_MAX_ROWS + 2}:1: more than ${CSV_MAX_ROWS} data rows`));
    refused('x1,x2,y\n1,2,0\n3,4\n', /^f\.csv:3:/);
    refused('x1,x2,y\n1,2,0\n3,"open,0\n', /^f\.csv:3/);
    refused(ok(10, () => '1').replace('0.5,', 'zero,'), /^f\.csv:7:\d+: .*"zero"/);
    refused('a,b,c,y\n1,2,3,0\n', /expected 1 or 2 feature columns and the target last, got 3/);
    refused('y\n1\n2\n', /expected 1 or 2 feature columns/);
    refused(ok(5, () => '0'), /5 data rows; at least 8/);
    refused(ok(10, () => '3'), /a single class/);
  });
});

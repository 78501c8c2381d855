/**
 * @file Bad input to `plexus train` / `info` from issue 10's list: a diverging learning rate is
 * stopped with exit 1 and no model (the log kept, failed.json naming why); a model too large for
 * memory is refused up front (exit 2, the estimate and the limit named, no folder); `info` shows the
 * feature columns, classes and standardisation `predict` needs.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus train: divergence', () => {
  it('--lr 1e6 --optimizer sgd stops with DIVERGED (exit 1), keeps the log, saves no model, writes failed.json', async () => {
    const cwd = tempDir();
    const r = await runCli(cwd, 'train', '--lr', '1e6', '--optimizer', 'sgd', '--epochs', '3', '--name', 'd');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /the training loss diverged at step \d+ .*more than 1000x the first batch's.*\[DIVERGED\]/);
    assert.doesNotMatch(r.out, /test accuracy/);
    const dir = path.join(cwd, 'runs', 'd');
    assert.ok(!existsSync(path.join(dir, 'model.safetensors')));
    assert.ok(existsSync(path.join(dir, 'log.jsonl')));
    const failed = JSON.parse(readFileSync(path.join(dir, 'failed.json'), 'utf8')) as { error: { code: string } };
    assert.equal(failed.error.code, 'DIVERGED');
  });

  it('a healthy run is not stopped by the rule', async () => {
    const r = await runCli(tempDir(), 'train', '--data', 'iris', '--hidden', '8', '--epochs', '3', '--optimizer', 'sgd', '--lr', '0.5');
    assert.equal(r.code, 0, r.err);
  });
});

describe('plexus train: memory check', () => {
  it('--hidden 30000,30000 --backend js is refused before anything is built, naming the estimate and the limit', async () => {
    const cwd = tempDir();
    const r = await refused(cwd, ['train', '--hidden', '30000,30000', '--backend', 'js', '--name', 'big'], ['/model/hidden', 'GiB to train', 'more than the limit of']);
    assert.equal(r.code, 2);
    assert.deepEqual(readdirSync(cwd), []);
  });

  it('on wasm the 4 GiB of a wasm32 memory is the limit', async () => {
    const r = await refused(tempDir(), ['train', '--hidden', '20000,20000', '--backend', 'wasm'], ['wasm32']);
    assert.equal(r.code, 2);
  });
});

describe('plexus info', () => {
  it('shows the feature columns, classes and standardisation predict needs', async () => {
    const cwd = tempDir();
    assert.equal((await runCli(cwd, 'train', '--data', 'iris', '--hidden', '4', '--epochs', '1', '--name', 'i')).code, 0);
    const r = await runCli(cwd, 'info', 'runs/i/model.safetensors');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /feature columns \(plexus predict reads these by name\): sepal_length, sepal_width, petal_length, petal_width/);
    assert.match(r.out, /3 classes: setosa, versicolor, virginica/);
    assert.match(r.out, /standardisation: input = \(raw - mean\) \/ std per feature: sepal_length [\d.]+\/[\d.]+/);
  });
});

/**
 * @file Run folders that cannot collide, with real concurrent child processes (20 rounds): two
 * `plexus train` runs with the same --name -> exactly one exits 0 and owns the folder, the other
 * exits 2 naming it; two default runs started together -> each exits 0 with its own folder. Each
 * folder holds one run's files: config.json, model and checkpoint agree (the runs differ by seed).
 * Also: refused runs (empty test split, batch larger than the data) leave no folder.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, spawnCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

const TINY = ['--data', 'iris', '--hidden', '4', '--epochs', '1', '--batch-size', '8'];

/** The folder holds one run's files: config seed = model's config seed, checkpoint weights = model weights. */
async function assertOneRun(dir: string, seed: number): Promise<void> {
  const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { seed: number };
  assert.equal(cfg.seed, seed, `${dir}: config.json is another run's`);
  const info = await px.io.readModelInfo(path.join(dir, 'model.safetensors'));
  assert.equal((info.metadata.config as { seed: number }).seed, seed, `${dir}: model.safetensors is another run's`);
  const model = await px.io.readSafetensorsFile(path.join(dir, 'model.safetensors'));
  const ckpt = await px.io.readSafetensorsFile(path.join(dir, 'checkpoint', 'last.safetensors'));
  for (const [k, e] of model.tensors) {
    assert.ok(Buffer.compare(Buffer.from(e.bytes), Buffer.from(ckpt.tensors.get(`model.${k}`)!.bytes)) === 0, `${dir}: checkpoint tensor ${k} is another run's`);
  }
}

describe('concurrent plexus train runs', () => {
  it('20 rounds: same --name -> one wins, one exit 2 naming the folder; default names -> two folders', async () => {
    for (let round = 0; round < 20; round++) {
      const cwd = tempDir();
      const [a, b, c, d] = await Promise.all([
        spawnCli(cwd, ['train', ...TINY, '--seed', '1', '--name', 'same']),
        spawnCli(cwd, ['train', ...TINY, '--seed', '2', '--name', 'same']),
        spawnCli(cwd, ['train', ...TINY, '--seed', '3']),
        spawnCli(cwd, ['train', ...TINY, '--seed', '4']),
      ]);
      const named = [a, b];
      const winners = named.filter((r) => r.code === 0);
      assert.equal(winners.length, 1, `round ${round}: exactly one run owns runs/same: ${named.map((r) => `${r.code} ${r.err}`).join(' | ')}`);
      const loser = named.find((r) => r.code !== 0)!;
      assert.equal(loser.code, 2, loser.err);
      assert.match(loser.err, /run folder runs\/same already exists/);
      await assertOneRun(path.join(cwd, 'runs', 'same'), winners[0] === a ? 1 : 2);
      const folders = [c, d].map((r, i) => {
        assert.equal(r.code, 0, `round ${round}, default run ${i}: ${r.err}`);
        return /run folder: (\S+)/.exec(r.out)![1]!;
      });
      assert.notEqual(folders[0], folders[1]);
      await assertOneRun(path.join(cwd, folders[0]!), 3);
      await assertOneRun(path.join(cwd, folders[1]!), 4);
    }
  });
});

describe('refused before the folder is claimed', () => {
  it('an empty test split (csv with 2 rows) and a batch larger than the data leave no folder', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'two.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
    await refused(cwd, ['train', '--data', 'csv:two.csv', '--target', 'y', '--name', 'x'], ['empty test split', '/data/testFraction']);
    await refused(cwd, ['train', '--data', 'iris', '--batch-size', '1000', '--name', 'x'], ['/batchSize']);
    await refused(cwd, ['train', '--data', 'csv:two.csv', '--target', 'nope', '--name', 'x'], ['nope']);
    assert.ok(!existsSync(path.join(cwd, 'runs')));
  });
});

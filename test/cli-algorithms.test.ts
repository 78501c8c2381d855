/**
 * @file `plexus train --algorithm` and `plexus compare` on the built-in digits set (js backend, tiny
 * models): a local algorithm trains and records its state in the checkpoint; resume is bit-exact for
 * Mono-Forward (projections and their optimizer) and Forward-Forward (its negatives' generator);
 * bad names, out-of-range options, another algorithm's option and an algorithm that does not apply to
 * the model are refused with exit 2 and nothing written; compare runs every algorithm and seed on one
 * split (its backprop run equals `plexus train` with the same seed), prints the table and writes its
 * files into a claimed run folder.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

const TINY = ['--hidden', '12,12', '--batch-size', '32', '--backend', 'js'];

describe('plexus train --algorithm', () => {
  for (const algorithm of ['mono-forward', 'forward-forward']) {
    it(`${algorithm}: trains, stores its state in the checkpoint, and --resume ends bit-identical to an uninterrupted run`, async () => {
      const cwd = tempDir();
      const a = await runCli(cwd, 'train', '--algorithm', algorithm, ...TINY, '--epochs', '4', '--name', 'a');
      assert.equal(a.code, 0, a.err);
      assert.match(a.out, new RegExp(`algorithm ${algorithm}`));
      const cfg = JSON.parse(readFileSync(path.join(cwd, 'runs/a/config.json'), 'utf8')) as { algorithm: { name: string } };
      assert.equal(cfg.algorithm.name, algorithm);
      const ck = await px.io.readSafetensorsFile(path.join(cwd, 'runs/a/checkpoint/last.safetensors'));
      const header = JSON.parse(ck.metadata.get(px.io.CHECKPOINT_KEY)!) as { algorithm: { name: string } };
      assert.equal(header.algorithm.name, algorithm);
      if (algorithm === 'mono-forward') assert.ok([...ck.tensors.keys()].some((k) => k.startsWith('algo.projections.')), 'projections in the checkpoint');
      // eval predicts through the algorithm the model was trained with (FF: goodness over the labels).
      const ev = await runCli(cwd, 'eval', '--model', 'runs/a/model.safetensors', '--backend', 'js');
      assert.equal(ev.code, 0, ev.err);
      assert.equal(/accuracy ([\d.]+)%/.exec(ev.out)![1], /test accuracy: ([\d.]+)%/.exec(a.out)![1]);
      assert.equal((await runCli(cwd, 'train', '--algorithm', algorithm, ...TINY, '--epochs', '2', '--name', 'b')).code, 0);
      const r = await runCli(cwd, 'train', '--resume', 'runs/b', '--epochs', '4');
      assert.equal(r.code, 0, r.err);
      const same = Buffer.compare(readFileSync(path.join(cwd, 'runs/a/model.safetensors')), readFileSync(path.join(cwd, 'runs/b/model.safetensors'))) === 0;
      assert.ok(same, 'the resumed model differs from the uninterrupted one');
    });
  }

  it('refuses an unknown algorithm, a bad option, another algorithm\'s option and a model it does not apply to (exit 2, nothing written)', async () => {
    const cwd = tempDir();
    const r1 = await refused(cwd, ['train', '--algorithm', 'nope', ...TINY], ['--algorithm (/algorithm/name)', 'backprop', 'forward-forward', 'mono-forward']);
    assert.equal(r1.code, 2);
    writeFileSync(path.join(cwd, 't.json'), JSON.stringify({ algorithm: { name: 'forward-forward', threshold: -1 }, backend: 'js' }));
    const r2 = await refused(cwd, ['train', '--config', 't.json'], ['/algorithm/threshold', 'must be a finite number > 0, got -1']);
    assert.equal(r2.code, 2);
    writeFileSync(path.join(cwd, 'h.json'), JSON.stringify({ algorithm: { name: 'forward-forward', head: 'linear' }, backend: 'js' }));
    await refused(cwd, ['train', '--config', 'h.json'], ['/algorithm/head', 'is not an option of forward-forward']);
    writeFileSync(path.join(cwd, 'u.json'), JSON.stringify({ algorithm: { name: 'forward-forward', mode: 'unsupervised' }, backend: 'js' }));
    await refused(cwd, ['train', '--config', 'u.json'], ['/algorithm', "option 'prediction' must be 'head'"]);
    const r3 = await refused(cwd, ['train', '--algorithm', 'mono-forward', '--model', 'kan', '--hidden', '4', '--backend', 'js'], ['/algorithm/name', 'nn.MLP', 'KAN']);
    assert.equal(r3.code, 2);
  });
});

describe('plexus compare', () => {
  it('runs each algorithm and seed on one split, prints the table and writes results, table and plot into a run folder', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'c.json'), JSON.stringify({ epochs: 2, batchSize: 32, seed: 4, model: { hidden: [12, 12] }, backend: 'js', optimizer: { lr: 0.003 } }));
    const r = await runCli(cwd, 'compare', '--config', 'c.json', '--algorithms', 'backprop,mono-forward,forward-forward', '--seeds', '2', '--name', 'cmp');
    assert.equal(r.code, 0, r.err);
    for (const a of ['backprop', 'mono-forward', 'forward-forward']) assert.match(r.out, new RegExp(`\\| ${a} \\| \\d+\\.\\d\\d% ± \\d+\\.\\d\\d \\|`));
    const dir = path.join(cwd, 'runs/cmp');
    for (const f of ['config.json', 'results.json', 'table.md', 'accuracy.svg']) assert.ok(existsSync(path.join(dir, f)), f);
    const res = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as { runs: { algorithm: string; seed: number; score: number; curve: number[] }[] };
    assert.deepEqual(res.runs.map((x) => `${x.algorithm}:${x.seed}`), ['backprop:4', 'backprop:5', 'mono-forward:4', 'mono-forward:5', 'forward-forward:4', 'forward-forward:5']);
    for (const x of res.runs) assert.equal(x.curve.length, 2);
    const svg = readFileSync(path.join(dir, 'accuracy.svg'), 'utf8');
    for (const a of ['backprop', 'mono-forward', 'forward-forward']) assert.ok(svg.includes(`<title>${a}</title>`), a);
    // The config's seed (the split's too): compare's first backprop run is `plexus train`'s.
    const t = await runCli(cwd, 'train', '--config', 'c.json', '--name', 't');
    assert.equal(t.code, 0, t.err);
    const acc = Number(/test accuracy: ([\d.]+)%/.exec(t.out)![1]);
    assert.equal(acc.toFixed(2), (res.runs[0]!.score * 100).toFixed(2));
    // Refusals before anything is written.
    await refused(cwd, ['compare', '--config', 'c.json', '--algorithms', 'backprop,nope'], ['--algorithms', 'unknown "nope"']);
    await refused(cwd, ['compare', '--config', 'c.json', '--algorithms', 'backprop', '--seeds', '0'], ['--seeds must be an integer in [1, 100]']);
    writeFileSync(path.join(cwd, 'k.json'), JSON.stringify({ epochs: 1, model: { type: 'kan', hidden: [4] }, backend: 'js' }));
    await refused(cwd, ['compare', '--config', 'k.json', '--algorithms', 'backprop,mono-forward'], ['/algorithm/name', 'nn.MLP']);
  });
});

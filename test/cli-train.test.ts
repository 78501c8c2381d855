/**
 * @file `plexus train` end to end: with no arguments it trains the default MLP on the built-in digits
 * set, prints the test accuracy (>= 95%, the acceptance bar) and writes the run folder:
 * the resolved config (valid input for --config again), the JSONL log, a checkpoint, the model with
 * the metadata eval/predict need, and the curves as SVG. Also --version / --help, which must keep
 * working as before.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { loadTrainConfig } from '../apps/cli/config.js';
import { makeCtx } from '../apps/cli/context.js';
import { type CliRun, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus --version / --help', () => {
  it('prints the package version and exits 0', async () => {
    const r = await runCli(tempDir(), '--version');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), pkg.version);
  });

  it('--help lists the commands; train --help lists the flags', async () => {
    const r = await runCli(tempDir(), '--help');
    assert.equal(r.code, 0);
    for (const c of ['train', 'eval', 'predict', 'info']) assert.match(r.out, new RegExp(`\\b${c}\\b`));
    const t = await runCli(tempDir(), 'train', '--help');
    assert.equal(t.code, 0);
    for (const f of ['--config', '--data', '--target', '--hidden', '--activation', '--dropout', '--optimizer', '--lr', '--epochs', '--batch-size', '--seed', '--out', '--backend']) {
      assert.ok(t.out.includes(f), `train --help should list ${f}`);
    }
  });

  it('an unknown command or flag is a usage error (non-zero), not a crash', async () => {
    assert.notEqual((await runCli(tempDir(), 'fly')).code, 0);
    assert.notEqual((await runCli(tempDir(), 'train', '--learning-rate', '1')).code, 0);
  });
});

describe('npx plexus train (no arguments)', () => {
  let cwd: string;
  let run: CliRun;
  let runDir: string;
  let seconds: number;

  before(async () => {
    cwd = tempDir();
    const t0 = performance.now();
    run = await runCli(cwd, 'train');
    seconds = (performance.now() - t0) / 1000;
    const runs = readdirSync(path.join(cwd, 'runs'));
    assert.equal(runs.length, 1);
    runDir = path.join(cwd, 'runs', runs[0]!);
  });

  it('trains the digits MLP to >= 95% test accuracy, well under a minute', () => {
    assert.equal(run.code, 0, run.err);
    const m = /test accuracy: ([\d.]+)%/.exec(run.out);
    assert.ok(m, run.out);
    const acc = Number(m[1]);
    console.log(`plexus train (default, digits): test accuracy ${acc}% in ${seconds.toFixed(1)} s`);
    assert.ok(acc >= 95, `test accuracy ${acc}%`);
    assert.ok(seconds < 60, `took ${seconds} s`);
    assert.match(run.out, /MLP 64-128-10 relu/);
    assert.match(run.out, /adam lr 0\.001, batch 32, 20 epochs, seed 0/);
    // Progress goes to stderr (one line per epoch when not a terminal).
    assert.equal(run.err.match(/^epoch +\d+\/20 /gm)?.length, 20, run.err);
  });

  it('names the run folder runs/<timestamp> and fills it', () => {
    assert.match(path.basename(runDir), /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?$/);
    // Plus the hidden owner file of the run (.plexus-lock-1, see run-dir.ts).
    assert.deepEqual(readdirSync(runDir).sort(), ['.plexus-lock-1', 'checkpoint', 'config.json', 'curves.svg', 'log.jsonl', 'model.safetensors']);
    assert.deepEqual(readdirSync(path.join(runDir, 'checkpoint')), ['last.safetensors']);
  });

  it('config.json is the resolved config and is itself a valid --config', () => {
    const cfg = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(cfg.optimizer, { name: 'adam', lr: 0.001 });
    assert.deepEqual(cfg.data, { name: 'digits', testFraction: 0.2 });
    assert.equal(cfg.epochs, 20);
    assert.ok(px.availableBackends().includes(cfg.backend as string));
    const again = loadTrainConfig(makeCtx({ out: () => {}, err: () => {}, cwd }), { config: path.join(runDir, 'config.json') });
    assert.equal(again.config.batchSize, 32);
  });

  it('log.jsonl has trainBegin, one epoch line per epoch with test metrics, and trainEnd', () => {
    const lines = readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]!.event, 'trainBegin');
    const epochs = lines.filter((l) => l.event === 'epoch');
    assert.equal(epochs.length, 20);
    assert.equal(typeof epochs[19]!.valAccuracy, 'number');
    assert.equal(lines.at(-1)!.event, 'trainEnd');
    assert.equal(lines.at(-1)!.stopReason, 'completed');
    // The printed accuracy is the last epoch's test accuracy.
    assert.ok(run.out.includes(`test accuracy: ${((epochs[19]!.valAccuracy as number) * 100).toFixed(2)}%`));
  });

  it('curves.svg plots loss and accuracy with a legend', () => {
    const svg = readFileSync(path.join(runDir, 'curves.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes('>Loss<') && svg.includes('>Accuracy<'));
    assert.equal(svg.match(/<path d="M/g)?.length, 4); // train and test, loss and accuracy
    assert.ok(svg.includes('>train<') && svg.includes('>test<'));
  });

  it('model.safetensors holds the weights and the prediction metadata', async () => {
    const info = await px.io.readModelInfo(path.join(runDir, 'model.safetensors'));
    assert.equal(info.config.type, 'MLP');
    assert.deepEqual(info.config.sizes, [64, 128, 10]);
    const cli = info.metadata.cli as Record<string, unknown>;
    assert.equal(cli.task, 'classification');
    assert.deepEqual(cli.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual((cli.standardizer as { std: number[] }).std, new Array(64).fill(16));
    assert.ok(info.fileMetadata.has(px.io.CHECKSUM_KEY));
  });
});

describe('a diverging run', () => {
  it('stops at the non-finite step with the guard\'s typed error (exit 1), saves no model, keeps log and curves', async () => {
    const cwd = tempDir();
    const r = await runCli(cwd, 'train', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '2', '--out', 'div');
    assert.equal(r.code, 1);
    assert.match(r.err, /the loss went NaN at step \d+ \(epoch 1, batch \d+\).*\[NON_FINITE_LOSS\]/);
    assert.equal(existsSync(path.join(cwd, 'div', 'model.safetensors')), false);
    assert.ok(existsSync(path.join(cwd, 'div', 'curves.svg')));
    const end = JSON.parse(readFileSync(path.join(cwd, 'div', 'log.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { stopReason: string; error: { code: string } };
    assert.equal(end.stopReason, 'nonFinite');
    assert.equal(end.error.code, 'NON_FINITE_LOSS');
  });
});

/**
 * @file `plexus train --config` is the library, not a variant of it: on a tiny config it gives
 * exactly the same per-epoch losses, test accuracies and final weights (bit for bit) as calling
 * `fit` directly with the same settings, following the documented order of random draws
 * (data split by seed -> manualSeed(seed) -> build the MLP -> fit with a loader seeded by seed).
 * Two CLI runs of one config write byte-identical model files.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { evaluate, fit } from '../src/node.js';
import { removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

const CONFIG = {
  data: { name: 'digits', testFraction: 0.25 },
  model: { type: 'mlp', hidden: [32], activation: 'tanh', dropout: 0.1 },
  optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
  batchSize: 16,
  epochs: 3,
  seed: 7,
  backend: 'js',
};

/** The same run written by hand against the library. */
async function direct(): Promise<{ losses: number[]; accs: number[]; final: number; weights: Map<string, number[]> }> {
  const previous = px.getBackend();
  px.setBackend('js');
  try {
    const { train, test } = px.data.digits({ seed: 7, testFraction: 0.25 });
    px.manualSeed(7);
    const model = new px.nn.MLP([64, 32, 10], { activation: 'tanh', dropout: 0.1 });
    const optimizer = new px.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const h = await fit(model, { ...train, batchSize: 16 }, { optimizer, epochs: 3, seed: 7, validation: test, progress: false });
    const final = evaluate(model, test).accuracy!;
    const weights = new Map(model.namedParameters().map(([k, p]) => [k, Array.from(p.values)]));
    return { losses: h.get('loss'), accs: h.get('valAccuracy'), final, weights };
  } finally {
    px.setBackend(previous);
  }
}

async function viaCli(cwd: string, out: string): Promise<{ losses: number[]; accs: number[]; printed: string; file: string }> {
  const r = await runCli(cwd, 'train', '--config', 'tiny.json', '--out', out);
  assert.equal(r.code, 0, r.err);
  const epochs = readFileSync(path.join(cwd, out, 'log.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as Record<string, number | string>).filter((l) => l.event === 'epoch');
  return {
    losses: epochs.map((e) => e.loss as number),
    accs: epochs.map((e) => e.valAccuracy as number),
    printed: /test accuracy: ([\d.]+)%/.exec(r.out)![1]!,
    file: path.join(cwd, out, 'model.safetensors'),
  };
}

describe('plexus train --config = fit with the same settings', () => {
  it('same losses, same test accuracies, same final accuracy, same weights', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'tiny.json'), JSON.stringify(CONFIG));
    const cli = await viaCli(cwd, 'a');
    const ref = await direct();
    console.log(`tiny config: final test accuracy ${ref.final} (direct fit) vs ${cli.accs.at(-1)} (plexus train --config)`);
    assert.deepEqual(cli.losses, ref.losses);
    assert.deepEqual(cli.accs, ref.accs);
    assert.equal(cli.accs.at(-1), ref.final);
    assert.equal(cli.printed, (ref.final * 100).toFixed(2));
    const { model } = await px.io.loadModel(cli.file);
    const saved = new Map(model.namedParameters().map(([k, p]) => [k, Array.from(p.values)]));
    assert.deepEqual(saved, ref.weights);
  });

  it('two runs of one config write byte-identical model files', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'tiny.json'), JSON.stringify({ ...CONFIG, epochs: 1 }));
    const a = await viaCli(cwd, 'a');
    const b = await viaCli(cwd, 'b');
    assert.ok(readFileSync(a.file).equals(readFileSync(b.file)));
  });
});

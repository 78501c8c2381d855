/**
 * @file `plexus train` with a `model.type` that is a registered nn layer (issue #12): the model keys
 * are the module's own config keys, the CLI fills inFeatures / outFeatures / numClasses / imageSize /
 * inChannels from the data where the config leaves them out, config.json records the full module
 * config (so --config and --resume reuse it), eval scores the saved model exactly as training
 * printed, and bad module arguments are refused (exit 2, nothing written) naming their JSON path.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus train with an nn layer as model.type', () => {
  it('MLPMixer on digits: image shape and classes come from the data; config.json holds the full module config; eval agrees', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'mixer.json'), JSON.stringify({
      name: 'm', epochs: 3, batchSize: 32, backend: 'js', optimizer: { name: 'adam', lr: 0.003 },
      model: { type: 'MLPMixer', patchSize: 4, dim: 16, depth: 2, tokenHidden: 8, channelHidden: 32 },
    }));
    const r = await runCli(cwd, 'train', '--config', 'mixer.json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /model: MLPMixer imageSize 8x8, patchSize 4x4, dim 16, depth 2, numClasses 10, inChannels 1, channelHidden 32, activation gelu, tokenHidden 8, \d+ parameters/);
    const acc = /test accuracy: ([\d.]+)%/.exec(r.out)![1]!;
    console.log(`  plexus train MLPMixer (digits, 3 epochs): test accuracy ${acc}%`);
    assert.ok(Number(acc) >= 70, `accuracy ${acc}%`);
    const saved = JSON.parse(readFileSync(path.join(cwd, 'runs/m/config.json'), 'utf8')) as { model: Record<string, unknown> };
    assert.deepEqual(saved.model, {
      type: 'MLPMixer', imageSize: [8, 8], patchSize: [4, 4], dim: 16, depth: 2, numClasses: 10, inChannels: 1,
      channelHidden: 32, activation: 'gelu', dtype: 'float32', tokenHidden: 8,
    });
    const { model } = await px.io.loadModel(path.join(cwd, 'runs/m/model.safetensors'));
    assert.ok(model instanceof px.nn.MLPMixer);
    const e = await runCli(cwd, 'eval', '--model', 'runs/m/model.safetensors');
    assert.equal(e.code, 0, e.err);
    assert.ok(e.out.startsWith(`accuracy ${acc}%`), e.out);
    // The written config is a valid config again: the same run, bit for bit.
    const again = await runCli(cwd, 'train', '--config', 'runs/m/config.json', '--name', 'm2');
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(readFileSync(path.join(cwd, 'runs/m2/model.safetensors')), readFileSync(path.join(cwd, 'runs/m/model.safetensors')));
  });

  it('HourglassMLP on iris (--model flag): inFeatures and outFeatures from a table; a frozen lift stays frozen', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'h.json'), JSON.stringify({ model: { wide: 16, narrow: 4, depth: 2, freezeLift: true }, data: { name: 'iris' }, backend: 'js', optimizer: { lr: 0.01 } }));
    const r = await runCli(cwd, 'train', '--config', 'h.json', '--model', 'HourglassMLP', '--epochs', '5', '--name', 'h');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /model: HourglassMLP inFeatures 4, wide 16, narrow 4, depth 2, outFeatures 3/);
    const { model } = await px.io.loadModel(path.join(cwd, 'runs/h/model.safetensors'));
    const h = model as InstanceType<typeof px.nn.HourglassMLP>;
    assert.equal(h.lift.weight.requiresGrad, false);
    // Training did not move the frozen lift: it equals a fresh build with the run's seed.
    px.manualSeed(0);
    const fresh = px.nn.fromConfig(h.getConfig()) as InstanceType<typeof px.nn.HourglassMLP>;
    assert.deepEqual([...h.lift.weight.values], [...fresh.lift.weight.values]);
  });

  it('refuses bad module arguments with their JSON path, writing nothing', async () => {
    const bad = async (config: object, names: string[]): Promise<void> => {
      const cwd = tempDir();
      writeFileSync(path.join(cwd, 'bad.json'), JSON.stringify({ backend: 'js', ...config }));
      await refused(cwd, ['train', '--config', 'bad.json'], names);
    };
    const mixer = { type: 'MLPMixer', dim: 8, depth: 1 };
    await bad({ model: { ...mixer, patchSize: 3 } }, ['/model/patchSize: MLPMixer: patchSize [3, 3] must divide imageSize [8, 8]']);
    await bad({ model: { ...mixer, patchSize: 4, tokenHiden: 4 } }, ['/model/tokenHiden:', 'unknown key']);
    await bad({ model: { ...mixer, patchSize: '4' } }, ['/model/patchSize: must be an array of integers, got "4"']);
    await bad({ model: { ...mixer, patchSize: 4, hidden: [64] } }, ['/model/hidden:']);
    await bad({ model: { ...mixer, patchSize: 2 }, data: { name: 'iris' } }, ['/model/imageSize: is required by MLPMixer', 'the CLI fills inFeatures, outFeatures, numClasses from this data set']);
    await bad({ model: { type: 'MetaFormer', patchSize: 4, dim: 8, depth: 1, tokenMixer: 'attention' } }, ['/model/tokenMixer: must be one of mlp, linear, pooling, identity']);
    await bad({ model: { type: 'Mixer' } }, ['/model/type: must be one of mlp, kan, fastkan or a registered nn layer type (', 'MLPMixer']);
  });
});

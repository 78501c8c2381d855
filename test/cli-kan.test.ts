/**
 * @file `plexus train` with KAN models (issue #5): `model.type` "kan" (basis, grid, k) and
 * "fastkan" (Gaussian RBF + LayerNorm) train on the digits set, the saved file is a KAN that
 * `eval` scores exactly as training printed, and keys of another model type are refused with
 * their JSON path before anything is written.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus train with KAN models', () => {
  it('kan (config file): trains, saves a KAN with the configured basis/grid/k, and eval reproduces the accuracy', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'kan.json'), JSON.stringify({
      name: 'k', epochs: 3, batchSize: 64, backend: 'js', optimizer: { name: 'adamw', lr: 0.01 },
      model: { type: 'kan', hidden: [16], basis: 'bspline', grid: 4, k: 2 },
    }));
    const r = await runCli(cwd, 'train', '--config', 'kan.json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /model: KAN 64-16-10 bspline grid 4 k 2, \d+ parameters/);
    const acc = /test accuracy: ([\d.]+)%/.exec(r.out)![1]!;
    console.log(`  plexus train kan: test accuracy ${acc}%`);
    assert.ok(Number(acc) >= 85, `accuracy ${acc}%`);
    const { model, config } = await px.io.loadModel(path.join(cwd, 'runs/k/model.safetensors'));
    assert.ok(model instanceof px.nn.KAN);
    assert.deepEqual(model.widths, [64, 16, 10]);
    assert.equal(config.grid, 4);
    assert.equal(config.k, 2);
    const e = await runCli(cwd, 'eval', '--model', 'runs/k/model.safetensors');
    assert.equal(e.code, 0, e.err);
    assert.ok(e.out.startsWith(`accuracy ${acc}%`), e.out);
  });

  it('fastkan (--model flag): an RBF KAN with LayerNorm', async () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'f.json'), JSON.stringify({ model: { hidden: [12], grid: 6 }, backend: 'js', optimizer: { lr: 0.01 } }));
    const r = await runCli(cwd, 'train', '--config', 'f.json', '--model', 'fastkan', '--epochs', '2', '--name', 'f');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /model: FastKAN 64-12-10 rbf grid 6/);
    const { model } = await px.io.loadModel(path.join(cwd, 'runs/f/model.safetensors'));
    const layer = (model as InstanceType<typeof px.nn.KAN>).layer(0);
    assert.equal(layer.basis.kind, 'rbf');
    assert.equal(layer.basis.size, 6);
    assert.ok(layer.layerNorm !== null);
  });

  it('refuses keys of another model type and bad KAN values, naming the JSON path, writing nothing', async () => {
    const bad = async (config: object, names: string[]): Promise<void> => {
      const cwd = tempDir();
      writeFileSync(path.join(cwd, 'bad.json'), JSON.stringify(config));
      await refused(cwd, ['train', '--config', 'bad.json'], names);
    };
    await bad({ model: { grid: 5 } }, ['/model/grid: is not an option of model type mlp']);
    await bad({ model: { type: 'kan', dropout: 0.1, activation: 'tanh' } }, ['/model/dropout: is not an option of model type kan', '/model/activation']);
    await bad({ model: { type: 'fastkan', basis: 'bspline', k: 3 } }, ['/model/basis: is not an option of fastkan', '/model/k']);
    await bad({ model: { type: 'kan', basis: 'wavelet', grid: 0 } }, ['/model/basis: must be one of bspline, rbf, chebyshev, fourier', '/model/grid']);
    await bad({ model: { type: 'kan', basis: 'fourier', k: 3 } }, ['/model/k: is the B-spline order']);
    await bad({ model: { type: 'kann' } }, ['/model/type: must be one of mlp, kan, fastkan']);
  });
});

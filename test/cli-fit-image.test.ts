/**
 * @file `plexus fit-image`: a short run writes the run folder (config, log with PSNR, curve,
 * reconstruction PNG, model that loads back); bad flags are refused with exit 2 naming each, and a
 * corrupt, missing or oversized PNG with exit 1 naming the file, all before any folder is claimed.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus fit-image', () => {
  it('fits a built-in image and writes the run folder', async () => {
    const cwd = tempDir();
    const r = await runCli(cwd, 'fit-image', 'builtin:spectrum', '--model', 'mlp', '--encoding', 'gaussian:3', '--features', '16', '--hidden', '16', '--steps', '6', '--eval-every', '3', '--split', 'even-odd', '--name', 'sp', '--backend', 'js');
    assert.equal(r.code, 0, r.err);
    const dir = path.join(cwd, 'runs/sp');
    for (const f of ['config.json', 'log.jsonl', 'psnr.svg', 'reconstruction.png', 'model.safetensors']) assert.ok(existsSync(path.join(dir, f)), f);
    const log = readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(log.map((l) => l.step), [3, 6]);
    assert.ok(log.every((l) => Number.isFinite(l.psnr) && Number.isFinite(l.testPsnr)));
    assert.match(r.out, /PSNR [0-9.]+ dB on the training pixels, [0-9.]+ dB held out/);
    const png = px.data.readPng(path.join(dir, 'reconstruction.png'));
    assert.deepEqual([png.width, png.height, png.channels], [3 * 64 + 4, 64, 3]);
    const { model } = await px.io.loadModel(path.join(dir, 'model.safetensors'));
    assert.deepEqual(model.forward(px.zeros([1, 2])).shape, [1, 1]);
  });

  it('refuses bad flags (exit 2), naming each, and writes nothing', async () => {
    const cwd = tempDir();
    const r = await refused(cwd, ['fit-image', 'builtin:mosaic', '--model', 'kan', '--encoding', 'gaussian:-1', '--features', '2.5', '--steps', '0', '--lr', 'x'], ['--model', '--encoding', '--features', '--steps', '--lr']);
    assert.equal(r.code, 2);
    assert.equal((await refused(cwd, ['fit-image', 'builtin:mosaic', '--encoding', 'fourier'], ['--encoding'])).code, 2);
    assert.equal((await refused(cwd, ['fit-image', 'builtin:mosaic', '--encoding', 'basic:3'], ['basic takes no scale'])).code, 2);
    assert.equal((await refused(cwd, ['fit-image', 'builtin:lena'], ['builtin:mosaic'])).code, 2);
  });

  it('refuses a corrupt, missing or oversized PNG (exit 1), naming the file, before claiming a folder', async () => {
    const cwd = tempDir();
    const good = px.data.encodePng(px.data.spectrumImage({ size: 32 }));
    writeFileSync(path.join(cwd, 'broken.png'), good.subarray(0, good.length - 30));
    const r = await refused(cwd, ['fit-image', 'broken.png'], ['broken.png', 'IMAGE_CORRUPT']);
    assert.equal(r.code, 1);
    const big = good.slice();
    new DataView(big.buffer).setUint32(16, 30000);
    new DataView(big.buffer).setUint32(20, 30000);
    writeFileSync(path.join(cwd, 'big.png'), big);
    assert.equal((await refused(cwd, ['fit-image', 'big.png'], ['big.png', 'IMAGE_TOO_LARGE'])).code, 1);
    assert.equal((await refused(cwd, ['fit-image', 'missing.png'], ['missing.png'])).code, 1);
  });
});

/**
 * @file The CLI reads its vocabularies from the library's registries (optim.OPTIMIZERS,
 * optim.SCHEDULES, nn.ACTIVATIONS, nn.NORM_NAMES, nn.BASIS_DEFAULT_SIZES, availableBackends /
 * defaultBackend): every registered optimizer trains from the command line, options it lacks are
 * refused naming the ones it has, `train --help` lists every name, and "auto" is the library's rule.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { resolveBackend } from '../apps/cli/config.js';
import { removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('registries drive the CLI', () => {
  for (const o of px.optim.OPTIMIZERS) {
    it(`--optimizer ${o.name} trains; its registered options are accepted, others refused`, async () => {
      const cwd = tempDir();
      const r = await runCli(cwd, 'train', '--data', 'iris', '--hidden', '4', '--epochs', '1', '--optimizer', o.name);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`${o.name} lr ${String((o.defaults as { lr: number }).lr)}`));
      const foreign = ['momentum', 'betas', 'eps', 'nesterov'].find((k) => !(k in o.options))!;
      const value = foreign === 'betas' ? [0.9, 0.99] : foreign === 'nesterov' ? true : 0.5;
      writeFileSync(`${cwd}/c.json`, JSON.stringify({ data: { name: 'iris' }, optimizer: { name: o.name, [foreign]: value } }));
      const refused = await runCli(cwd, 'train', '--config', 'c.json');
      assert.equal(refused.code, 2);
      assert.ok(refused.err.includes(`/optimizer/${foreign}: is not an option of ${o.name} (its options: lr, ${Object.keys(o.options).join(', ')})`), refused.err);
    });
  }

  it('train --help lists every optimizer, activation, norm and backend from the registries', async () => {
    const h = await runCli(tempDir(), 'train', '--help');
    const flat = h.out.replace(/\s+/g, ' ');
    for (const n of [...px.optim.OPTIMIZERS.map((o) => o.name), ...px.nn.ACTIVATION_NAMES, ...px.nn.NORM_NAMES, ...px.availableBackends()]) {
      assert.ok(flat.includes(n), `help should list ${n}`);
    }
  });

  it('"auto" is the library\'s default backend rule', () => {
    assert.equal(resolveBackend('auto'), px.defaultBackend());
    assert.ok(px.availableBackends().includes(px.defaultBackend()));
  });

  it('every registered schedule builds from its required options; activations and basis sizes build', () => {
    const sample: Record<string, unknown> = { stepSize: 2, milestones: [2], gamma: 0.5, tMax: 4, warmupSteps: 1, totalSteps: 4, maxLr: 0.1 };
    for (const s of px.optim.SCHEDULES) {
      const p = px.zeros([2], { requiresGrad: true });
      const opt = new px.optim.SGD([p], { lr: 0.1 });
      const opts = Object.fromEntries(s.required.map((k) => [k, sample[k]]));
      assert.ok(new s.ctor(opt, opts as never), s.name);
    }
    for (const n of px.nn.ACTIVATION_NAMES) assert.ok(px.nn.activationFromName(n) instanceof px.Module);
    for (const b of px.nn.BASIS_NAMES) assert.equal(new px.nn.KANLinear(2, 1, { basis: b }).getConfig().grid, px.nn.BASIS_DEFAULT_SIZES[b]);
  });
});

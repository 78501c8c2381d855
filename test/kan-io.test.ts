/**
 * @file The KAN toolkit through io.saveModel / loadModel (getConfig + stateDict): grids moved by
 * updateGrid and enlarged by extendGrid, FastKAN's LayerNorm and centres, pruned models (with the
 * biases pruning adds), selected S-KANs and symbolic edges all come back bit for bit, and the
 * loaded model computes the same outputs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { io } from '../src/node.js';
import { KAN } from '../src/nn/kan/kan.js';
import { SKAN } from '../src/nn/kan/s-kan.js';
import { pruneKAN } from '../src/nn/kan/prune.js';
import { SymbolicKAN } from '../src/nn/kan/symbolic.js';

const previous = px.getBackend();
let dir = '';
before(() => { px.setBackend('js'); dir = mkdtempSync(path.join(tmpdir(), 'plexus-kan-io-')); });
after(() => { px.setBackend(previous); rmSync(dir, { recursive: true, force: true }); });

async function roundTrip(m: px.nn.Module, name: string, x: px.Tensor): Promise<px.nn.Module> {
  const file = path.join(dir, `${name}.safetensors`);
  await io.saveModel(m, file);
  const { model } = await io.loadModel(file);
  assert.equal(model.constructor, m.constructor, name);
  const a = m.stateDict();
  const b = model.stateDict();
  assert.deepEqual([...b.keys()], [...a.keys()], name);
  for (const [k, t] of a) assert.deepEqual(Array.from(b.get(k)!.values), Array.from(t.values), `${name}: ${k}`);
  assert.equal(px.noGrad(() => model.forward(x).sub(m.forward(x)).abs().max().item()), 0, name);
  return model;
}

describe('KAN toolkit save/load', () => {
  it('round-trips grids, pruned models, selected S-KANs and symbolic edges', async () => {
    const g = new px.Generator(1);
    const x = px.tensor(Float64Array.from({ length: 200 }, () => 3 * g.nextFloat() - 1.5), { dtype: 'float64', shape: [100, 2] });
    const kan = new KAN([2, 3, 1], { grid: 3, dtype: 'float64', generator: new px.Generator(2) });
    kan.updateGrid(x, { padding: 0.05 }).extendGrid(7, x);
    const loaded = (await roundTrip(kan, 'kan', x)) as KAN;
    assert.deepEqual(Array.from(loaded.layer(1).basis.grid!.values), Array.from(kan.layer(1).basis.grid!.values));
    assert.equal(loaded.layer(0).basis.size, 7);
    await roundTrip(new KAN([2, 3, 1], { basis: 'rbf', grid: 6, dtype: 'float64', generator: new px.Generator(3) }), 'fastkan', x);
    const pruned = pruneKAN(kan, x, { threshold: 0.3, edgeThreshold: 0.1 });
    await roundTrip(pruned.model, 'pruned', x);
    const skan = new SKAN([2, 3, 1], { grid: 4, dtype: 'float64', generator: new px.Generator(4) });
    await roundTrip(skan, 'skan-mixture', x);
    skan.select(x, { criterion: 'fit' });
    await roundTrip(skan, 'skan-selected', x);
    const sym = SymbolicKAN.from(skan);
    sym.autoSymbolic(x, { maxSamples: 50, gridNumber: 11, iterations: 2 });
    const back = (await roundTrip(sym, 'symbolic', x)) as SymbolicKAN;
    assert.deepEqual(back.formula(), sym.formula());
  });
});

/**
 * @file KAN pruning (nn/kan/prune.ts): hidden nodes with dead inputs or dead outputs and weak
 * edges are removed; what they sent on as a constant goes into the bias, so a node whose input
 * edges are dead is removed without changing the function; the pruned model is smaller, reports
 * its counts, saves and loads; S-KANs prune the same way; nodes feeding a LayerNorm are kept.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { KAN } from '../src/nn/kan/kan.js';
import { SKAN } from '../src/nn/kan/s-kan.js';
import { edgeScores, pruneKAN } from '../src/nn/kan/prune.js';

const previous = px.getBackend();
before(() => px.setBackend('js'));
after(() => px.setBackend(previous));

const maxDiff = (a: px.Tensor, b: px.Tensor): number => px.noGrad(() => a.sub(b).abs().max().item());
const inputs = (n: number, d: number, seed: number): px.Tensor => {
  const g = new px.Generator(seed);
  return px.tensor(Float64Array.from({ length: n * d }, () => 1.8 * g.nextFloat() - 0.9), { dtype: 'float64', shape: [n, d] });
};

/** Multiplies the weights of edges (j, i) of a KANLinear-like layer for which `pick` is true by `factor`. */
function scaleEdges(p: px.Parameter, inF: number, block: number, pick: (j: number, i: number) => boolean, factor: number): void {
  const v = Float64Array.from(p.values);
  for (let k = 0; k < v.length; k++) {
    const col = k % (inF * block);
    if (pick(Math.floor(k / (inF * block)), Math.floor(col / block))) v[k] = v[k]! * factor;
  }
  px.noGrad(() => p.assign(v));
}

/** A [3, 5, 2] KAN where hidden node 1 has dead inputs, hidden node 3 dead outputs, and edge (0 <- 0) of layer 0 is weak. */
function doctored(weak = 1e-4): KAN {
  const m = new KAN([3, 5, 2], { grid: 5, dtype: 'float64', generator: new px.Generator(3), scaleNoise: 1 });
  const [l0, l1] = [m.layer(0), m.layer(1)];
  for (const [layer, pick] of [[l0, (j: number) => j === 1], [l1, (_j: number, i: number) => i === 3]] as const) {
    scaleEdges(layer.baseWeight!, layer.inFeatures, 1, pick, 0);
    scaleEdges(layer.splineWeight, layer.inFeatures, layer.numBases, pick, 0);
  }
  scaleEdges(l0.baseWeight!, 3, 1, (j, i) => j === 0 && i === 0, weak);
  scaleEdges(l0.splineWeight, 3, l0.numBases, (j, i) => j === 0 && i === 0, weak);
  return m;
}

describe('pruneKAN', () => {
  it('removes a node with dead inputs exactly (its constant output goes to the bias) and a node with dead outputs', () => {
    const m = doctored();
    const x = inputs(300, 3, 4);
    const r = pruneKAN(m, x, { threshold: 1e-2, edgeThreshold: 0 });
    assert.deepEqual(r.keptNodes, [[0, 2, 4]]);
    assert.deepEqual(r.model.widths, [3, 3, 2]);
    assert.equal(r.removedNodes, 2);
    assert.deepEqual(r.removedNodesPerLayer, [2]);
    assert.equal(r.removedEdges, 2 * 3 + 2 * 2); // 3 in and 2 out per removed node
    assert.equal(r.nodeScores[0]![1], 0);
    assert.equal(r.nodeScores[0]![3], 0);
    const d = maxDiff(r.model.forward(x), m.forward(x));
    console.log(`prune: removed ${r.removedNodes} nodes, ${r.removedEdges} edges; max |f_pruned - f| ${d.toExponential(2)}`);
    assert.ok(d < 1e-12, `function changed by ${d}`);
    assert.ok(r.model.layer(1).bias !== null && r.model.layer(0).bias !== null, 'biases in every layer (one shared flag in KAN configs)');
    assert.ok(r.model.numParameters() < m.numParameters());
    // The input model is unchanged.
    assert.deepEqual(m.widths, [3, 5, 2]);
  });

  it('edges below edgeThreshold are zeroed; the function changes by about the edge size; save/load keeps it', () => {
    const m = doctored(1e-4);
    const x = inputs(300, 3, 5);
    const s = edgeScores(m, x);
    assert.ok(s[0]![0]! < 1e-3 && s[0]![0]! > 0, `weak edge score ${s[0]![0]}`);
    assert.ok(Math.max(...s[0]!) === 1 && Math.max(...s[1]!) === 1);
    const r = pruneKAN(m, x);
    assert.equal(r.removedEdges >= 11, true);
    const edges = px.noGrad(() => r.model.edgeActivations(x));
    assert.equal(px.noGrad(() => px.slice(edges[0]!, [null, [0, 1], [0, 1]]).abs().max().item()), 0);
    const y = m.forward(x);
    const d = maxDiff(r.model.forward(x), y);
    const scale = px.noGrad(() => y.abs().max().item());
    assert.ok(d < 1e-3 * scale, `function changed by ${d} (scale ${scale})`);
    const copy = px.nn.fromConfig(JSON.parse(JSON.stringify(r.model.getConfig())));
    copy.loadStateDict(r.model.stateDict());
    assert.equal(maxDiff(copy.forward(x), r.model.forward(x)), 0);
  });

  it('S-KAN (mixture and selected) prunes the same way', () => {
    const x = inputs(200, 2, 6);
    for (const selected of [false, true]) {
      const m = new SKAN([2, 4, 1], { grid: 4, dtype: 'float64', generator: new px.Generator(7), scaleNoise: 1 });
      if (selected) m.select(x);
      // Kill hidden node 2's inputs: base weights and every group's coefficients of output 2.
      const l0 = m.layer(0);
      scaleEdges(l0.baseWeight!, 2, 1, (j) => j === 2, 0);
      for (let g = 0; g < l0.numGroups; g++) {
        const grp = l0.group(g);
        scaleEdges(grp.splineWeight, grp.features.length, grp.basis.numBases, (j) => j === 2, 0);
      }
      const r = pruneKAN(m, x, { edgeThreshold: 0 });
      assert.deepEqual(r.keptNodes, [[0, 1, 3]], `selected=${selected}`);
      assert.ok(r.model instanceof SKAN);
      assert.equal(r.model.isSelected, selected);
      assert.ok(maxDiff(r.model.forward(x), m.forward(x)) < 1e-12);
    }
  });

  it('never removes inputs, outputs, or nodes feeding a LayerNorm (FastKAN); thresholds are checked', () => {
    const m = new KAN([3, 4, 2], { basis: 'rbf', grid: 6, dtype: 'float64', generator: new px.Generator(8) });
    const x = inputs(100, 3, 9);
    const r = pruneKAN(m, x, { threshold: 2 }); // everything is "unimportant"
    assert.deepEqual(r.model.widths, [3, 4, 2]);
    const plain = pruneKAN(new KAN([3, 4, 2], { grid: 3, dtype: 'float64' }), x, { threshold: 2 });
    assert.deepEqual(plain.model.widths, [3, 1, 2]); // a layer keeps at least its best node
    assert.throws(() => pruneKAN(m, x, { threshold: -1 }), px.ValueError);
    assert.throws(() => pruneKAN(m, x, { edgeThreshold: NaN }), px.ValueError);
  });
});

/**
 * @file plotKAN (nn/kan/plot.ts): one curve panel per edge, one circle per node, names; the curve
 * of an edge is its function over the samples (checked on an edge fixed to x^2); symbolic edges
 * and S-KAN spaces are labelled; the SVG is written to `path`; huge models are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/index.js';
import { KAN } from '../src/nn/kan/kan.js';
import { SKAN } from '../src/nn/kan/s-kan.js';
import { SymbolicKAN } from '../src/nn/kan/symbolic.js';
import { plotKAN } from '../src/nn/kan/plot.js';

const previous = px.getBackend();
let dir = '';
before(() => { px.setBackend('js'); dir = mkdtempSync(path.join(tmpdir(), 'plexus-plot-')); });
after(() => { px.setBackend(previous); rmSync(dir, { recursive: true, force: true }); });

const count = (s: string, what: string): number => s.split(what).length - 1;
const grid2 = (): px.Tensor => {
  const v: number[] = [];
  for (let i = 0; i < 11; i++) for (let k = 0; k < 11; k++) v.push(-1 + i / 5, -1 + k / 5);
  return px.tensor(v, { dtype: 'float64', shape: [121, 2] });
};

describe('plotKAN', () => {
  it('draws one panel per edge and one circle per node, with names, and writes the file', () => {
    const m = new KAN([2, 3, 1], { grid: 4, dtype: 'float64', generator: new px.Generator(1) });
    const file = path.join(dir, 'kan.svg');
    const svg = plotKAN(m, grid2(), { path: file, inputNames: ['u', 'v'], outputNames: ['f'], title: 'KAN [2,3,1]' });
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.equal(count(svg, '<polyline'), 2 * 3 + 3 * 1);
    assert.equal(count(svg, '<circle'), 2 + 3 + 1);
    for (const name of ['>u<', '>v<', '>f<', 'KAN [2,3,1]']) assert.ok(svg.includes(name), name);
    assert.equal(readFileSync(file, 'utf8'), `${svg}\n`);
  });

  it('an edge fixed to x^2 is drawn red, labelled, as a parabola over the samples', () => {
    const sym = SymbolicKAN.from(new KAN([2, 1], { grid: 3, dtype: 'float64' }));
    sym.fixSymbolic(0, 0, 1, 'x^2', { affine: [1, 0, 1, 0] });
    const svg = plotKAN(sym, grid2(), { points: 21 });
    const panels = [...svg.matchAll(/<polyline fill="none" stroke="([^"]+)"[^>]*points="([^"]+)"/g)];
    assert.equal(panels.length, 2);
    const [color, pts] = [panels[1]![1], panels[1]![2]!.split(' ').map((p) => p.split(',').map(Number))];
    assert.equal(color, '#c62828');
    assert.ok(svg.includes('>x^2</text>'));
    // Symmetric in x, lowest (largest SVG y) in the middle, highest at both ends.
    assert.equal(pts.length, 21);
    const ys = pts.map((p) => p[1]!);
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(ys[k]! - ys[20 - k]!) < 0.02);
    assert.equal(Math.max(...ys), ys[10]);
  });

  it('marks the selected space of S-KAN nodes; refuses models with more edges than maxEdges', () => {
    const m = new SKAN([2, 2, 1], { pool: ['chebyshev', 'fourier'], grid: 3, dtype: 'float64', generator: new px.Generator(2) });
    m.select();
    const svg = plotKAN(m, grid2());
    const letters = [...svg.matchAll(/fill="#1565c0">([BRCF])</g)].map((r) => r[1]);
    assert.equal(letters.length, 4);
    assert.ok(letters.every((c) => c === 'C' || c === 'F'));
    assert.throws(() => plotKAN(new KAN([30, 30, 1], { grid: 3 }), px.zeros([4, 30]), { maxEdges: 100 }), /930 edges/);
  });
});

/**
 * @file plotKAN (nn/kan/plot.ts): one curve panel per edge, one circle per node, names; the curve
 * of an edge is its function over the samples (checked on an edge fixed to x^2); symbolic edges
 * and S-KAN spaces are labelled; the SVG is written to `path`; huge models are refused. The PNG
 * rendering: a valid file (signature, chunk CRCs, zlib stream) whose pixels show the same scene.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { inflateSync } from 'node:zlib';
import { encodePng, crc32 } from '../src/viz/png.js';

const { KAN, SKAN, SymbolicKAN, kanScene, plotKAN, plotKANPng } = px.nn;

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

  it('renders the same scene as PNG: valid chunks, node circles dark, background white, labels inked', () => {
    const m = new KAN([2, 3, 1], { grid: 4, dtype: 'float64', generator: new px.Generator(1) });
    const file = path.join(dir, 'kan.png');
    const opts = { inputNames: ['u', 'v'], title: 'KAN [2,3,1]', scale: 2 };
    plotKAN(m, grid2(), { ...opts, path: file });
    const png = readFileSync(file);
    assert.deepEqual(new Uint8Array(png), plotKANPng(m, grid2(), opts));
    const img = decodePng(png);
    const scene = kanScene(m, grid2(), opts);
    assert.equal(img.width, Math.ceil(scene.width * 2));
    assert.equal(img.height, Math.ceil(scene.height * 2));
    const at = (x: number, y: number): number[] => Array.from(img.rgb.subarray((Math.floor(y * 2) * img.width + Math.floor(x * 2)) * 3, (Math.floor(y * 2) * img.width + Math.floor(x * 2)) * 3 + 3));
    assert.deepEqual(at(1, 1), [255, 255, 255]);
    const circles = scene.shapes.filter((s) => s.kind === 'circle');
    assert.equal(circles.length, 6);
    for (const c of circles) if (c.kind === 'circle') assert.ok(at(c.cx, c.cy).every((v) => v < 60), `node at ${c.cx},${c.cy}: ${at(c.cx, c.cy).join(',')}`);
    // The title's glyphs leave dark pixels in its line, and nothing else is drawn there.
    const title = scene.shapes.find((s) => s.kind === 'text' && s.text === 'KAN [2,3,1]');
    assert.ok(title && title.kind === 'text');
    let dark = 0;
    for (let y = Math.floor((title.y - 10) * 2); y < title.y * 2; y++) for (let x = 0; x < img.width; x++) if (img.rgb[(y * img.width + x) * 3]! < 100) dark++;
    assert.ok(dark > 50, `title pixels: ${dark}`);
  });

  it('encodePng: stored deflate blocks (no host zlib) decode to the same pixels; bad sizes are refused', () => {
    const rgb = Uint8Array.from({ length: 300 * 250 * 3 }, (_, i) => (i * 7) % 256); // > 65535 bytes: several blocks
    const a = decodePng(Buffer.from(encodePng(300, 250, rgb)));
    const b = decodePng(Buffer.from(encodePng(300, 250, rgb, { compress: false })));
    assert.deepEqual(a.rgb, rgb);
    assert.deepEqual(b.rgb, rgb);
    assert.throws(() => encodePng(2, 2, new Uint8Array(5)), /needs 12 bytes/);
    assert.throws(() => encodePng(0, 2, new Uint8Array(0)), /bad size/);
    assert.throws(() => encodePng(2, 2, new Uint8Array(5)), px.ValueError);
  });
});

/** A strict reader for what encodePng writes (8-bit RGB, filter 0): checks every chunk's CRC. */
function decodePng(buf: Buffer): { width: number; height: number; rgb: Uint8Array } {
  assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  let o = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (o < buf.length) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    const body = buf.subarray(o + 8, o + 8 + len);
    assert.equal(buf.readUInt32BE(o + 8 + len), (crc32(buf.subarray(o + 4, o + 8 + len)) ^ 0xffffffff) >>> 0, `${type} CRC`);
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      assert.deepEqual([...body.subarray(8)], [8, 2, 0, 0, 0]);
    } else if (type === 'IDAT') idat.push(body);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, (width * 3 + 1) * height);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * 3 + 1)], 0, 'filter byte');
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  }
  return { width, height, rgb };
}

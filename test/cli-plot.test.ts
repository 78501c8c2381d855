/**
 * @file The SVG line plot: nice ticks, tick labels, escaping, and the cases training produces that
 * naive plotting gets wrong (a NaN loss, a flat series, a single epoch).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, formatTick, niceTicks, panel, svgRow } from '../apps/cli/plot-svg.js';

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    assert.deepEqual(niceTicks(0.03, 0.97, 5), { lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    assert.deepEqual(niceTicks(1, 20, 6, true).ticks, [0, 5, 10, 15, 20]);
    assert.deepEqual(niceTicks(0.1234, 2.345, 5).ticks, [0, 0.5, 1, 1.5, 2, 2.5]);
  });

  it('pads a flat range and keeps integer steps for epochs', () => {
    const flat = niceTicks(3, 3, 5);
    assert.ok(flat.lo < 3 && flat.hi > 3);
    assert.deepEqual(niceTicks(1, 1, 6, true).ticks, [0, 1, 2]);
    assert.deepEqual(niceTicks(0, 0, 5).ticks.at(0), -1);
  });

  it('falls back to [0, 1] for non-finite input', () => {
    assert.deepEqual(niceTicks(NaN, 1).ticks, [0, 0.5, 1]);
  });
});

describe('labels', () => {
  it('formatTick keeps 4 significant digits and switches to exponents at the extremes', () => {
    assert.equal(formatTick(0.30000000000000004), '0.3');
    assert.equal(formatTick(1200), '1200');
    assert.equal(formatTick(0), '0');
    assert.equal(formatTick(1.5e-5), '1.5e-5');
    assert.equal(formatTick(2e6), '2e+6');
  });

  it('escapes text', () => {
    assert.equal(escapeXml(`<a & "b">'`), '&lt;a &amp; &quot;b&quot;&gt;&#39;');
    const svg = panel({ title: 'T<1>', xLabel: 'x', yLabel: 'y', series: [{ name: 'a&b', values: [1, 2] }] });
    assert.ok(svg.includes('T&lt;1&gt;') && svg.includes('a&amp;b') && !svg.includes('a&b'));
  });
});

describe('panel / svgRow', () => {
  it('breaks a line at non-finite values instead of drawing to infinity', () => {
    const svg = panel({ title: 't', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'loss', values: [1, 0.5, NaN, 0.3, Infinity, 0.2] }] });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(d.match(/M/g)!.length, 3);
    assert.equal(d.match(/L/g)!.length, 1);
    assert.ok(!/NaN|Infinity/.test(svg));
  });

  it('draws one path per series with data, legend entries for all, and side-by-side panels', () => {
    const a = { title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', values: [2, 1] }, { name: 'test', values: [], dashed: true }] };
    const svg = svgRow([a, { ...a, title: 'Accuracy', width: 300 }]);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="720" height="300"/);
    assert.equal(svg.match(/<path /g)!.length, 2);
    assert.equal(svg.match(/>test</g)!.length, 2);
    assert.ok(svg.includes('translate(420 0)'));
    assert.equal(svg.match(/<g/g)!.length, svg.match(/<\/g>/g)!.length);
  });

  it('a single epoch plots a point-sized line without dividing by zero', () => {
    const svg = panel({ title: 't', xLabel: 'epoch', yLabel: 'v', series: [{ name: 's', values: [0.5] }] });
    assert.ok(!/NaN|Infinity/.test(svg));
    assert.match(svg, /<path d="M[\d.]+,[\d.]+"/);
  });
});

/**
 * @file The playground in a real browser: Debian's chromium (/usr/bin/chromium, or $CHROMIUM)
 * driven by playwright-core, no browser download. Skipped with a message when chromium is absent.
 * One page, served by the playground's own server, goes through: cross-origin isolation and the
 * wasm pool's workers; an MLP trained on the spiral to >= 95% test accuracy with a falling loss
 * and a non-blank heatmap; the model downloaded and loaded in Node (io.loadModel) with the exact
 * weights the page held, and read by `plexus info`; a KAN whose edge plots render, with grid
 * extension and pruning; bad uploads (malformed, non-numeric, huge CSV; a safetensors file that is
 * no plexus model) shown as errors while the page keeps working; the setup in the URL hash.
 * Every wait is on state the page reports (window.playground), never a fixed sleep.
 * Screenshots go to test-output/ (gitignored).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import * as px from '../src/node.js';
import { startPlayground } from '../apps/playground/server.js';
import { main } from '../apps/cli/main.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.join(root, 'test-output');
const WAIT = { timeout: 90_000 };

/** What main.ts publishes as window.playground (the parts the test reads). */
interface PageState {
  progress: {
    step: number; trainLoss: number; testLoss: number; testAccuracy: number | null; running: boolean;
    pool: { crossOriginIsolated: boolean; threads: number; workers: number; workerChunks: number; backend: string };
  } | null;
  losses: { step: number; train: number; test: number }[];
  errors: string[];
  saves: number;
  saved: [string, Record<string, number>][] | null;
  loaded: { name: string; shown: boolean } | null;
  model: { summary: string; edges: number; widths: number[] | null } | null;
}

const stateOf = (page: Page): Promise<PageState> => page.evaluate(() => {
  const s = (globalThis as unknown as { playground: PageState }).playground;
  // Typed arrays come back as index-keyed objects; the grid is left out (large).
  return JSON.parse(JSON.stringify({ ...s, progress: s.progress ? { ...s.progress, grid: null, kan: null, curve: null } : null })) as PageState;
});

/** Distinct colours in a canvas (a blank one has 1). */
const coloursIn = (page: Page, selector: string): Promise<number> => page.evaluate((sel) => {
  const c = document.querySelector(sel) as HTMLCanvasElement;
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set<number>();
  for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
  return seen.size;
}, selector);

async function trainUntil(page: Page, cond: string): Promise<void> {
  await page.click('#train');
  await page.waitForFunction(cond, null, WAIT);
  await page.click('#train'); // pause
  await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.progress?.running === false, null, WAIT);
}

async function upload(page: Page, selector: string, name: string, buffer: Buffer): Promise<string> {
  const before = (await stateOf(page)).errors.length;
  await page.setInputFiles(selector, { name, mimeType: 'application/octet-stream', buffer });
  await page.waitForFunction((n) => (globalThis as unknown as { playground: PageState }).playground.errors.length > n, before, WAIT);
  return (await stateOf(page)).errors.at(-1)!;
}

const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM): the playground's browser tests did not run`;

describe('playground in chromium', { skip }, () => {
  let browser: Browser;
  let server: Server;
  let page: Page;
  let url: string;
  /** Uncaught exceptions in the page or its workers' startup (none expected, even for bad input). */
  const pageErrors: string[] = [];

  before(async () => {
    const { chromium } = await import('playwright-core');
    ({ server, url } = await startPlayground({ port: 0 }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 760 } });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(OUT, { recursive: true });
    // Three threads: the training worker and two pool workers (whatever the machine's core count).
    await page.goto(`${url}?threads=3`);
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.progress !== null, null, WAIT);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('is cross-origin isolated and trains an MLP on the spiral to >= 95% test accuracy on several threads', async () => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await trainUntil(page, '(globalThis.playground.progress?.testAccuracy ?? 0) >= 0.95');
    const s = await stateOf(page);
    const p = s.progress!;
    console.log(`spiral MLP: ${(100 * p.testAccuracy!).toFixed(1)}% test accuracy after ${p.step} steps; pool ${p.pool.workers} workers ran ${p.pool.workerChunks} chunks`);
    assert.ok(p.testAccuracy! >= 0.95);
    assert.equal(p.pool.crossOriginIsolated, true);
    assert.equal(p.pool.backend, 'wasm');
    assert.ok(p.pool.workers >= 2, `pool workers: ${p.pool.workers}`);
    assert.ok(p.pool.workerChunks > 0, 'no chunk ran on a pool worker');
    assert.ok(s.losses.length >= 2 && s.losses.at(-1)!.train < 0.5 * s.losses[0]!.train, `train loss ${s.losses[0]!.train} -> ${s.losses.at(-1)!.train}`);
    assert.ok(s.losses.at(-1)!.test < s.losses[0]!.test);
    assert.ok(await coloursIn(page, '#view') > 50, 'the heatmap canvas is blank');
    assert.ok(await coloursIn(page, '#loss') > 3, 'the loss canvas is blank');
    assert.deepEqual(s.errors, []);
    await page.screenshot({ path: path.join(OUT, 'playground-mlp.png') });
  });

  it('downloads the model; Node loads it with the same weights, plexus info and eval read it', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#save')]);
    const file = path.join(OUT, download.suggestedFilename());
    await download.saveAs(file);
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.saved !== null, null, WAIT);
    const saved = (await stateOf(page)).saved!;
    const { model, metadata } = await px.io.loadModel(file);
    const named = model.namedParameters();
    assert.deepEqual(named.map(([k]) => k), saved.map(([k]) => k));
    for (const [k, p] of named) {
      const page32 = Float32Array.from(Object.values(saved.find(([n]) => n === k)![1]));
      assert.deepEqual(Float32Array.from(p.values), page32, `${k} differs`);
    }
    assert.equal((metadata.playground as { dataset: string }).dataset, 'spiral');
    let out = '';
    const code = await main(['node', 'plexus', 'info', file], { out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 0, out);
    assert.match(out, /MLP/);
    // plexus eval reads the metadata the page wrote (feature columns by name, classes).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plexus-pg-eval-'));
    try {
      const { x, y } = px.data.spiral({ nPerClass: 100, classes: 3, noise: 0.2, seed: 0 });
      const xv = x.values;
      writeFileSync(path.join(dir, 'pts.csv'), `x1,x2,label\n${Array.from(y.values, (l, i) => `${xv[2 * i]},${xv[2 * i + 1]},${l}`).join('\n')}\n`);
      let ev = '';
      const rc = await main(['node', 'plexus', 'eval', '--model', file, '--data', 'csv:pts.csv', '--target', 'label'], { out: (t) => (ev += t), err: (t) => (ev += t), cwd: dir });
      assert.equal(rc, 0, ev);
      const acc = Number(/accuracy ([\d.]+)%/.exec(ev)?.[1]);
      assert.ok(acc >= 90, ev);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads a model trained by the CLI (on standardised inputs) and draws it on the current data', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plexus-pg-cli-'));
    try {
      const { x, y } = px.data.spiral({ nPerClass: 100, classes: 3, noise: 0.2, seed: 1 });
      const xv = x.values;
      const rows = Array.from(y.values, (label, i) => `${xv[2 * i]},${xv[2 * i + 1]},${label}`);
      writeFileSync(path.join(dir, 'spiral.csv'), `x1,x2,label\n${rows.join('\n')}\n`);
      let log = '';
      const io = { out: (t: string) => (log += t), err: (t: string) => (log += t), cwd: dir };
      const code = await main(['node', 'plexus', 'train', '--data', 'csv:spiral.csv', '--target', 'label', '--target-type', 'categorical', '--hidden', '64,64', '--activation', 'tanh', '--lr', '0.01', '--epochs', '40', '--out', 'run'], io);
      assert.equal(code, 0, log);
      await page.setInputFiles('#load', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(path.join(dir, 'run', 'model.safetensors')) });
      await page.waitForFunction(() => {
        const s = (globalThis as unknown as { playground: PageState }).playground;
        return s.loaded?.name === 'model.safetensors' && (!s.loaded.shown || s.losses.length > 0);
      }, null, WAIT);
      const s = await stateOf(page);
      assert.equal(s.loaded!.shown, true);
      assert.match(s.model!.summary, /^MLP 2-64-64-3$/);
      // Drawn with the CLI's standardisation applied; without it the spiral would be misread.
      console.log(`CLI model on the page's spiral test split: ${(100 * s.progress!.testAccuracy!).toFixed(1)}%`);
      assert.ok(s.progress!.testAccuracy! >= 0.8, `accuracy ${s.progress!.testAccuracy}`);
      assert.match(await page.textContent('#note') ?? '', /loaded model\.safetensors: MLP 2-64-64-3/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trains a KAN from a shared link: edge plots render, grid extension and pruning work', async () => {
    await page.goto(`${url}?threads=3#model=kan&width=3&depth=1&grid=5&lr=0.02&dataset=moons`);
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.model?.edges === 12, null, WAIT);
    assert.equal(await page.inputValue('#s-model'), 'kan');
    await trainUntil(page, 'globalThis.playground.progress?.step >= 150');
    assert.equal(await page.locator('#edges canvas.edge').count(), 2 * 3 + 3 * 2);
    const lit = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLCanvasElement>('#edges canvas.edge')).filter((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 150) dark++;
      return dark > 20;
    }).length);
    assert.ok(lit >= 6, `only ${lit} of 12 edge plots show a curve`);
    await page.screenshot({ path: path.join(OUT, 'playground-kan.png') });
    await page.click('#extend');
    await page.waitForFunction(() => document.getElementById('note')!.textContent!.includes('grid extended to 10'), null, WAIT);
    await page.click('#prune');
    await page.waitForFunction(() => document.getElementById('note')!.textContent!.startsWith('pruned'), null, WAIT);
    assert.deepEqual((await stateOf(page)).errors, []);
  });

  it('fits a 1-D function with a SIREN: the curve is drawn and the loss falls', async () => {
    await page.goto(`${url}?threads=3#dataset=sine&model=siren&width=32&depth=2&lr=0.001&noise=0`);
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.model?.summary === 'SIREN 1-32-32-1', null, WAIT);
    await trainUntil(page, 'globalThis.playground.progress?.step >= 200');
    const s = await stateOf(page);
    assert.equal(s.progress!.testAccuracy, null);
    assert.ok(s.losses.at(-1)!.test < 0.2 * s.losses[0]!.test, `test mse ${s.losses[0]!.test} -> ${s.losses.at(-1)!.test}`);
    assert.ok(await coloursIn(page, '#view') > 5, 'the function plot is blank');
    assert.deepEqual(s.errors, []);
    await page.screenshot({ path: path.join(OUT, 'playground-sine.png') });
  });

  it('shows bad uploads as errors and keeps working', async () => {
    const malformed = await upload(page, '#csv', 'bad.csv', Buffer.from('x1,x2,label\n1,2,0\n3,4\n'));
    assert.match(malformed, /bad\.csv:3/);
    const text = await upload(page, '#csv', 'text.csv', Buffer.from(`x1,x2,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i === 4 ? 'abc' : i},${i % 2}`).join('\n')}\n`));
    assert.match(text, /text\.csv:6:\d+/);
    const huge = await upload(page, '#csv', 'huge.csv', Buffer.alloc((1 << 20) + 10, '1,2,0\n'));
    assert.match(huge, /over the upload limit of 1048576 bytes/);
    const foreign = px.io.serializeSafetensors(new Map([['w', px.ones([2, 2])]]));
    const notModel = await upload(page, '#load', 'foreign.safetensors', Buffer.from(foreign));
    assert.match(notModel, /foreign\.safetensors: no "plexus\.model" metadata, so the architecture is unknown/);
    assert.match(await upload(page, '#load', 'junk.safetensors', Buffer.from('not a safetensors file')), /junk\.safetensors/);
    // The csv dataset before any accepted upload: refused, and the form shows the data in use again.
    const shownBefore = await page.inputValue('#s-dataset');
    const n = (await stateOf(page)).errors.length;
    await page.selectOption('#s-dataset', 'csv');
    await page.waitForFunction((k) => (globalThis as unknown as { playground: PageState }).playground.errors.length > k, n, WAIT);
    assert.match((await stateOf(page)).errors.at(-1)!, /upload a CSV file first/);
    assert.equal(await page.inputValue('#s-dataset'), shownBefore);
    // Still working: a good CSV is accepted and trains.
    const rows = Array.from({ length: 200 }, (_, i) => { const a = Math.cos(i), b = Math.sin(3 * i); return `${a},${b},${a * b > 0 ? 1 : 0}`; });
    await page.setInputFiles('#csv', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`x1,x2,label\n${rows.join('\n')}\n`) });
    await page.waitForFunction(() => location.hash.includes('dataset=csv') && (globalThis as unknown as { playground: PageState }).playground.progress !== null, null, WAIT);
    const before = (await stateOf(page)).progress!.step;
    await trainUntil(page, `globalThis.playground.progress?.step >= ${before + 20}`);
    assert.match(await page.textContent('#data-info') ?? '', /^\d+ train \/ \d+ test · classification \(2 classes\)/);
    assert.deepEqual(pageErrors, []);
  });

});

#!/usr/bin/env node
/**
 * @file Builds the browser playground's static bundle into dist/apps/playground/www (served by
 * `plexus playground`), from the tsc output in dist/ (run after tsc, as `npm run build` does):
 *   app.js           the page (dist/apps/playground/src/main.js)
 *   train-worker.js  the training Web Worker (worker.js of the same folder)
 *   worker.js        the wasm backend's pool worker (dist/src/backends/wasm/pool/worker.js). The
 *                    pool starts it with `new URL('./worker.js', import.meta.url)`, which esbuild
 *                    keeps verbatim, so inside train-worker.js it names this file beside it.
 *   index.html, style.css
 * Then prints the size of the library's own browser bundle (the public entry, minified and
 * gzipped), with and without the font atlas the plotting code carries (src/viz/font-data.ts).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'apps', 'playground', 'www');
const stat = path.join(root, 'apps', 'playground', 'static');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = { bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, sourcemap: false, logLevel: 'warning', legalComments: 'none' };
await build({
  ...common,
  entryPoints: {
    app: path.join(dist, 'apps', 'playground', 'src', 'main.js'),
    'train-worker': path.join(dist, 'apps', 'playground', 'src', 'worker.js'),
    worker: path.join(dist, 'src', 'backends', 'wasm', 'pool', 'worker.js'),
  },
  outdir: out,
});
for (const f of readdirSync(stat)) copyFileSync(path.join(stat, f), path.join(out, f));

// The library alone, as a user's bundler would include it, and again with the font atlas (the
// glyph bitmaps plotKAN's PNG text uses) stubbed out, to show what the rest weighs.
const entry = path.join(dist, 'src', 'index.js');
const noFont = {
  name: 'no-font',
  setup(b) {
    b.onLoad({ filter: /viz[\\/]font-data\.js$/ }, () => ({ contents: "export const FONT_CELL = { width: 1, height: 1, ascent: 1, size: 1 }; export const FONT_ATLAS_BASE64 = '';", loader: 'js' }));
  },
};
const sizes = async (plugins) => {
  const r = await build({ ...common, sourcemap: false, entryPoints: [entry], write: false, plugins });
  const text = r.outputFiles[0].text;
  return { min: text.length, gz: gzipSync(text, { level: 9 }).length };
};
const all = await sizes([]);
const lean = await sizes([noFont]);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`playground: built ${path.relative(root, out)}`);
console.log(`library browser bundle (src/index.ts): ${kib(all.min)} minified, ${kib(all.gz)} min+gzip; ` +
  `without the font atlas ${kib(lean.min)} minified, ${kib(lean.gz)} min+gzip (goal: under 300 KiB)`);

#!/usr/bin/env node
/**
 * @file Links `node_modules/.bin/plexus` to this checkout's bin/plexus.js after `npm ci` / `npm
 * install` in a clone (run by the `prepare` script). Why: npm links the bins of dependencies, never
 * the root package's own, so `npx plexus` in a fresh clone found no local command and silently
 * installed the clone into npm's npx cache as a `file:` dependency, which runs `prepare` (the full
 * build, ~20-30 s) on the first call. With the link, npx runs the already built dist/ at once.
 * When plexus is installed as a dependency, npm links its bin itself and this script is not run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'plexus');
const target = path.relative(binDir, path.join(root, 'bin', 'plexus.js'));
if (fs.existsSync(path.join(root, 'node_modules'))) {
  fs.mkdirSync(binDir, { recursive: true });
  try {
    if (fs.readlinkSync(link) === target) process.exit(0);
    fs.unlinkSync(link);
  } catch {
    // no link yet (or not a link: replaced below)
    fs.rmSync(link, { force: true });
  }
  fs.symlinkSync(target, link);
  fs.chmodSync(path.join(root, 'bin', 'plexus.js'), 0o755);
}

#!/usr/bin/env node
/**
 * @file The `prepare` lifecycle script: builds dist/ (npm run build) after `npm ci` / `npm install`
 * in a clone. Why a script and not `npm run build` directly: `npx plexus` in a clone is npm's
 * "self-execution of a local bin", for which npm installs the clone into its npx cache, which runs
 * `prepare` again: a silent full rebuild (~20-40 s) on the first `npx plexus`. That install is the
 * one with npm_command=exec; when dist/ is already built it is skipped, so the first run is as
 * fast as later ones. `npm run build` always rebuilds (tsc is incremental: dist/.tsbuildinfo).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(path.join(root, 'dist', 'apps', 'cli', 'main.js')) && existsSync(path.join(root, 'dist', 'src', 'index.js'));
if (process.env.npm_command === 'exec' && built) process.exit(0);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Entry point of the `plexus` command; the CLI itself lives in apps/cli/main.ts (compiled to dist/).
import { main } from '../dist/apps/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);

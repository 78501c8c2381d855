/**
 * @file The child side of bench/paired.ts's stepwise protocol for plexus's workers: after the
 * child's warm-up, print {"ready": true}; each stdin line `block` runs `perBlock` steps and prints
 * {stepsPerSec, ...report()}; `done` prints {peakRssMB} and returns. An error is printed as {"error"} with exit code 1, so
 * the parent reports it instead of hanging.
 */
import readline from 'node:readline';
import { peakRssMB } from './common.js';

export async function serveBlocks(threads: number, perBlock: number, step: () => void, report: () => Record<string, number>): Promise<void> {
  console.log(JSON.stringify({ ready: true, lib: 'plexus', threads }));
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const cmd = line.trim();
    if (cmd === 'done') {
      console.log(JSON.stringify({ peakRssMB: peakRssMB() }));
      return;
    }
    if (cmd !== 'block') throw new Error(`unknown command '${cmd}' (expected 'block' or 'done')`);
    const t0 = performance.now();
    for (let i = 0; i < perBlock; i++) step();
    console.log(JSON.stringify({ stepsPerSec: perBlock / ((performance.now() - t0) / 1000), ...report() }));
  }
}

/** Runs a child's main, turning a failure into the protocol's {"error"} line. */
export function runChild(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.log(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    process.exitCode = 1;
  });
}

/**
 * @file Deterministic memory snapshots around async code. Awaiting lets FinalizationRegistry
 * callbacks run, so garbage from earlier tests can be counted down mid-measurement; collecting and
 * draining first (on both sides) makes `memory()` deltas mean "what this call left behind".
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as px from '../src/index.js';

function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const gc = gcFunction();

/** Full GC, then let the finalizers it queued run; returns memory() afterwards. */
export async function settledMemory(): Promise<px.MemoryInfo> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
  return px.memory();
}

/**
 * @file Acceptance K1 and K2 of issue #5 (see kan-accept-protocol.ts for the protocol):
 *     npx tsc -p . && node dist/bench/kan-accept.js      (exit code 1 on a failed check)
 *     node dist/bench/kan-accept.js k1                    (K1 only)
 */
import * as px from '../src/index.js';
import { dataset, k1, k2 } from './kan-accept-protocol.js';

px.setBackend('js');

function main(): void {
  const which = process.argv[2] ?? 'all';
  const tr = dataset(1000, 0);
  const te = dataset(1000, 1);
  const r = k1(tr, te);
  const last = r.stages.at(-1)!;
  let ok = r.ok;
  if (which !== 'k1') ok = k2(tr, te, last.test, last.params, r.totalIters) && ok;
  console.log(JSON.stringify({ bench: 'kan-accept', k1: r.stages, ok }));
  if (!ok) process.exitCode = 1;
}

main();


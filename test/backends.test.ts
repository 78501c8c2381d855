/**
 * @file Every op-table case on the wasm backend in float32, against the reference backend in
 * float64 on the same (float32-rounded) inputs. Tolerances from docs/reliability.md "Tolerances": the float32
 * elementwise row, widened for ops that sum K terms by the length-scaled bound 2·K·u·Σ|terms|.
 * Gradients are compared the same way (backward of <out, w> for a fixed positive cotangent w), so
 * the kernels are also exercised through every vjp (matmul's four transpose cases, sums, where).
 */
import { describe, it } from 'node:test';
import * as px from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { ALL_ROWS } from './op-table/all.rows.js';
import { checkCase } from './backend-compare.js';

// Until src/index.ts registers the wasm backend itself; re-registering the same factory is harmless.
if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);

describe('op table on the wasm backend (float32 vs float64 reference)', () => {
  for (const row of ALL_ROWS) {
    describe(`${row.kind} ${row.op}`, () => {
      for (const c of row.cases) it(c.name, () => checkCase(row, c));
    });
  }
});

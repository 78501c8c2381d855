/**
 * @file The op table: every primitive and composite has a row; each case's forward is checked against
 * an independent float64 formula and its gradient against central finite differences.
 * A row-less op fails the coverage test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import * as composites from '../src/ops/composite/index.js';
import { runOpCase, type OpRow } from '../src/testing/index.js';
import { ALL_ROWS } from './op-table/all.rows.js';

describe('op table coverage', () => {
  const covered = new Set(ALL_ROWS.map((r) => r.op));
  it('has a row for every primitive', () => {
    const missing = px.PRIMITIVE_NAMES.filter((n) => !covered.has(n));
    assert.deepEqual(missing, [], `primitives without an op-table row: ${missing.join(', ')}`);
  });
  it('has a row for every composite', () => {
    const names = Object.entries(composites).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    const missing = names.filter((n) => !covered.has(n));
    assert.deepEqual(missing, [], `composites without an op-table row: ${missing.join(', ')}`);
  });
});

function rowSuite(row: OpRow, backend: string): void {
  describe(`${row.kind} ${row.op}`, () => {
    for (const c of row.cases) {
      it(c.name, () => {
        px.setBackend(backend);
        try {
          runOpCase(row, c);
        } finally {
          px.setBackend('reference');
        }
      });
    }
  });
}

describe('op table (reference backend, float64)', () => {
  for (const row of ALL_ROWS) rowSuite(row, 'reference');
});

// The js kernels are dtype-agnostic, so in float64 they must meet the same tolerances as the oracle.
describe('op table (js backend, float64)', () => {
  for (const row of ALL_ROWS) rowSuite(row, 'js');
});

// The wasm backend's float64 path (f64x2 kernels, the js kernels for the rest) meets the same
// tolerances; test/wasm-f64.test.ts runs the table again with every splittable op on the pool.
describe('op table (wasm backend, float64)', () => {
  for (const row of ALL_ROWS) rowSuite(row, 'wasm');
});

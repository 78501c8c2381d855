/** @file Op-table rows (to be written). */
import type { OpRow } from '../../src/testing/index.js';

export const indexingRows: OpRow[] = [];

/** @file Every op-table row, gathered for the coverage and op-table tests. */
import type { OpRow } from '../../src/testing/index.js';
import { unaryRows } from './unary.rows.js';
import { binaryRows } from './binary.rows.js';
import { reduceRows } from './reduce.rows.js';
import { matmulRows } from './matmul.rows.js';
import { movementRows } from './movement.rows.js';
import { indexingRows } from './indexing.rows.js';
import { shapeRows } from './shape.rows.js';
import { mathRows } from './math.rows.js';
import { statsRows } from './stats.rows.js';
import { activationRows } from './activations.rows.js';
import { lossRows } from './losses.rows.js';
import { splineRows } from './spline.rows.js';
import { rbfBackwardRows, rbfRows } from './rbf.rows.js';
import { recurrentRows } from './recurrent.rows.js';
import { layerNormRows } from './layer-norm.rows.js';
import { geluRows } from './gelu.rows.js';
import { fusedRows } from './fused.rows.js';
import { normRows } from './norm.rows.js';
import { periodicRows } from './periodic.rows.js';
import { poolRows } from './pool.rows.js';
import { attentionRows } from './attention.rows.js';
import { sparseRows } from './sparse.rows.js';

export const ALL_ROWS: OpRow[] = [
  ...unaryRows, ...binaryRows, ...reduceRows, ...matmulRows, ...movementRows, ...indexingRows,
  ...shapeRows, ...mathRows, ...statsRows, ...activationRows, ...lossRows, ...splineRows, ...rbfRows, ...rbfBackwardRows, ...layerNormRows, ...geluRows, ...fusedRows, ...normRows,
  ...periodicRows, ...poolRows,
  ...recurrentRows, ...attentionRows, ...sparseRows,
];

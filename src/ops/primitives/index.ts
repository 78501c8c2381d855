/**
 * @file The closed set of primitives, as one typed table: the compiler fails when a name in
 * PRIMITIVE_NAMES has no definition here.
 */
import type { Primitive, PrimitiveName } from '../../core/primitive.js';
import { ABS, CAST, CLAMP, COS, ERF, EXP, LOG, LOG1P, NEG, SIGN, SIN, SQRT, TANH } from './unary.js';
import { ADD, DIV, EQ, GE, GT, LE, LT, MAXIMUM, MINIMUM, MUL, NE, POW, SUB, WHERE } from './binary.js';
import { ARGMAX, ARGMIN, MAX, MIN, SUM } from './reduce.js';
import { MATMUL } from './matmul.js';
import { EXPAND, PERMUTE, RESHAPE } from './shape-ops.js';
import { CONCAT, PAD, SLICE } from './movement.js';
import { GATHER, INDEX_ADD, INDEX_SELECT, ONE_HOT, SCATTER_ADD } from './indexing.js';
import { SPLINE_BASIS } from './spline.js';
import { RBF_BASIS, RBF_BASIS_BACKWARD } from './rbf.js';
import { LAYER_NORM_BACKWARD, LAYER_NORM_FORWARD } from './layer-norm.js';
import { LINEAR } from './linear.js';
import { GRU_CELL, GRU_CELL_BACKWARD, LSTM_CELL, LSTM_CELL_BACKWARD } from './recurrent-cell.js';
import { GELU_BACKWARD, GELU_FORWARD } from './gelu.js';
import { COS_SIN } from './cos-sin.js';
import { LOG_SOFTMAX } from './log-softmax.js';
import { SCALED_DOT_PRODUCT_ATTENTION } from './attention.js';
import { SAMPLED_MATMUL, SPARSE_LINEAR } from './sparse.js';

export const PRIMITIVES: { readonly [P in PrimitiveName]: Primitive<never> } = {
  neg: NEG, exp: EXP, log: LOG, log1p: LOG1P, sqrt: SQRT, abs: ABS, sin: SIN, cos: COS, tanh: TANH,
  sign: SIGN, erf: ERF, cast: CAST as Primitive<never>, clamp: CLAMP as Primitive<never>,
  add: ADD, sub: SUB, mul: MUL, div: DIV, pow: POW, maximum: MAXIMUM, minimum: MINIMUM,
  eq: EQ, ne: NE, lt: LT, le: LE, gt: GT, ge: GE, where: WHERE,
  sum: SUM as Primitive<never>, max: MAX as Primitive<never>, min: MIN as Primitive<never>,
  argmax: ARGMAX as Primitive<never>, argmin: ARGMIN as Primitive<never>,
  matmul: MATMUL as Primitive<never>,
  reshape: RESHAPE as Primitive<never>, permute: PERMUTE as Primitive<never>, expand: EXPAND as Primitive<never>,
  slice: SLICE as Primitive<never>, pad: PAD as Primitive<never>, concat: CONCAT as Primitive<never>,
  gather: GATHER as Primitive<never>, scatterAdd: SCATTER_ADD as Primitive<never>,
  indexSelect: INDEX_SELECT as Primitive<never>, indexAdd: INDEX_ADD as Primitive<never>,
  oneHot: ONE_HOT as Primitive<never>,
  splineBasis: SPLINE_BASIS as Primitive<never>,
  rbfBasis: RBF_BASIS as Primitive<never>,
  rbfBasisBackward: RBF_BASIS_BACKWARD as Primitive<never>,
  layerNormForward: LAYER_NORM_FORWARD as Primitive<never>, layerNormBackward: LAYER_NORM_BACKWARD as Primitive<never>,
  geluForward: GELU_FORWARD as Primitive<never>, geluBackward: GELU_BACKWARD as Primitive<never>,
  cosSin: COS_SIN as Primitive<never>,
  linear: LINEAR as Primitive<never>, logSoftmax: LOG_SOFTMAX as Primitive<never>,
  lstmCell: LSTM_CELL as Primitive<never>, lstmCellBackward: LSTM_CELL_BACKWARD as Primitive<never>,
  gruCell: GRU_CELL as Primitive<never>, gruCellBackward: GRU_CELL_BACKWARD as Primitive<never>,
  scaledDotProductAttention: SCALED_DOT_PRODUCT_ATTENTION as Primitive<never>,
  sparseLinear: SPARSE_LINEAR as Primitive<never>, sampledMatmul: SAMPLED_MATMUL as Primitive<never>,
};

export * from './unary.js';
export * from './binary.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './shape-ops.js';
export * from './movement.js';
export * from './indexing.js';
export * from './spline.js';
export * from './rbf.js';
export * from './linear.js';
export * from './log-softmax.js';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './attention-api.js';
export * from './sparse.js';

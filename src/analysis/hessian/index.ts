/**
 * @file Loss curvature: Hessian-vector products, the top Hessian eigenvalue (power iteration) and
 * the Hessian trace (Hutchinson), over a loss of a parameter list (`lossFunction` makes one for a model).
 */
export {
  hvp, hessianEigenvalue, hessianTrace, lossFunction,
  type LossOfParams, type HessianEigenOptions, type HessianEigen, type HessianTraceOptions, type LossFunctionOptions,
} from './hessian.js';

/**
 * @file Kolmogorov-Arnold networks (`nn.KAN`, `nn.KANLinear`) and their activation spaces.
 * Importing registers KANLinear and KAN with `fromConfig` (bases: `basisFromConfig`).
 */
export {
  BASIS_NAMES, BasisModule, BSplineBasis, GaussianRBFBasis, ChebyshevBasis, FourierBasis, makeBasis, basisFromConfig, extendKnots,
  type Basis, type BasisName, type BasisOptions, type KnotRefinement, type WithSizeOptions,
} from './basis.js';
export {
  KANLinear, KAN_BASE_ACTIVATIONS, edgeRegularization,
  type KANLinearOptions, type KANBaseActivation, type KANInit, type UpdateGridOptions, type RegularizationOptions, type RegMetric,
} from './kan-linear.js';
export { KAN, type KANOptions } from './kan.js';
export { NonFiniteInputError, OutOfGridError } from './errors.js';
export { lstsq, type LstsqOptions } from './lstsq.js';

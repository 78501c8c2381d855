/**
 * @file Kolmogorov-Arnold networks (`nn.KAN`, `nn.KANLinear`) and their activation spaces.
 * Importing registers KANLinear, KAN, SKANLinear, SKAN and SymbolicKAN with `fromConfig` (bases: `basisFromConfig`).
 */
export {
  BASIS_NAMES, BASIS_DEFAULT_SIZES, BasisModule, BSplineBasis, GaussianRBFBasis, ChebyshevBasis, FourierBasis, makeBasis, basisFromConfig, extendKnots,
  type Basis, type BasisName, type BasisOptions, type KnotRefinement, type WithSizeOptions,
} from './basis.js';
export {
  KANLinear, KAN_BASE_ACTIVATIONS, edgeRegularization,
  type KANLinearOptions, type KANBaseActivation, type KANInit, type UpdateGridOptions, type RegularizationOptions, type RegMetric,
} from './kan-linear.js';
export { KAN, type KANOptions } from './kan.js';
export { NonFiniteInputError, OutOfGridError } from './errors.js';
export { lstsq, type LstsqOptions } from './lstsq.js';
export {
  SKAN, SKANLinear, SKANGroup, SELECT_CRITERIA,
  type SKANOptions, type SKANLinearOptions, type SelectOptions, type SelectCriterion,
} from './s-kan.js';
export { pruneKAN, edgeScores, edgeMagnitudes, type PruneOptions, type PruneResult } from './prune.js';
export {
  SYMBOLIC_LIBRARY, DEFAULT_SYMBOLIC_LIB, fitSymbolic, suggestSymbolic, symbolicFunction,
  type SymbolicFunction, type SymbolicFit, type FitSymbolicOptions, type SuggestOptions,
} from './symbolic-lib.js';
export { SymbolicKAN, SymbolicKANLayer, type AutoSymbolicOptions, type EdgeReport } from './symbolic.js';
export { plotKAN, plotKANPng, kanScene, type PlotKANOptions } from './plot.js';

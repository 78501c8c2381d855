/**
 * @file The `nn.encoding` namespace: input encodings and decoders for coordinate networks (images,
 * signals, fields as functions of their coordinates): Fourier features in their four kinds,
 * coarse-to-fine frequency schedules, Gaussian RBF layers and networks, feature grids and GNF.
 */
export { FourierFeatures, FOURIER_KINDS, type FourierKind, type FourierFeaturesOptions } from './fourier.js';
export { coarseToFine, RAMP_KINDS, type CoarseToFineOptions, type FrequencyScheduleFn } from './schedule.js';
export { GaussianRBF, RBFNetwork, type GaussianRBFOptions } from './rbf.js';
export { FeatureGrid, type FeatureGridOptions } from './grid.js';
export { GaussianNeuralField, type GaussianNeuralFieldOptions } from './gnf.js';
export { ProgressiveImplicitNetwork, type ProgressiveImplicitNetworkOptions, type MultiScaleLossOptions } from './progressive.js';

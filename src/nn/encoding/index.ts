/**
 * @file The `nn.encoding` namespace: input encodings and decoders for coordinate networks (images,
 * signals, fields as functions of their coordinates).
 */
export { GaussianRBF, RBFNetwork, type GaussianRBFOptions } from './rbf.js';
export { FeatureGrid, type FeatureGridOptions } from './grid.js';
export { GaussianNeuralField, type GaussianNeuralFieldOptions } from './gnf.js';

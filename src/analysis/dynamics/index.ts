/**
 * @file Training dynamics and representation geometry: layer rotation (callback and function),
 * local rank of feature manifolds, activation sparsity, neural collapse NC1-NC4, linear mode connectivity.
 */
export { LayerRotation, layerRotation, cosineDistance, type LayerRotationOptions } from './rotation.js';
export { localRank, type LocalRankOptions, type LayerLocalRank } from './local-rank.js';
export {
  activationSparsity, neuralCollapse,
  type SparsityOptions, type LayerSparsity, type NeuralCollapse, type NeuralCollapseOptions,
} from './features.js';
export { linearPath, type LinearPathOptions, type LinearPath } from './connectivity.js';

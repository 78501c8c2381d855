/**
 * @file The `analysis` namespace: read-only tools over trained models (the layer above train):
 * the symmetric eigensolver `eigh` and the float64 SVD; the interaction matrices of bilinear layers
 * with their eigendecomposition and eigenvector images (Pearce et al. 2024); activations by forward
 * hooks and representation similarity (CKA, CCA/SVCCA/PWCCA, RSA, unit matching: similarity/);
 * weight spectra (ESD, power-law alpha, Marchenko–Pastur: spectra/); plots of them (plots.ts); the
 * empirical and analytic NTK and kernel tools (ntk/), loss curvature (hessian/), and training dynamics:
 * layer rotation, local rank, sparsity, neural collapse, mode connectivity (dynamics/).
 */
export { eigh, type Eigh } from './linalg.js';
export { interactionMatrices, interactionEigen, topEigenImages, type InteractionOptions, type EigenImageOptions } from './bilinear.js';
export { imageGridPng, type ImageGridOptions } from './images.js';
export { svd, svdvals, type Svd } from './svd.js';
export { activations, layerCKA, defaultLayers, UnknownLayerError, type ActivationOptions, type LayerCKAOptions, type LayerCKA } from './activations.js';
export * from './similarity/index.js';
export { weightSpectrum, weightSpectra, esd, fitPowerLaw, marchenkoPastur, mpKSDistance, type WeightSpectrum, type WeightSpectraOptions, type PowerLawFit, type MarchenkoPastur } from './spectra/index.js';
export type { Scene } from '../viz/scene.js';
export { linePlot, heatmap, esdPlot, plotGrid, renderSvg, renderPng, type LineSeries, type LinePlotOptions, type HeatmapOptions } from './plots.js';
export * from './ntk/index.js';
export * from './hessian/index.js';
export * from './dynamics/index.js';

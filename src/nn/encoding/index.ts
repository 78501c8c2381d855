/**
 * @file The `nn.encoding` namespace: input encodings for coordinate networks (images, signals,
 * fields as functions of their coordinates): Fourier features in their four kinds, coarse-to-fine
 * frequency schedules, and the progressive multi-scale network of PINs.
 */
export { FourierFeatures, FOURIER_KINDS, type FourierKind, type FourierFeaturesOptions } from './fourier.js';
export { coarseToFine, RAMP_KINDS, type CoarseToFineOptions, type FrequencyScheduleFn } from './schedule.js';

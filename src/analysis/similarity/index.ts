/**
 * @file Representation similarity: CKA (linear, RBF, unbiased, minibatch), CCA / SVCCA / PWCCA,
 * RSA with RDMs, and unit correlation and matching (convergent learning). All take representations
 * [n samples, features] of the same samples (analysis.activations gives them) and are read-only.
 */
export { cka, ckaMatrix, MinibatchCKA, CKA_KERNELS, type CKAOptions, type CKAKernel } from './cka.js';
export { cca, svcca, pwcca, type SVCCAOptions, type CCASimilarity } from './cca.js';
export { rdm, rsa, RDM_METRICS, RSA_COMPARISONS, type RDMOptions, type RSAOptions, type RDMMetric } from './rsa.js';
export { unitCorrelation, matchUnits, linearSumAssignment, MATCH_METHODS, type MatchOptions, type UnitMatch, type AssignmentOptions } from './matching.js';

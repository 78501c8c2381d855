/** @file Sparse layers (SET, Mocanu et al. 2018, https://doi.org/10.1038/s41467-018-04316-3): SparseLinear and the SET-MLP. */
export { SparseLinear, erdosRenyiCount, sampleSorted, type SparseLinearOptions } from './sparse-linear.js';
export { SparseMLP, type SparseMLPOptions } from './sparse-mlp.js';

/**
 * @file Neural tangent kernels: the empirical NTK of any model (autograd and explicit MLP paths),
 * the NTK-parametrised MLP, the analytic infinite-width NNGP/NTK of ReLU and erf MLPs, and the kernel
 * tools (spectrum, kernel regression, linearised-training prediction).
 */
export { ntk, NTK_MODES, NTK_IMPLEMENTATIONS, type NTKMode, type NTKOptions } from './empirical.js';
export { NTKMLP, NTKLinear, NTK_ACTIVATIONS, type NTKActivation, type NTKMLPOptions } from './ntk-mlp.js';
export { analyticKernels, type AnalyticKernelOptions, type AnalyticKernels } from './analytic.js';
export {
  kernelSpectrum, kernelRegression, linearizedPrediction,
  type KernelRegressionOptions, type LinearizedOptions, type LinearizedPrediction,
} from './kernel.js';

/**
 * @file Training routines of the KAN toolkit: regression steps with any optimizer (L-BFGS
 * included) and S-KAN's three phases.
 */
export { trainSteps, type OptimizerFactory, type RegressionData, type TrainStepsOptions } from './steps.js';
export { trainSKAN, rmse, type TrainSKANOptions, type TrainSKANResult } from './skan.js';

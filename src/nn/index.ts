/**
 * @file The `nn` namespace: modules, parameters, layers, initialisers and the config registry.
 * Importing it registers every built-in layer with `fromConfig`.
 */
export { Parameter, Module, StateDictError, type LoadResult, type Member } from './module.js';
export { fromConfig, registerModule, registeredModules, ConfigReader, type ModuleConfig, type ModuleFactory, type JsonValue } from './config.js';
export { Linear, Embedding, Identity, Flatten, Dropout, type LinearOptions } from './linear.js';
export { LayerNorm, RMSNorm, BatchNorm1d, type LayerNormOptions, type BatchNormOptions } from './norm.js';
export {
  ReLU, LeakyReLU, PReLU, ELU, GELU, SiLU, Tanh, Sigmoid, Softplus,
  ACTIVATIONS, ACTIVATION_NAMES, activationFromName, type ActivationName,
} from './activation.js';
export { Sequential, ModuleList } from './container.js';
export { MLP, NORM_NAMES, type MLPOptions, type NormName } from './mlp.js';
export * as init from './init.js';
export * from './kan/index.js';

/**
 * @file The `nn` namespace: modules, parameters, layers, initialisers and the config registry.
 * Importing it registers every built-in layer with `fromConfig`.
 */
export { Parameter, Module, StateDictError, type LoadResult, type Member, type ForwardHook, type RemovableHandle } from './module.js';
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
export * from './mlp/index.js';
export * from './activations/index.js';
export * as encoding from './encoding/index.js';
export * from './recurrent/index.js';
export * from './linear-attention/index.js';
export * from './attention/index.js';
export * from './multistage/index.js';
export * from './sparse/index.js';
export * from './pointer/index.js';
export * from './noprop/index.js';
export { functionalCall, type FunctionalCallOptions } from './functional-call.js';

import { Module } from './module.js';
import { frameForwards, moduleClasses } from './frames.js';
import * as linear from './linear.js';
import * as norm from './norm.js';
import * as activation from './activation.js';
import * as container from './container.js';
import * as mlp from './mlp.js';
import * as kan from './kan/index.js';
import * as mlpFamily from './mlp/index.js';
import * as activations from './activations/index.js';
import * as encoding from './encoding/index.js';
import * as recurrent from './recurrent/index.js';
import * as linearAttention from './linear-attention/index.js';
import * as attention from './attention/index.js';
import * as multistage from './multistage/index.js';
import * as sparse from './sparse/index.js';
import * as pointer from './pointer/index.js';
import * as noprop from './noprop/index.js';

// Built-in forwards run as frames (nn/frames.ts): a plain loop leaves no intermediates behind.
frameForwards([linear, norm, activation, container, mlp, kan, mlpFamily, activations, encoding, recurrent].flatMap((ns) => moduleClasses(ns, Module)));
frameForwards(moduleClasses(linearAttention, Module));
frameForwards(moduleClasses(attention, Module));
frameForwards([multistage, sparse].flatMap((ns) => moduleClasses(ns, Module)));
frameForwards(moduleClasses(pointer, Module));
frameForwards(moduleClasses(noprop, Module));

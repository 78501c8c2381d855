/** @file Multi-stage networks (Wang & Lai 2023, https://arxiv.org/abs/2307.08934): the stage net and the sum of stages. */
export { ScaledMLP, STAGE_ACTIVATIONS, type StageActivation, type ScaledMLPOptions } from './scaled-mlp.js';
export { MultiStage, type MultiStageOptions } from './multi-stage.js';

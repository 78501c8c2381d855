/**
 * @file NoProp-DT's modules (Li, Teh & Pascanu 2025, https://arxiv.org/abs/2503.24322): the block,
 * the model with its inference chain, and the noise schedule. The training algorithm is train.NoProp.
 */
export { NoPropBlock, type NoPropBlockOptions } from './block.js';
export { NoPropModel, NOPROP_EMBEDDINGS, type NoPropEmbedding, type NoPropModelOptions } from './model.js';
export { noPropSchedule, noPropAlphaBar, NOPROP_SCHEDULES, type NoPropSchedule, type NoPropScheduleName } from './schedule.js';

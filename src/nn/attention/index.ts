/**
 * @file The attention family (issue #14, sequence models): MultiheadAttention (MHA / GQA / MQA,
 * PyTorch's layout), the KV cache of incremental decoding, the pre-norm TransformerBlock and a small
 * causal TransformerLM. The fused op itself is `scaledDotProductAttention` (src/ops). Every module
 * registers with fromConfig; src/nn/index.ts re-exports this and frames every module's forward.
 */
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './multihead.js';
export { KVCache, KVCacheOverflowError, type KVCacheOptions, type KVCacheView } from './kv-cache.js';
export {
  TransformerBlock, TRANSFORMER_ACTIVATIONS, TRANSFORMER_NORMS,
  type TransformerActivation, type TransformerNorm, type TransformerBlockOptions, type TransformerBlockForwardOptions,
} from './transformer.js';
export { TransformerLM, type TransformerLMOptions } from './lm.js';

/**
 * @file The linear-attention family (issue #14, sequence models): causal token mixers with a
 * fixed-size recurrent state, each in a recurrent and a chunkwise-parallel form (linear attention,
 * AFT, GLA, DeltaNet), the diagonal linear RNN with negative eigenvalues, Aaren (attention as an RNN)
 * and modern Hopfield layers. Input is (batch, seq, dim).
 */
export { MIXER_MODES, type MixerMode, type MixerModeOptions } from './common.js';
export { LinearAttention, FEATURE_MAPS, type FeatureMap, type LinearAttentionOptions } from './linear-attention.js';
export { AFTSimple, AFTFull, type AFTOptions } from './aft.js';
export { GatedLinearAttention, type GatedLinearAttentionOptions } from './gla.js';
export { DeltaNet, type DeltaNetOptions } from './deltanet.js';
export { DiagonalLinearRNN, DIAGONAL_RNN_MODES, type DiagonalRNNMode, type DiagonalLinearRNNOptions } from './diagonal-rnn.js';
export { Aaren, AAREN_MODES, type AarenMode, type AarenOptions } from './aaren.js';
export { Hopfield, HopfieldPooling, type HopfieldOptions, type HopfieldPoolingOptions } from './hopfield.js';

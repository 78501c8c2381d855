/** @file Pointer networks (Vinyals et al. 2015): nn.PointerNetwork with teacher forcing, greedy and beam decoding. */
export { PointerNetwork, type PointerNetworkOptions, type PointerForwardOptions } from './network.js';
export type { PointerDecodeOptions, PointerDecodeResult } from './decode.js';

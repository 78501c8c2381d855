/**
 * @file The MLP family beyond the plain nn.MLP (issue #12): each file one method, with its paper
 * in its header. This namespace's module forwards run as frames (nn/index.ts).
 */
export { HyperNetwork, HYPER_ENCODINGS, type HyperEncoding, type HyperNetworkOptions } from './hyper.js';
export { Matryoshka, SortedNet, type MatryoshkaOptions, type SortedNetOptions } from './nested.js';

/** @file Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, variable lengths), their cells, and truncated-BPTT helpers. */
export { RNN, LSTM, GRU, type RNNOptions } from './modules.js';
export { RNNBase, type RNNBaseOptions, type RNNForwardOptions } from './base.js';
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type RNNCellCtorOptions } from './cells.js';
export { detachState, timeChunks, type RecurrentState } from './tbptt.js';

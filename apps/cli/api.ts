/**
 * @file The one place the CLI takes the library from. Everything comes through the public entry
 * (src/index.ts) except the train layer, which that entry does not export yet: when src/index.ts
 * exports `train`, the line below becomes `px.train` and nothing else in apps/cli changes.
 */
import * as px from '../../src/index.js';

export { px };
export { fit, evaluate, predict, type EpochLogs, type Callback, type History } from '../../src/train/index.js';
export const { saveModel, loadModel, readModelInfo, saveCheckpoint } = px.io;
export type { ModelInfo, LoadedModel } from '../../src/io/index.js';

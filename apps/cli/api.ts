/**
 * @file The one place the CLI takes the library from: the Node entry (src/node.ts, `plexus/node`),
 * which is the public entry plus files on disk. The CLI's only other library import is the strict
 * JSON parser, from the documented internal entry (src/internal.ts) in json-file.ts.
 */
import * as px from '../../src/node.js';

export { px };
export { fit, evaluate, predict, type History } from '../../src/node.js';
export type EpochLogs = px.train.EpochLogs;
export type Callback = px.train.Callback;
export const { saveModel, loadModel, readModelInfo, saveCheckpoint } = px.io;
export type ModelInfo = px.io.ModelInfo;
export type LoadedModel = px.io.LoadedModel;

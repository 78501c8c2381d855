/**
 * @file The Node entry, `plexus/node`: everything of `plexus` (src/index.ts) plus what needs the
 * file system, so a Node program switches by changing one import. Its `io`, `data`, `train` and
 * `nn` namespaces are supersets of the portable ones: `io.saveModel(model, path)` /
 * `io.loadModel(path)`, atomic writes and checkpoint directories; `data.readCsv(path)`,
 * `data.readIdx(path)`, `data.fashionMnist()`, the shipped `data.digits()` / `data.iris()`;
 * `train.JsonlLogger(path)`, `train.ModelCheckpoint` writing files, `fit(..., { log: path })`;
 * `nn.plotKAN(..., { path })`. The browser entry never imports this file (test/browser-bundle.test.ts).
 */
export * from './index.js';
export * as io from './node/io.js';
export * as data from './node/data.js';
export * as train from './node/train.js';
export * as nn from './node/nn.js';
export { fit } from './train/file-callbacks.js';

/**
 * @file plexus/node's `train`: everything of the portable `train`, with the callbacks that write
 * files (JsonlLogger to a path, ModelCheckpoint through io's atomic writers by default).
 */
export * from '../train/index.js';
export { JsonlLogger, ModelCheckpoint } from '../train/file-callbacks.js';
export { fit } from '../train/file-callbacks.js';

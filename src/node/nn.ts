/**
 * @file plexus/node's `nn`: everything of the portable `nn`, with plotKAN / plotKANPng writing
 * files when given `path`.
 */
export * from '../nn/index.js';
export { plotKAN, plotKANPng } from '../nn/kan/plot-file.js';

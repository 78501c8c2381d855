/**
 * @file The `plexus/onnx` entry: ONNX export (io/onnx) for browsers and bundlers, kept out of the main
 * `plexus` entry so a page that does not export models does not load the exporter and its protobuf
 * writer (~25 KiB gzipped). In Node the same functions are also in plexus/node's `io`.
 * @example import { exportOnnx } from 'plexus/onnx'; const bytes = exportOnnx(model, { inputShape: [null, 784] });
 */
export * from './io/onnx/index.js';

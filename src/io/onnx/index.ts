/**
 * @file The ONNX exporter's public surface: `plexus/onnx` in the browser (a separate entry, so the
 * main bundle does not carry the exporter and its protobuf writer), and part of `io` in plexus/node.
 */
export { type ExportOnnxOptions, ONNX_OPSETS, exportOnnx } from './export.js';
export { type Lowering as OnnxLowering, OnnxExportError, registerOnnxLowering, onnxExportableTypes } from './lowerings.js';

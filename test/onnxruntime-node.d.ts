/**
 * @file Types for onnxruntime-node 1.16 (dev dependency of the ONNX export tests), whose package
 * names a declaration file it does not ship; its API is onnxruntime-common's. It is CommonJS, so
 * ESM sees it as the default export.
 */
declare module 'onnxruntime-node' {
  import type * as common from 'onnxruntime-common';
  const ort: typeof common;
  export default ort;
}

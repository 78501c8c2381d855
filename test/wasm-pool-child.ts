/**
 * @file Child process of wasm-pool.test.ts: uses a 2-thread pool, leaves a hung worker behind
 * (terminated after the timeout) and ends without any cleanup. The process must exit on its own:
 * workers are unref'd and a terminated one does not keep it alive.
 */
import * as px from '../src/index.js';
import { setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { configurePool, injectWorkerFault, waitForWorkers } from '../src/backends/wasm/pool/testing.js';

px.setBackend('wasm');
setNumThreads(2);
const a = px.randn([256, 256]);
const b = px.randn([256, 256]);
const be = a._storage.backend as WasmBackend;
px.matmul(a, b);
waitForWorkers(be);
configurePool({ mainClaims: false, timeoutMs: 300 });
injectWorkerFault(be, 'hang');
try {
  px.matmul(a, b);
} catch (e) {
  console.log(`caught ${(e as Error).name}`);
}
waitForWorkers(be);
px.matmul(a, b);
console.log('done');

/**
 * @file TensorFlow.js as the benchmarks load it (bench/child.ts, bench/latency-child.ts): tfjs-core
 * with one backend and its gradients, and the dense MLP built from tfjs-core ops (only tfjs-core
 * and its backends are installed, not tfjs-layers).
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

export type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * Resolves tfjs-core's extensionless ESM imports ('./engine', './gradients'), which Node's ESM loader
 * refuses, by trying `.js` and then `/index.js`.
 */
const RESOLVE_HOOK = `export async function resolve(s, c, next) {
  try { return await next(s, c); } catch (e) {
    if (!/^\\.\\.?\\//.test(s) || s.endsWith('.js')) throw e;
    try { return await next(s + '.js', c); } catch { return next(s + '/index.js', c); }
  }
}`;

/**
 * TensorFlow.js from tfjs-core plus one backend. The Node bundle of tfjs-core registers no gradients
 * (the @tensorflow/tfjs union package imports them); its ESM `register_all_gradients` adds them to
 * the registry the bundle shares through a global, which is what training needs.
 */
export async function loadTf(backend: 'wasm' | 'cpu'): Promise<Tf> {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core') as Tf;
  require(backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu');
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
  await import(pathToFileURL(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js')).href);
  return tf;
}

/** Glorot-uniform weights and zero biases: tfjs-layers' Dense defaults (only tfjs-core is installed). */
export function tfDense(tf: Tf, sizes: number[]): import('@tensorflow/tfjs-core').Variable[] {
  const vars: import('@tensorflow/tfjs-core').Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const lim = Math.sqrt(6 / (sizes[i]! + sizes[i + 1]!));
    vars.push(tf.variable(tf.randomUniform([sizes[i]!, sizes[i + 1]!], -lim, lim, 'float32', 1 + i)), tf.variable(tf.zeros([sizes[i + 1]!])));
  }
  return vars;
}

export function tfForward(tf: Tf, vars: import('@tensorflow/tfjs-core').Variable[], x: import('@tensorflow/tfjs-core').Tensor, act: 'relu' | 'tanh'): import('@tensorflow/tfjs-core').Tensor {
  let h = x;
  for (let i = 0; i < vars.length; i += 2) {
    h = tf.add(tf.matMul(h, vars[i]!), vars[i + 1]!);
    if (i + 2 < vars.length) h = act === 'relu' ? tf.relu(h) : tf.tanh(h);
  }
  return h;
}

/**
 * @file The public entry in a browser (issue 10 item 5): `import 'plexus'` bundled by esbuild for
 * the browser platform must contain no Node built-in anywhere in its module graph (esbuild refuses
 * to resolve one for that platform; the error names the importing module), and neither must the
 * wasm pool's worker, which browsers load as a module Web Worker. The bundle then runs in a fresh
 * node:vm context holding only what a browser has (no process, require, Buffer or module), which
 * takes the browser-only paths: tensors, a matmul on the wasm backend, a model saved to bytes and
 * loaded back (pure-JS SHA-256, no node:crypto). The minified size is printed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { type BuildFailure, type BuildOptions, build } from 'esbuild';

const entry = fileURLToPath(new URL('../src/index.js', import.meta.url));
const worker = fileURLToPath(new URL('../src/backends/wasm/pool/worker.js', import.meta.url));

/** Bare names of Node's built-in modules, as a bundler meets them without the node: prefix. */
const NODE_BUILTINS = ['assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'querystring', 'readline', 'stream', 'string_decoder', 'timers', 'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];

/** Bundles `file` for browsers; on failure, an assertion listing each unresolved import and its importer. */
async function bundle(file: string, extra: BuildOptions = {}): Promise<{ code: string; inputs: Record<string, { imports: { path: string; external?: boolean }[] }> }> {
  try {
    const r = await build({ entryPoints: [file], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, minify: true, logLevel: 'silent', ...extra });
    return { code: r.outputFiles![0]!.text, inputs: r.metafile!.inputs };
  } catch (e) {
    const errors = (e as BuildFailure).errors ?? [];
    if (errors.length === 0) throw e;
    assert.fail(`esbuild (platform browser) refused the module graph of ${file}:\n` +
      errors.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n'));
  }
}

/** Every import in the graph that is a Node built-in, as "importer -> specifier". */
function nodeImports(inputs: Record<string, { imports: { path: string; external?: boolean }[] }>): string[] {
  const bad: string[] = [];
  for (const [file, { imports }] of Object.entries(inputs)) {
    for (const i of imports) {
      if (i.path.startsWith('node:') || NODE_BUILTINS.includes(i.path) || i.external) bad.push(`${file} -> ${i.path}`);
    }
  }
  return bad;
}

describe('browser bundle of the public entry', () => {
  it('has no Node built-in in its module graph (nor in the pool worker), and prints its size', async (t) => {
    const main = await bundle(entry);
    assert.deepEqual(nodeImports(main.inputs), [], 'Node built-ins imported by the public entry graph');
    // Ids handed to process.getBuiltinModule stay as strings; an import or require of one may not.
    assert.doesNotMatch(main.code, /(?:import\(|require\(|from)\s*["'`]node:/, 'a node: import left in the bundle text');
    assert.ok(!Object.keys(main.inputs).some((f) => /src\/node(\.js|\/)/.test(f)), 'the browser graph reaches src/node');
    const w = await bundle(worker);
    assert.deepEqual(nodeImports(w.inputs), [], 'Node built-ins imported by the pool worker');
    const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    const gz = (await import('node:zlib')).gzipSync(main.code).length;
    t.diagnostic(`browser bundle of plexus (minified): ${kb(main.code.length)} (${kb(gz)} gzipped), ${Object.keys(main.inputs).length} modules; worker ${kb(w.code.length)}`);
    console.log(`browser bundle of plexus (minified): ${kb(main.code.length)} (${kb(gz)} gzipped); worker ${kb(w.code.length)}`);
  });

  it('plexus/onnx (the exporter, a separate entry) is browser-safe too, and the main entry does not carry it', async (t) => {
    const onnx = await bundle(fileURLToPath(new URL('../src/onnx.js', import.meta.url)));
    assert.deepEqual(nodeImports(onnx.inputs), [], 'Node built-ins imported by plexus/onnx');
    const main = await bundle(entry);
    assert.ok(!Object.keys(main.inputs).some((f) => /io\/onnx\/|protobufjs/.test(f)), 'the main entry reaches the ONNX exporter');
    t.diagnostic(`plexus/onnx bundle (minified, with the library parts it uses): ${(onnx.code.length / 1024).toFixed(1)} KiB`);
  });

  it('runs in a context with only browser globals: tensors, a wasm matmul, a model to bytes and back', async () => {
    const { code } = await bundle(entry, { format: 'iife', globalName: 'plexus' });
    const sandbox: Record<string, unknown> = {
      WebAssembly, TextEncoder, TextDecoder, atob, btoa, URL, console, performance, queueMicrotask, setTimeout, clearTimeout,
      structuredClone, navigator: { hardwareConcurrency: 1 }, crossOriginIsolated: false,
    };
    sandbox.globalThis = sandbox;
    sandbox.self = sandbox;
    const ctx = vm.createContext(sandbox);
    vm.runInContext(code, ctx, { filename: 'plexus.browser.js' });
    const script = `(async () => {
      const px = globalThis.plexus;
      const hostGlobals = [typeof process, typeof require, typeof Buffer, typeof module];
      px.setBackend('wasm');
      const a = px.tensor([[1, 2, 3], [4, 5, 6]]);
      const b = px.tensor([[1, 0], [0, 1], [2, -1]]);
      const c = a.matmul(b);
      const model = new px.nn.MLP([3, 4, 2]);
      const bytes = px.io.saveModel(model, { metadata: { note: 'browser' } });
      const loaded = await px.io.loadModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const same = Array.from(loaded.model.forward(a.mul(0.1)).values).join() === Array.from(model.forward(a.mul(0.1)).values).join();
      let pathError = '';
      try { await px.io.loadModel('model.safetensors'); } catch (e) { pathError = (e instanceof px.ValueError ? 'ValueError' : String(e?.name)) + ': ' + e.message; }
      return JSON.stringify({ hostGlobals, backend: px.getBackend(), shape: c.shape, values: Array.from(c.values), same, metadata: loaded.metadata, size: bytes.length, pathError });
    })()`;
    const out = JSON.parse(await (vm.runInContext(script, ctx) as Promise<string>)) as {
      hostGlobals: string[]; backend: string; shape: number[]; values: number[]; same: boolean; metadata: unknown; size: number; pathError: string;
    };
    assert.deepEqual(out.hostGlobals, ['undefined', 'undefined', 'undefined', 'undefined']);
    assert.equal(out.backend, 'wasm');
    assert.deepEqual(out.shape, [2, 2]);
    assert.deepEqual(out.values, [7, -1, 16, -1]);
    assert.equal(out.same, true);
    assert.deepEqual(out.metadata, { note: 'browser' });
    assert.ok(out.size > 0);
    assert.match(out.pathError, /^ValueError: loadModel: expected a Uint8Array.*plexus\/node/);
  });
});

/**
 * @file The playground's training worker (a module Web Worker). It owns the data, the model and the
 * optimizer, trains in chunks of ~40 ms and posts progress after each (losses, accuracy, the model
 * on a grid, a KAN's edge functions, the thread pool's counters), so the page never freezes and
 * messages (pause, grid extension, pruning, save) are handled between chunks. On a cross-origin
 * isolated page the wasm backend's pool starts its own workers from here (pool/worker.js is built
 * as `worker.js` next to this bundle, where `new URL('./worker.js', import.meta.url)` points).
 * Being a worker also lets the pool block in Atomics.wait, which a page's main thread may not.
 */
import * as px from '../../../src/index.js';
import * as internal from '../../../src/internal.js';
import { type CsvData, type Dataset, buildDataset, parseUpload } from './datasets.js';
import { ALGORITHM_FACTORIES, buildModel, kanEdges } from './models.js';
import type { DataInfo, EdgeLayer, FromWorker, ModelInfo, PoolInfo, Progress, ToWorker } from './protocol.js';
import type { Settings } from './settings.js';

const scope = globalThis as unknown as { postMessage(m: FromWorker): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null; location: { search: string } };
const post = (m: FromWorker): void => scope.postMessage(m);

const CHUNK_MS = 40;
const GRID_RES = 64;
const MAX_EDGE_SAMPLES = 64;
/** KANs with more edges than this get no edge plots (they would be unreadable). */
const MAX_PLOTTED_EDGES = 600;

interface Run {
  settings: Settings;
  data: Dataset;
  model: px.Module;
  algo: px.train.TrainingAlgorithm;
  state: unknown;
  optimizer: px.optim.Optimizer<px.optim.BaseHyper>;
  step: number;
  epoch: number;
  order: number[];
  cursor: number;
  gen: px.Generator;
  /** A loaded CLI model's input standardisation (model input = (x - mean) / std), else null. */
  standardizer: { mean: number[]; std: number[] } | null;
}

let run: Run | null = null;
let csv: CsvData | null = null;
let running = false;
let timer: ReturnType<typeof setTimeout> | null = null;

const threads = Number(new URLSearchParams(scope.location.search).get('threads') ?? 0);
if (Number.isInteger(threads) && threads >= 1 && threads <= 32) px.setNumThreads(threads);

function fail(where: string, e: unknown): void {
  post({ type: 'error', where, message: e instanceof Error ? e.message : String(e) });
}

function lossName(d: Dataset): 'crossEntropy' | 'mse' {
  return d.task === 'classification' ? 'crossEntropy' : 'mse';
}

function modelInfo(model: px.Module): ModelInfo {
  const isKan = model instanceof px.nn.KAN;
  const widths = isKan ? [...model.widths] : null;
  const cfg = model.getConfig() as { type: string; sizes?: number[]; widths?: number[] };
  const sizes = cfg.sizes ?? cfg.widths;
  return {
    summary: `${cfg.type}${sizes ? ` ${sizes.join('-')}` : ''}`,
    parameters: model.numParameters(), isKan, widths, edges: kanEdges(model),
  };
}

function makeOptimizer(s: Settings, model: px.Module): px.optim.Optimizer<px.optim.BaseHyper> {
  const entry = px.optim.optimizerEntry(s.optimizer);
  if (!entry) throw new px.ValueError(`optimizer: unknown ${JSON.stringify(s.optimizer)}`);
  return new entry.ctor(model.parameters(), { lr: s.lr });
}

/** (Re)starts the algorithm on `run.model` with a fresh optimizer (after setup, grid extension, pruning, load). */
function attach(r: Omit<Run, 'algo' | 'state' | 'optimizer'> & Partial<Run>): Run {
  const optimizer = makeOptimizer(r.settings, r.model);
  const algo = ALGORITHM_FACTORIES[r.settings.algorithm]();
  const loss = lossName(r.data);
  const state = algo.init(r.model, {
    optimizer, loss: px.train.resolveLoss(loss), metrics: px.train.defaultMetrics(loss, undefined), schedulerInterval: 'epoch',
  });
  return { ...r, optimizer, algo, state } as Run;
}

function setup(s: Settings): void {
  stop();
  const data = buildDataset(s, s.dataset === 'csv' ? csv : null);
  px.manualSeed(s.seed);
  const model = buildModel(s, data.inFeatures, data.outFeatures, data.bounds);
  run = attach({ settings: s, data, model, step: 0, epoch: 0, order: [], cursor: 0, gen: new px.Generator(s.seed), standardizer: null });
  const info: DataInfo = {
    task: data.task, classes: data.classes, features: data.features, bounds: data.bounds,
    points: Float32Array.from(data.xTrain._peek()), labels: Float32Array.from(data.yTrain._peek()),
    trainSize: data.xTrain.shape[0]!, testSize: data.xTest.shape[0]!,
  };
  post({ type: 'ready', data: info, model: modelInfo(model) });
  report();
}

/** What the model is fed for raw inputs x [n, f]: x itself, or x standardised as the CLI trained it. */
function prep(r: Run, x: px.Tensor): px.Tensor {
  const st = r.standardizer;
  if (!st) return x;
  return x.sub(px.tensor(st.mean, { dtype: x.dtype })).div(px.tensor(st.std, { dtype: x.dtype }));
}

/** The CLI's standardizer in a loaded file's metadata (`cli.standardizer`), when it has `features` columns. */
function standardizerOf(metadata: Record<string, unknown>, features: number): Run['standardizer'] {
  const cli = metadata.cli as { standardizer?: { mean?: unknown; std?: unknown } } | undefined;
  const { mean, std } = cli?.standardizer ?? {};
  const ok = (v: unknown, pos: boolean): v is number[] => Array.isArray(v) && v.length === features && v.every((a) => typeof a === 'number' && Number.isFinite(a) && (!pos || a > 0));
  return ok(mean, false) && ok(std, true) ? { mean, std } : null;
}

/** The next minibatch's row indices (a fresh seeded shuffle each epoch). */
function nextBatch(r: Run): number[] {
  const n = r.data.xTrain.shape[0]!;
  const bs = Math.min(r.settings.batchSize, n);
  if (r.cursor + bs > r.order.length) {
    r.order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r.gen.nextFloat() * (i + 1));
      [r.order[i], r.order[j]] = [r.order[j]!, r.order[i]!];
    }
    r.cursor = 0;
    r.epoch++;
  }
  const idx = r.order.slice(r.cursor, r.cursor + bs);
  r.cursor += bs;
  return idx;
}

function trainChunk(): void {
  timer = null;
  const r = run;
  if (!r || !running) return;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < CHUNK_MS) {
      const idx = nextBatch(r);
      const m = px.scope(() => r.algo.step(r.model, [prep(r, r.data.xTrain.indexSelect(0, idx)), r.data.yTrain.indexSelect(0, idx)], r.state));
      if (m.nonFinite) throw new Error(`the loss or a gradient became non-finite at step ${r.step + 1} (the update was skipped); lower the learning rate`);
      r.step++;
    }
  } catch (e) {
    running = false;
    fail('train', e);
  }
  report();
  if (running) timer = setTimeout(trainChunk, 0);
}

function stop(): void {
  running = false;
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

/** Mean loss and accuracy of the model on (x, y). */
function score(r: Run, x: px.Tensor, y: px.Tensor): { loss: number; acc: number | null } {
  return px.noGrad(() => px.scope(() => {
    const out = r.model.forward(prep(r, x));
    if (r.data.task === 'classification') {
      const loss = px.crossEntropy(out, y).item();
      const acc = out.argmax(1).eq(y).cast('float32').mean().item();
      return { loss, acc };
    }
    return { loss: px.mse(out, y).item(), acc: null };
  }));
}

function gridOf(r: Run): Progress['grid'] {
  const b = r.data.bounds;
  if (b.length !== 2) return null;
  const pts = new Float32Array(GRID_RES * GRID_RES * 2);
  for (let i = 0; i < GRID_RES; i++) {
    for (let j = 0; j < GRID_RES; j++) {
      const k = (i * GRID_RES + j) * 2;
      pts[k] = b[0]![0] + ((j + 0.5) / GRID_RES) * (b[0]![1] - b[0]![0]);
      pts[k + 1] = b[1]![1] - ((i + 0.5) / GRID_RES) * (b[1]![1] - b[1]![0]); // row 0 at the top
    }
  }
  return px.noGrad(() => px.scope(() => {
    const out = r.model.forward(prep(r, px.tensor(pts).reshape([GRID_RES * GRID_RES, 2])));
    if (r.data.task === 'classification') {
      const p = px.softmax(out, 1);
      return { res: GRID_RES, cls: Float32Array.from(p.argmax(1)._peek()), conf: Float32Array.from(p.max(1)._peek()) };
    }
    return { res: GRID_RES, cls: Float32Array.from(out._peek()), conf: new Float32Array(0) };
  }));
}

function curveOf(r: Run): Progress['curve'] {
  const b = r.data.bounds;
  if (b.length !== 1) return null;
  const xs = Float32Array.from({ length: 200 }, (_, i) => b[0]![0] + (i / 199) * (b[0]![1] - b[0]![0]));
  const ys = px.noGrad(() => px.scope(() => Float32Array.from(r.model.forward(prep(r, px.tensor(xs).reshape([200, 1])))._peek())));
  return { xs, ys };
}

function edgesOf(r: Run): EdgeLayer[] | null {
  const m = r.model;
  if (!(m instanceof px.nn.KAN) || kanEdges(m) > MAX_PLOTTED_EDGES) return null;
  const n = Math.min(MAX_EDGE_SAMPLES, r.data.xTrain.shape[0]!);
  return px.noGrad(() => px.scope(() => {
    const { edges, inputs } = m.forwardWithEdges(prep(r, r.data.xTrain.indexSelect(0, Array.from({ length: n }, (_, i) => i))));
    return edges.map((e, l) => ({
      n, in: m.widths[l]!, out: m.widths[l + 1]!, inputs: Float32Array.from(inputs[l]!._peek()), edges: Float32Array.from(e._peek()),
    }));
  }));
}

function poolInfo(): PoolInfo {
  const backend = px.getBackend();
  const info: PoolInfo = { crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, threads: 1, workers: 0, workerChunks: 0, backend };
  if (backend !== 'wasm') return info;
  const pool = internal.currentPool();
  if (pool) {
    info.workers = pool.readyWorkers();
    info.threads = 1 + info.workers;
    info.workerChunks = pool.stats.workerChunks;
  }
  return info;
}

function report(): void {
  const r = run;
  if (!r) return;
  try {
    const tr = score(r, r.data.xTrain, r.data.yTrain);
    const te = score(r, r.data.xTest, r.data.yTest);
    const progress: Progress = {
      step: r.step, epoch: r.epoch, trainLoss: tr.loss, testLoss: te.loss, trainAccuracy: tr.acc, testAccuracy: te.acc,
      grid: gridOf(r), curve: curveOf(r), kan: edgesOf(r), pool: poolInfo(), running,
    };
    post({ type: 'progress', progress });
  } catch (e) {
    running = false;
    fail('evaluate', e);
  }
}

/** KAN grid extension (pykan's refine): G -> 2G (at most 100), fitted to the current function on the training inputs. */
function extendGrid(): void {
  const r = run;
  if (!r || !(r.model instanceof px.nn.KAN)) throw new px.ValueError('grid extension needs a KAN model');
  const size = r.model.layer(0).basis.size;
  if (size >= 100) throw new px.ValueError(`grid extension: the grid is already ${size}, the playground's maximum of 100`);
  const g = Math.min(100, 2 * size);
  r.model.extendGrid(g, prep(r, r.data.xTrain));
  run = attach(r);
  post({ type: 'model', model: modelInfo(r.model), note: `grid extended to ${g}` });
}

function prune(): void {
  const r = run;
  if (!r || !(r.model instanceof px.nn.KAN)) throw new px.ValueError('pruning needs a KAN model');
  const res = px.nn.pruneKAN(r.model, prep(r, r.data.xTrain));
  run = attach({ ...r, model: res.model });
  post({ type: 'model', model: modelInfo(res.model), note: `pruned ${res.removedNodes} nodes and ${res.removedEdges} edges` });
}

function save(): void {
  const r = run;
  if (!r) throw new px.ValueError('nothing to save yet');
  const d = r.data;
  const f = d.features.length;
  // The CLI's metadata layout (apps/cli/model-meta.ts), so `plexus eval --data csv:<file>` and
  // `plexus predict` can read raw columns by name (standardised as a loaded CLI model was, else as is).
  const cli = {
    version: 1, task: d.task, classes: d.classes, features: d.features, target: d.target,
    standardizer: r.standardizer ?? { mean: Array<number>(f).fill(0), std: Array<number>(f).fill(1) },
    data: { name: 'csv', seed: r.settings.seed, testFraction: 0.25 }, loss: lossName(d),
  };
  const bytes = px.io.saveModel(r.model, { metadata: { cli, playground: { ...r.settings }, steps: r.step } });
  // The saved tensors as the page sees them (small models), so a test can compare a reload exactly.
  const weights = r.model.namedParameters().map(([k, p]): [string, Float32Array] => [k, Float32Array.from(p._peek())]);
  post({ type: 'saved', bytes, name: `plexus-${r.settings.model}-${r.settings.dataset}.safetensors`, weights });
}

async function load(name: string, bytes: Uint8Array): Promise<void> {
  let loaded: px.io.LoadedModel;
  try {
    loaded = await px.io.loadModel(bytes, { source: name });
  } catch (e) {
    throw new px.ValueError(`${e instanceof Error ? e.message : String(e)}`);
  }
  const { model, metadata } = loaded;
  const info = modelInfo(model);
  const r = run;
  let shown = false;
  if (r) {
    // Shown on the current data when its input and output sizes fit; otherwise only described.
    try {
      const st = standardizerOf(metadata, r.data.inFeatures);
      const out = px.noGrad(() => model.forward(prep({ ...r, standardizer: st }, r.data.xTest.indexSelect(0, [0]))));
      shown = out.shape.length === 2 && out.shape[1] === r.data.outFeatures;
    } catch {
      shown = false;
    }
    if (shown) {
      stop();
      run = attach({ ...r, model, step: 0, standardizer: standardizerOf(metadata, r.data.inFeatures) });
    }
  }
  post({ type: 'loaded', name, model: info, metadata: JSON.stringify(metadata).slice(0, 2000), shown });
  if (shown) report();
}

scope.onmessage = (e: MessageEvent<ToWorker>): void => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'setup': setup(m.settings); break;
      case 'upload': {
        const parsed = parseUpload(m.name, m.text, m.bytes);
        csv = parsed;
        post({ type: 'uploaded', name: m.name, rows: parsed.x.shape[0]!, features: parsed.features, classes: parsed.classes });
        break;
      }
      case 'train':
        if (run && !running) {
          running = true;
          trainChunk();
        }
        break;
      case 'pause': stop(); report(); break;
      case 'extendGrid': extendGrid(); report(); break;
      case 'prune': prune(); report(); break;
      case 'save': save(); break;
      case 'load': load(m.name, m.bytes).catch((err: unknown) => fail('load', err)); break;
    }
  } catch (err) {
    fail(m.type, err);
  }
};

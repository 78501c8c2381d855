/**
 * @file The playground page: builds the settings form from settings.RULES, keeps the setup in the
 * URL hash (shareable), and drives the training worker: train / pause, KAN grid extension and
 * pruning, CSV upload, model download (safetensors bytes from io.saveModel) and load. It draws
 * what the worker reports and publishes the latest state as `window.playground` and as data
 * attributes of #status, which the browser tests wait on.
 */
import { CSV_MAX_BYTES, CSV_MAX_ROWS } from './datasets.js';
import { drawEdges, drawLoss, drawModel, type LossPoint } from './plots.js';
import type { DataInfo, FromWorker, ModelInfo, Progress, ToWorker } from './protocol.js';
import { DEFAULTS, FUNCTION_DATASETS, RULES, type Settings, modelKeys, parseValue, settingsFromHash, settingsToHash } from './settings.js';

/** Loss points kept for the curve. */
const MAX_LOSS_POINTS = 2000;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** What the page shows, also read by the browser tests. */
interface PageState {
  settings: Settings;
  data: DataInfo | null;
  model: ModelInfo | null;
  progress: Progress | null;
  losses: LossPoint[];
  errors: string[];
  saves: number;
  /** The parameters of the last downloaded model, by name. */
  saved: [string, Float32Array][] | null;
  loaded: { name: string; shown: boolean } | null;
}

/** The last settings the worker built a run from: restored when a new setup is refused. */
let lastGood: Settings | null = null;

const state: PageState = { settings: { ...DEFAULTS }, data: null, model: null, progress: null, losses: [], errors: [], saves: 0, saved: null, loaded: null };
(globalThis as unknown as { playground: PageState }).playground = state;

const worker = new Worker(new URL(`./train-worker.js${location.search}`, import.meta.url), { type: 'module' });
const send = (m: ToWorker): void => worker.postMessage(m);

/** Model presets applied when the model select changes (a KAN wants few, narrow layers). */
const PRESETS: Record<Settings['model'], Partial<Settings>> = {
  mlp: { width: 32, depth: 2, lr: 0.01 },
  kan: { width: 4, depth: 1, grid: 5, lr: 0.02 },
  fastkan: { width: 4, depth: 1, grid: 8, lr: 0.02 },
  siren: { width: 64, depth: 2, lr: 0.001, w0: 30 },
  fourier: { width: 64, depth: 1, lr: 0.005, activation: 'relu' },
};

const LABELS: Partial<Record<keyof Settings, string>> = { batchSize: 'batch size', lr: 'learning rate', w0: 'ω0 (SIREN)', features: 'Fourier features', scale: 'Fourier scale' };

function showError(where: string, message: string): void {
  const text = `${where}: ${message}`;
  state.errors.push(text);
  const box = $('errors');
  const p = document.createElement('p');
  p.textContent = text;
  box.prepend(p);
  while (box.children.length > 4) box.lastElementChild!.remove();
  box.hidden = false;
  $('status').dataset.errors = String(state.errors.length);
}

function buildForm(): void {
  const form = $('settings');
  for (const key of Object.keys(RULES) as (keyof Settings)[]) {
    const r = RULES[key];
    const label = document.createElement('label');
    label.dataset.key = key;
    label.append(`${LABELS[key] ?? key} `);
    let input: HTMLInputElement | HTMLSelectElement;
    if (r.kind === 'enum') {
      input = document.createElement('select');
      for (const v of r.values) input.append(new Option(v, v));
    } else {
      input = document.createElement('input');
      input.type = 'number';
      input.step = r.kind === 'int' ? '1' : 'any';
      input.min = String(r.min);
      input.max = String(r.max);
    }
    input.id = `s-${key}`;
    input.addEventListener('change', () => onChange(key, input.value));
    label.append(input);
    form.append(label);
  }
}

function fillForm(): void {
  for (const key of Object.keys(RULES) as (keyof Settings)[]) ($(`s-${key}`) as HTMLInputElement).value = String(state.settings[key]);
  const shown = new Set<string>(['dataset', 'noise', 'seed', 'model', 'optimizer', 'lr', 'batchSize', 'algorithm', ...modelKeys(state.settings.model)]);
  for (const label of Array.from($('settings').querySelectorAll<HTMLLabelElement>('label[data-key]'))) label.hidden = !shown.has(label.dataset.key!);
  const kan = state.settings.model === 'kan' || state.settings.model === 'fastkan';
  ($('extend') as HTMLButtonElement).disabled = state.settings.model !== 'kan';
  ($('prune') as HTMLButtonElement).disabled = !kan;
}

function onChange(key: keyof Settings, raw: string): void {
  const r = parseValue(key, raw);
  if ('error' in r) {
    showError('settings', r.error);
    fillForm();
    return;
  }
  const next = { ...state.settings, [key]: r.value } as Settings;
  if (key === 'model') Object.assign(next, PRESETS[next.model]);
  if (key === 'dataset' && FUNCTION_DATASETS.includes(String(r.value)) && next.noise === DEFAULTS.noise) next.noise = 0;
  apply(next);
}

function apply(next: Settings): void {
  state.settings = next;
  history.replaceState(null, '', `${location.pathname}${location.search}${settingsToHash(next)}`);
  fillForm();
  restart();
}

function restart(): void {
  state.progress = null;
  state.losses = [];
  setRunning(false);
  send({ type: 'setup', settings: state.settings });
}

function setRunning(on: boolean): void {
  $('train').textContent = on ? 'Pause' : 'Train';
  $('status').dataset.running = String(on);
}

function render(): void {
  const p = state.progress;
  if (state.data) drawModel($('view') as HTMLCanvasElement, state.data, p);
  drawLoss($('loss') as HTMLCanvasElement, state.losses);
  const note = !state.model?.isKan ? 'Edge functions are drawn for KAN models.' : `This KAN has ${state.model.edges} edges: too many to draw (at most 600).`;
  if (p?.kan !== undefined) drawEdges($('edges'), p.kan, note);
  const st = $('status');
  if (p) {
    const acc = (a: number | null): string => (a === null ? '' : ` · acc ${(100 * a).toFixed(1)}%`);
    st.textContent = `step ${p.step} (epoch ${p.epoch}) · train loss ${p.trainLoss.toPrecision(3)}${acc(p.trainAccuracy)} · test loss ${p.testLoss.toPrecision(3)}${acc(p.testAccuracy)}`;
    st.dataset.step = String(p.step);
    st.dataset.testAccuracy = String(p.testAccuracy ?? '');
    const pool = p.pool;
    $('threads').textContent = `${pool.backend} backend · ${pool.threads} thread${pool.threads > 1 ? 's' : ''} (${pool.workers} pool worker${pool.workers === 1 ? '' : 's'}, ${pool.workerChunks} chunks run by them) · ${pool.crossOriginIsolated ? 'cross-origin isolated' : 'NOT cross-origin isolated: single-threaded'}`;
  }
  if (state.model) $('model-info').textContent = `${state.model.summary} · ${state.model.parameters} parameters`;
}

worker.onmessage = (e: MessageEvent<FromWorker>): void => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      lastGood = state.settings;
      state.data = m.data;
      state.model = m.model;
      $('data-info').textContent = `${m.data.trainSize} train / ${m.data.testSize} test · ${m.data.task}${m.data.classes ? ` (${m.data.classes.length} classes)` : ''}`;
      break;
    case 'progress': {
      const p = m.progress;
      state.progress = p;
      const last = state.losses[state.losses.length - 1];
      if (!last || last.step !== p.step) state.losses.push({ step: p.step, train: p.trainLoss, test: p.testLoss });
      // Long runs: keep every other point once there are many (the curve keeps its shape, memory stays bounded).
      if (state.losses.length > MAX_LOSS_POINTS) state.losses = state.losses.filter((_, i) => i % 2 === 0 || i === state.losses.length - 1);
      setRunning(p.running);
      break;
    }
    case 'model':
      state.model = m.model;
      $('note').textContent = m.note;
      break;
    case 'uploaded':
      $('note').textContent = `${m.name}: ${m.rows} rows, features ${m.features.join(', ')}${m.classes ? `, classes ${m.classes.join(', ')}` : ', regression'}`;
      apply({ ...state.settings, dataset: 'csv' });
      break;
    case 'saved': {
      const url = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = m.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      state.saves++;
      state.saved = m.weights;
      $('status').dataset.saves = String(state.saves);
      break;
    }
    case 'loaded':
      state.loaded = { name: m.name, shown: m.shown };
      if (m.shown) {
        state.model = m.model;
        state.losses = [];
      }
      $('note').textContent = `loaded ${m.name}: ${m.model.summary}, ${m.model.parameters} parameters${m.shown ? '' : ' (its inputs or outputs do not fit the current data, so it is described, not drawn)'}; metadata ${m.metadata}`;
      $('status').dataset.loaded = m.name;
      break;
    case 'error':
      showError(m.where, m.message);
      if (m.where === 'train' || m.where === 'evaluate') setRunning(false);
      if (m.where === 'setup' && lastGood) {
        // The worker kept its previous run: show the settings it belongs to.
        state.settings = lastGood;
        history.replaceState(null, '', `${location.pathname}${location.search}${settingsToHash(lastGood)}`);
        fillForm();
      }
      break;
  }
  requestRender();
};

let pending = false;
function requestRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

async function onCsv(file: File): Promise<void> {
  // Checked before reading, so a huge file is never loaded into the page.
  if (file.size > CSV_MAX_BYTES) {
    showError('upload', `${file.name}: ${file.size} bytes is over the upload limit of ${CSV_MAX_BYTES} bytes (1 MiB, at most ${CSV_MAX_ROWS} rows)`);
    return;
  }
  send({ type: 'upload', name: file.name, text: await file.text(), bytes: file.size });
}

async function onModelFile(file: File): Promise<void> {
  send({ type: 'load', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
}

function wire(): void {
  $('train').addEventListener('click', () => {
    const on = $('status').dataset.running === 'true';
    send({ type: on ? 'pause' : 'train' });
    setRunning(!on);
  });
  $('reset').addEventListener('click', restart);
  $('extend').addEventListener('click', () => send({ type: 'extendGrid' }));
  $('prune').addEventListener('click', () => send({ type: 'prune' }));
  $('save').addEventListener('click', () => send({ type: 'save' }));
  const csv = $('csv') as HTMLInputElement;
  csv.addEventListener('change', () => {
    if (csv.files?.[0]) void onCsv(csv.files[0]);
    csv.value = '';
  });
  const load = $('load') as HTMLInputElement;
  load.addEventListener('change', () => {
    if (load.files?.[0]) void onModelFile(load.files[0]);
    load.value = '';
  });
  window.addEventListener('hashchange', () => readHash());
  worker.onerror = (e) => showError('worker', e.message || 'the training worker failed to start');
}

function readHash(): void {
  const { settings, errors } = settingsFromHash(location.hash);
  for (const e of errors) showError('link', e);
  state.settings = settings;
  fillForm();
  restart();
}

buildForm();
wire();
readHash();

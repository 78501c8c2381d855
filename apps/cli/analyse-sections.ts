/**
 * @file The sections of `plexus analyse`'s report. Each section looks at the loaded model(s) and the
 * optional data and returns its part of report.json, lines for the terminal and plots (scenes the
 * command writes as <file>.svg and <file>.png into the run folder). A new analysis, such as an NTK
 * eigen-spectrum or layer-rotation curves, is one more entry of SECTIONS: for example
 *   { key: 'ntk', applies: (a) => a.x !== null, run: (a) => { const ev = ...;
 *       return { json: { eigenvalues: ev }, lines: [...], plots: [{ file: 'ntk', scene: px.analysis.linePlot({ ..., logY: true }) }] }; } }
 */
import { px } from './api.js';

type Tensor = InstanceType<typeof px.Tensor>;
type Module = InstanceType<typeof px.nn.Module>;

/** What the sections read: the model (and the --against one), and the prepared inputs if --data. */
export interface AnalyseInput {
  model: { file: string; module: Module };
  against: { file: string; module: Module } | null;
  /** Inputs prepared for each model (the same samples), or null without --data. */
  x: Tensor | null;
  xAgainst: Tensor | null;
  dataNote: string | null;
}

export interface SectionOutput {
  json: unknown;
  lines: string[];
  plots: { file: string; scene: px.analysis.Scene }[];
}

export interface Section {
  key: string;
  applies(input: AnalyseInput): boolean;
  run(input: AnalyseInput): SectionOutput;
}

const f = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function spectraOf(label: string, file: string, m: Module, plotFile: string): SectionOutput {
  const spectra = px.analysis.weightSpectra(m);
  const w = Math.max(6, ...spectra.map((s) => s.name.length));
  if (!spectra.length) return { json: [], lines: [`weight spectra of ${file}: no weight matrices (parameters named *.weight of rank >= 2)`], plots: [] };
  const lines = [
    `weight spectra of ${file} (ESD of W^T W; alpha: power-law tail fit, xmin by KS):`,
    `  ${'layer'.padEnd(w)}  ${'shape'.padEnd(10)}  alpha   xmin        tail  alpha_w  log10 lmax  stable rank  spikes > MP edge`,
    ...spectra.map((s) => `  ${s.name.padEnd(w)}  ${`[${s.shape.join(', ')}]`.padEnd(10)}  ${f(s.alpha, 3).padEnd(6)}  ${(s.fit ? s.fit.xmin.toPrecision(4) : '-').padEnd(10)}  ${String(s.fit?.n ?? '-').padEnd(4)}  ${f(s.alphaWeighted).padEnd(7)}  ${f(s.logSpectralNorm).padEnd(10)}  ${f(s.stableRank, 2).padEnd(11)}  ${s.numSpikes}`),
  ];
  const json = spectra.map(({ eigenvalues, fit, ...rest }) => ({ ...rest, xmin: fit?.xmin ?? null, ksDistance: fit?.D ?? null, tail: fit?.n ?? null, alphaSigma: fit?.sigma ?? null, eigenvalues }));
  const plots = spectra.length ? [{ file: plotFile, scene: px.analysis.plotGrid(spectra.map((s) => px.analysis.esdPlot(s, { title: `${label}: ${s.name} [${s.shape.join('x')}]` }))) }] : [];
  return { json, lines, plots };
}

const spectraSection: Section = {
  key: 'spectra',
  applies: () => true,
  run: (a) => {
    const main = spectraOf('model', a.model.file, a.model.module, 'esd');
    if (!a.against) return main;
    const other = spectraOf('against', a.against.file, a.against.module, 'esd-against');
    return { json: { model: main.json, against: other.json }, lines: [...main.lines, ...other.lines], plots: [...main.plots, ...other.plots] };
  },
};

/** Per-layer statistics of the model's activations on the data: spread and dead units. */
const activationSection: Section = {
  key: 'activations',
  applies: (a) => a.x !== null,
  run: (a) => {
    const layers = px.analysis.defaultLayers(a.model.module);
    const acts = px.analysis.activations(a.model.module, a.x!, layers);
    const rows = [...acts].map(([layer, t]) => {
      const [n, p] = t.shape as [number, number];
      const v = t._peek() as Float64Array;
      let sum = 0, sq = 0, zeros = 0;
      const alive = new Uint8Array(p);
      for (let i = 0; i < v.length; i++) { const x = v[i]!; sum += x; sq += x * x; if (x === 0) zeros++; else alive[i % p] = 1; }
      const mean = sum / v.length;
      return { layer, samples: n, features: p, mean, std: Math.sqrt(Math.max(0, sq / v.length - mean * mean)), fractionZero: zeros / v.length, deadUnits: p - alive.reduce((s, x) => s + x, 0) };
    });
    const w = Math.max(5, ...rows.map((r) => r.layer.length));
    const lines = [
      `activations on ${a.dataNote} (layer outputs):`,
      `  ${'layer'.padEnd(w)}  features  mean      std       zero    units constant 0`,
      ...rows.map((r) => `  ${r.layer.padEnd(w)}  ${String(r.features).padEnd(8)}  ${f(r.mean, 4).padEnd(8)}  ${f(r.std, 4).padEnd(8)}  ${(100 * r.fractionZero).toFixed(1).padStart(5)}%  ${r.deadUnits}`),
    ];
    return { json: rows, lines, plots: [] };
  },
};

/** Linear CKA between every layer of the model and every layer of --against, on the same samples. */
const ckaSection: Section = {
  key: 'cka',
  applies: (a) => a.x !== null && a.against !== null,
  run: (a) => {
    const rows = px.analysis.defaultLayers(a.model.module);
    const cols = px.analysis.defaultLayers(a.against!.module);
    const xa = px.analysis.activations(a.model.module, a.x!, rows);
    const xb = px.analysis.activations(a.against!.module, a.xAgainst!, cols);
    const matrix = px.analysis.ckaMatrix([...xa.values()], [...xb.values()]);
    const sameNames = rows.length === cols.length && rows.every((r, i) => r === cols[i]);
    const w = Math.max(6, ...rows.map((r) => r.length));
    const lines = [
      `linear CKA (Kornblith et al. 2019), rows: ${a.model.file}, columns: ${a.against!.file}${sameNames ? '' : ' (the layers differ: every pair is shown, none is paired by name)'}:`,
      `  ${''.padEnd(w)}  ${cols.map((c) => c.padStart(8)).join(' ')}`,
      ...rows.map((r, i) => `  ${r.padEnd(w)}  ${matrix[i]!.map((v) => f(v).padStart(8)).join(' ')}`),
    ];
    const scene = px.analysis.heatmap({ title: 'linear CKA between layers', rowLabels: rows, colLabels: cols, values: matrix, min: 0, max: 1, rowTitle: 'model', colTitle: 'against' });
    return { json: { kernel: 'linear', rows, cols, matrix, pairedByName: sameNames }, lines, plots: [{ file: 'cka', scene }] };
  },
};

/** In report order. */
export const SECTIONS: Section[] = [spectraSection, activationSection, ckaSection];

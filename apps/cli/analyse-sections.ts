/**
 * @file The sections of `plexus analyse`'s report. Each section looks at the loaded model(s) and the
 * optional data and returns its part of report.json, lines for the terminal and plots (scenes the
 * command writes as <file>.svg and <file>.png into the run folder). A new analysis is one more entry
 * of SECTIONS (see ntkSection: applies with --data, returns the eigenvalues, a summary line and a
 * log-log plot).
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

/** At most this many samples go into the NTK (its cost grows with N^2 and its eigensolve with N^3). */
const NTK_SAMPLES = 256;

/** The empirical NTK's eigen-spectrum on the data (trace over outputs): the kernel the model trains by, to first order. */
const ntkSection: Section = {
  key: 'ntk',
  applies: (a) => a.x !== null,
  run: (a) => {
    const n = Math.min(NTK_SAMPLES, a.x!.shape[0]!);
    const x = n === a.x!.shape[0] ? a.x! : px.sliceAxis(a.x!, 0, 0, n);
    const ev = Array.from(px.analysis.kernelSpectrum(px.analysis.ntk(a.model.module, x, null, { mode: 'trace' }))._peek() as Float64Array).sort((p, q) => q - p);
    const total = ev.reduce((s, v) => s + Math.max(v, 0), 0);
    // Effective rank: exp of the entropy of the normalised eigenvalues (Roy & Vetterli).
    const ent = ev.reduce((s, v) => (v > 0 ? s - (v / total) * Math.log(v / total) : s), 0);
    const positive = ev.filter((v) => v > 0);
    const json = { samples: n, eigenvalues: ev, trace: total, effectiveRank: Math.exp(ent), condition: positive.length ? positive[0]! / positive.at(-1)! : null };
    const lines = [
      `empirical NTK (trace over outputs) on ${n === a.x!.shape[0] ? a.dataNote : `the first ${n} of ${a.dataNote}`}: largest eigenvalues ${ev.slice(0, 5).map((v) => v.toPrecision(4)).join(', ')}; ` +
      `trace ${total.toPrecision(4)}, effective rank ${Math.exp(ent).toFixed(1)} of ${n}, condition number ${json.condition === null ? '-' : json.condition.toPrecision(3)}`,
    ];
    const series = [{ name: 'eigenvalue', x: positive.map((_, i) => i + 1), y: positive }];
    const scene = px.analysis.linePlot({ title: `NTK eigen-spectrum (${n} samples)`, xLabel: 'index', yLabel: 'eigenvalue', series, logX: true, logY: true });
    return { json, lines, plots: [{ file: 'ntk', scene }] };
  },
};

/**
 * With --against of the same architecture: the cosine distance of each layer's weights between the two
 * files. When --against is the initialisation of the model (e.g. a checkpoint saved before training),
 * this is the layer rotation of Carbonnelle & De Vleeschouwer (arXiv 1806.01603).
 */
const rotationSection: Section = {
  key: 'rotation',
  applies: (a) => a.against !== null,
  run: (a) => {
    const mine = a.model.module.stateDict();
    const other = a.against!.module.stateDict();
    const names = [...mine.keys()].filter((k) => mine.get(k)!.rank >= 2);
    const same = names.length > 0 && names.every((k) => other.get(k)?.size === mine.get(k)!.size);
    if (!same) return { json: null, lines: [`layer rotation: skipped (${a.against!.file} does not have the same weight matrices as ${a.model.file})`], plots: [] };
    const dist = px.analysis.layerRotation(a.model.module, other);
    const w = Math.max(5, ...names.map((k) => k.length));
    const lines = [
      `layer rotation (cosine distance of each weight matrix, ${a.model.file} vs ${a.against!.file}; the paper's measure when the latter is the initialisation):`,
      ...Object.entries(dist).map(([k, v]) => `  ${k.padEnd(w)}  ${f(v, 4)}`),
    ];
    return { json: dist, lines, plots: [] };
  },
};

/** In report order. */
export const SECTIONS: Section[] = [spectraSection, activationSection, ckaSection, ntkSection, rotationSection];

/**
 * @file The playground's settings: one flat object (dataset, model, optimizer, algorithm) that the
 * page edits, the training worker builds from, and the URL hash stores so a setup can be shared
 * (`#dataset=spiral&model=kan&grid=5...`). Parsing is strict: an unknown key or a bad value in a
 * shared link is reported (and the default kept for that key) instead of silently changing the
 * setup. Pure data, no DOM: tested in Node (test/playground-settings.test.ts).
 */
import { nn, optim } from '../../../src/index.js';

export const DATASETS = ['spiral', 'circles', 'moons', 'xor', 'gaussians', 'sine', 'step', 'csv'] as const;
/** 1-D function datasets (regression, heatmap replaced by a line plot). */
export const FUNCTION_DATASETS: readonly string[] = ['sine', 'step'];
export const MODELS = ['mlp', 'kan', 'fastkan', 'siren', 'fourier'] as const;
export const NORMS = ['none', ...nn.NORM_NAMES] as const;
export const BASES = nn.BASIS_NAMES;
export const ACTIVATIONS = nn.ACTIVATION_NAMES;
export const OPTIMIZERS = optim.OPTIMIZERS.map((o) => o.name);
/**
 * Training algorithms the page offers. Each is a `TrainingAlgorithm` of the library (train/);
 * adding one is an entry here and one in worker-algorithms.ts.
 */
export const ALGORITHMS = ['backprop'] as const;

export interface Settings {
  dataset: (typeof DATASETS)[number];
  noise: number;
  seed: number;
  model: (typeof MODELS)[number];
  width: number;
  depth: number;
  activation: string;
  norm: string;
  grid: number;
  basis: string;
  features: number;
  scale: number;
  w0: number;
  optimizer: string;
  lr: number;
  batchSize: number;
  algorithm: (typeof ALGORITHMS)[number];
}

export const DEFAULTS: Readonly<Settings> = {
  dataset: 'spiral', noise: 0.2, seed: 0,
  model: 'mlp', width: 32, depth: 2, activation: 'tanh', norm: 'none',
  grid: 5, basis: 'bspline', features: 16, scale: 3, w0: 30,
  optimizer: 'adam', lr: 0.01, batchSize: 64, algorithm: 'backprop',
};

type Rule = { kind: 'enum'; values: readonly string[] } | { kind: 'int'; min: number; max: number } | { kind: 'num'; min: number; max: number; open?: boolean };

/** What each key accepts (the page's inputs use the same bounds). */
export const RULES: Readonly<Record<keyof Settings, Rule>> = {
  dataset: { kind: 'enum', values: DATASETS },
  noise: { kind: 'num', min: 0, max: 2 },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  model: { kind: 'enum', values: MODELS },
  width: { kind: 'int', min: 1, max: 512 },
  depth: { kind: 'int', min: 1, max: 8 },
  activation: { kind: 'enum', values: ACTIVATIONS },
  norm: { kind: 'enum', values: NORMS },
  grid: { kind: 'int', min: 1, max: 100 },
  basis: { kind: 'enum', values: BASES },
  features: { kind: 'int', min: 1, max: 256 },
  scale: { kind: 'num', min: 0, max: 1000, open: true },
  w0: { kind: 'num', min: 0, max: 1000, open: true },
  optimizer: { kind: 'enum', values: OPTIMIZERS },
  lr: { kind: 'num', min: 0, max: 10, open: true },
  batchSize: { kind: 'int', min: 1, max: 100_000 },
  algorithm: { kind: 'enum', values: ALGORITHMS },
};

const KEYS = Object.keys(DEFAULTS) as (keyof Settings)[];

/** The value `raw` means for `key`, or an error text naming the key and what it accepts. */
export function parseValue(key: keyof Settings, raw: string): { value: string | number } | { error: string } {
  const r = RULES[key];
  if (r.kind === 'enum') {
    return r.values.includes(raw) ? { value: raw } : { error: `${key}: must be one of ${r.values.join(', ')}, got ${JSON.stringify(raw)}` };
  }
  const v = raw.trim() === '' ? NaN : Number(raw);
  const okInt = r.kind !== 'int' || Number.isInteger(v);
  const low = r.kind === 'num' && r.open ? v > r.min : v >= r.min;
  if (!Number.isFinite(v) || !okInt || !low || v > r.max) {
    const range = r.kind === 'num' && r.open ? `(${r.min}, ${r.max}]` : `[${r.min}, ${r.max}]`;
    return { error: `${key}: must be ${r.kind === 'int' ? 'an integer' : 'a number'} in ${range}, got ${JSON.stringify(raw)}` };
  }
  return { value: v };
}

/**
 * Settings from a URL hash or query (`#a=1&b=2` or `?a=1`): defaults for keys not given; every
 * unknown key and bad value is listed in `errors` (its default is kept).
 */
export function settingsFromHash(hash: string): { settings: Settings; errors: string[] } {
  const settings: Settings = { ...DEFAULTS };
  const errors: string[] = [];
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  for (const [k, raw] of params) {
    if (!(KEYS as string[]).includes(k)) {
      errors.push(`${k}: unknown setting (known: ${KEYS.join(', ')})`);
      continue;
    }
    const r = parseValue(k as keyof Settings, raw);
    if ('error' in r) errors.push(r.error);
    else (settings as unknown as Record<string, unknown>)[k] = r.value;
  }
  return { settings, errors };
}

/** The hash for `s`: only keys that differ from the defaults, so links stay short. */
export function settingsToHash(s: Settings): string {
  const p = new URLSearchParams();
  for (const k of KEYS) if (s[k] !== DEFAULTS[k]) p.set(k, String(s[k]));
  const q = p.toString();
  return q ? `#${q}` : '';
}

/** Which settings the chosen model reads (the page hides the others). */
export function modelKeys(model: Settings['model']): (keyof Settings)[] {
  switch (model) {
    case 'mlp': return ['width', 'depth', 'activation', 'norm'];
    case 'kan': return ['width', 'depth', 'grid', 'basis'];
    case 'fastkan': return ['width', 'depth', 'grid'];
    case 'siren': return ['width', 'depth', 'w0'];
    case 'fourier': return ['width', 'depth', 'activation', 'features', 'scale'];
  }
}

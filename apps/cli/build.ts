/**
 * @file Model and optimizer from a validated config. The order of random draws is part of the
 * contract that makes `plexus train` reproducible and equal to a direct `fit` call:
 *   manualSeed(seed) -> new nn.MLP(...) (its init draws) -> fit(..., { seed }) (the shuffle's own generator).
 */
import { px } from './api.js';
import type { TrainConfig } from './config-schema.js';

type Module = InstanceType<typeof px.nn.Module>;
type Optimizer = px.optim.Optimizer<px.optim.BaseHyper>;

/**
 * Seeds the global generator and builds [inputs, ...hidden, outputs]: an MLP, a KAN (basis, grid,
 * k) or a FastKAN (Gaussian RBF basis with LayerNorm, grid = centres).
 */
export function buildModel(cfg: TrainConfig, inputs: number, outputs: number): Module {
  px.manualSeed(cfg.seed);
  const m = cfg.model;
  const widths = [inputs, ...m.hidden, outputs];
  if (m.type === 'kan') return new px.nn.KAN(widths, { basis: (m.basis ?? 'bspline') as px.nn.BasisName, ...(m.grid === undefined ? {} : { grid: m.grid }), k: m.k ?? 3 });
  if (m.type === 'fastkan') return new px.nn.KAN(widths, { basis: 'rbf', grid: m.grid ?? 8 });
  return new px.nn.MLP(widths, {
    activation: m.activation as px.nn.ActivationName, dropout: m.dropout, norm: m.norm as px.nn.NormName | null, residual: m.residual,
  });
}

/** The optimizer the config names, with only the options it gave (the rest: the optimizer's defaults). */
export function buildOptimizer(cfg: TrainConfig, model: Module): Optimizer {
  const { name, ...given } = cfg.optimizer;
  const opts = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const Ctor = px.optim.optimizerEntry(name)!.ctor;
  return new Ctor(model.parameters(), opts); // the schema admits registered names only
}

/** "MLP 64-128-10 relu", "KAN 64-128-10 bspline grid 5 k 3", "FastKAN 64-128-10 rbf grid 8" */
export function describeModel(cfg: TrainConfig, inputs: number, outputs: number): string {
  const m = cfg.model;
  const sizes = [inputs, ...m.hidden, outputs].join('-');
  if (m.type === 'kan') {
    const basis = m.basis ?? 'bspline';
    return `KAN ${sizes} ${basis} grid ${m.grid ?? px.nn.BASIS_DEFAULT_SIZES[basis as px.nn.BasisName]}${basis === 'bspline' ? ` k ${m.k ?? 3}` : ''}`;
  }
  if (m.type === 'fastkan') return `FastKAN ${sizes} rbf grid ${m.grid ?? 8}`;
  const extras = [m.norm ? `${m.norm} norm` : '', m.dropout > 0 ? `dropout ${m.dropout}` : '', m.residual ? 'residual' : ''].filter(Boolean);
  return `MLP ${[inputs, ...m.hidden, outputs].join('-')} ${m.activation}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

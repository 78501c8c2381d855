/**
 * @file Typed errors of the training loop (docs/reliability.md "Numerics and training"). NaN must be caught where it is
 * born: the step that produced it is named, not the epoch that noticed it (brain.js reports a NaN
 * error rate only after a whole pass over the data).
 */
import { PlexusError } from '../core/errors.js';

/** Where a non-finite value was found when the guard tripped. */
export interface NonFiniteCulprit {
  /** 'parameter': the weights were already non-finite; 'gradient': backward produced it. */
  kind: 'parameter' | 'gradient';
  /** State-dict key of the tensor (`layers.0.weight`). */
  name: string;
  /** Flat index of its first non-finite element, and that element. */
  index: number;
  value: number;
}

/** Position of a step in a run; all 1-based so messages read like the progress bar. */
export interface StepPosition {
  /** Global step (batches seen since the run began, this one included). */
  step: number;
  epoch: number;
  /** Batch within the epoch. */
  batch: number;
}

/**
 * The loss (or, with a finite loss, a gradient) went NaN/±Infinity at `step`. The update of that
 * step was NOT applied, so the model holds the last good weights unless `culprit.kind` is
 * 'parameter' (an earlier update overflowed them).
 */
export class NonFiniteLossError extends PlexusError {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  /** The batch's loss (NaN, ±Infinity, or finite when only a gradient was non-finite). */
  readonly loss: number;
  /** Loss of the last step whose loss was finite, or null if there was none. */
  readonly lastFiniteLoss: number | null;
  /** The first non-finite parameter, else the first non-finite gradient, in namedParameters() order. */
  readonly culprit: NonFiniteCulprit | null;

  constructor(pos: StepPosition, loss: number, lastFiniteLoss: number | null, culprit: NonFiniteCulprit | null) {
    const what = Number.isFinite(loss) ? `a gradient went non-finite (loss ${loss})` : `the loss went ${loss}`;
    const last = lastFiniteLoss === null ? 'no finite loss before it' : `last finite loss ${lastFiniteLoss}`;
    const at = culprit === null
      ? 'every parameter and gradient is finite (the loss function itself overflowed)'
      : `first non-finite ${culprit.kind}: '${culprit.name}' (element ${culprit.index} = ${culprit.value})`;
    super('NON_FINITE_LOSS',
      `${what} at step ${pos.step} (epoch ${pos.epoch}, batch ${pos.batch}); ${last}; ${at}. ` +
      'The update of this step was not applied.');
    this.step = pos.step;
    this.epoch = pos.epoch;
    this.batch = pos.batch;
    this.loss = loss;
    this.lastFiniteLoss = lastFiniteLoss;
    this.culprit = culprit;
  }
}

/** A NaN/±Infinity in a training batch (found by `checkInputs`), named by batch and sample. */
export class NonFiniteInputError extends PlexusError {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  /** Row of the batch (0-based) holding the value. */
  readonly sample: number;
  /** Index of that sample in the dataset when the loader does not shuffle, else null. */
  readonly datasetIndex: number | null;
  /** 'x' (inputs) or 'y' (targets). */
  readonly tensor: 'x' | 'y';
  readonly value: number;

  constructor(pos: StepPosition, sample: number, datasetIndex: number | null, tensor: 'x' | 'y', value: number) {
    const ds = datasetIndex === null ? '' : ` (dataset index ${datasetIndex})`;
    super('NON_FINITE_INPUT',
      `non-finite ${tensor === 'x' ? 'input' : 'target'} ${value} in batch ${pos.batch} of epoch ${pos.epoch} (step ${pos.step}), ` +
      `sample ${sample} of the batch${ds}; clean the data or pass checkInputs: false to let it propagate`);
    this.step = pos.step;
    this.epoch = pos.epoch;
    this.batch = pos.batch;
    this.sample = sample;
    this.datasetIndex = datasetIndex;
    this.tensor = tensor;
    this.value = value;
  }
}

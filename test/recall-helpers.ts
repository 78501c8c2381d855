/**
 * @file Shared by the associative-recall checks: a one-layer sequence model (embedding + learned
 * positions, a token shift that puts x_{t-1} beside x_t as in H3 / RWKV's short convolutions, one
 * causal mixer with a residual, a linear head) and a training loop that reports recall accuracy at
 * the query position. The softmax-attention baseline is nn.MultiheadAttention (one head, causal).
 */
import * as px from '../src/index.js';
import { data, nn, optim } from '../src/index.js';

/** The softmax baseline: nn.MultiheadAttention (one head, batch first) as causal self-attention. */
export class CausalSoftmaxAttention extends nn.Module {
  readonly attn: nn.MultiheadAttention;
  constructor(readonly dim: number, generator: px.Generator) {
    super();
    this.attn = new nn.MultiheadAttention(dim, 1, { batchFirst: true, generator });
  }
  forward(x: px.Tensor): px.Tensor {
    return this.attn.forward(x, x, x, { isCausal: true, needWeights: false })[0];
  }
}

export type MixerFactory = (dim: number, maxLen: number, generator: px.Generator) => nn.Module;

/** The mixers compared on recall: the linear-attention family and the softmax baseline. */
export const MIXERS: [string, MixerFactory][] = [
  ['softmax attention', (d, _l, generator) => new CausalSoftmaxAttention(d, generator)],
  ['LinearAttention', (d, _l, generator) => new nn.LinearAttention(d, { generator })],
  ['AFTSimple', (d, _l, generator) => new nn.AFTSimple(d, { generator })],
  ['AFTFull', (d, l, generator) => new nn.AFTFull(d, l, { generator })],
  // chunkSize 4: GLA's pairwise intra-chunk decays cost ~C^2 per chunk; 4 is ~2.3x faster than 16 here, same function.
  ['GatedLinearAttention', (d, _l, generator) => new nn.GatedLinearAttention(d, { chunkSize: 4, generator })],
  ['DeltaNet', (d, _l, generator) => new nn.DeltaNet(d, { generator })],
];

class RecallNet extends nn.Module {
  readonly embed: nn.Embedding;
  readonly pos: nn.Embedding;
  readonly shift: nn.Linear;
  readonly head: nn.Linear;
  constructor(vocab: number, readonly maxLen: number, dim: number, readonly mixer: nn.Module, generator: px.Generator) {
    super();
    this.embed = new nn.Embedding(vocab, dim, { generator });
    this.pos = new nn.Embedding(maxLen, dim, { generator });
    this.shift = new nn.Linear(2 * dim, dim, { generator });
    this.head = new nn.Linear(dim, vocab, { generator });
  }
  forward(tokens: px.Tensor): px.Tensor {
    const l = tokens.shape[1]!;
    const e = px.add(this.embed.forward(tokens), this.pos.forward(px.arange(0, l, 1, { dtype: 'int32' })));
    const prev = px.pad(px.sliceAxis(e, 1, 0, l - 1), [[0, 0], [1, 0], [0, 0]]);
    const h = this.shift.forward(px.cat([e, prev], 2));
    return this.head.forward(px.add(h, this.mixer.forward(h)));
  }
}

export interface RecallResult { name: string; accuracy: number }

/** Trains one mixer on associative recall and returns the test accuracy at the query position. */
export function trainRecall(name: string, make: MixerFactory, opts: { steps: number; dim: number; numPairs: number; seed?: number }): RecallResult {
  const generator = new px.Generator(opts.seed ?? 0);
  const task = { numPairs: opts.numPairs, numKeys: 2 * opts.numPairs, numValues: 2 * opts.numPairs };
  const train = data.associativeRecall({ n: 8192, ...task, seed: 1 });
  const test = data.associativeRecall({ n: 1000, ...task, seed: 2 });
  const len = train.x.shape[1]!;
  const model = new RecallNet(train.vocabSize, len, opts.dim, make(opts.dim, len, generator), generator);
  const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const batch = 64;
  for (let step = 0; step < opts.steps; step++) {
    const idx = px.tensor(Array.from({ length: batch }, (_, i) => (step * batch + i) % 8192), { dtype: 'int32' });
    const logits = model.forward(px.indexSelect(train.x, 0, idx));
    opt.zeroGrad();
    px.crossEntropy(logits.reshape([-1, train.numClasses]), px.indexSelect(train.y, 0, idx).reshape([-1])).backward();
    opt.step();
  }
  return { name, accuracy: px.noGrad(() => data.tokenAccuracy(model.forward(test.x), test.y)) };
}

/**
 * @file Inference for nn.PointerNetwork: greedy decoding (batched; at each step the most likely
 * selectable position, ties to the lowest index) and beam search (per set, `beamWidth` partial
 * sequences ranked by their summed log-probability; finished ones compete with the extensions of
 * the unfinished ones, and the best finished one is returned). Neither records a graph.
 *
 * A row ends after lengths[b] steps (maxSteps if given) in open mode; in closed mode when it points
 * back at its first position, or after lengths[b] + 1 steps (maxSteps).
 */
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import { expand, indexSelect, sliceAxis } from '../../ops/primitives/index.js';
import type { PointerNetwork } from './network.js';
import { PointerMask } from './masks.js';

export interface PointerDecodeOptions {
  /** Set size of each batch row (int32 tensor [B] or integers in [1, N]); default: all N. */
  lengths?: Tensor | readonly number[];
  /** Partial sequences kept per set (default 1: greedy). */
  beamWidth?: number;
  /** Steps per row (default: the set's length, + 1 when closed). */
  maxSteps?: number;
}

export interface PointerDecodeResult {
  /** The pointed positions of each row (closed: ending with the first position again). */
  sequences: number[][];
  /** Summed log-probability of each sequence under the model. */
  logProbs: number[];
}

function stepLimit(net: PointerNetwork, length: number, maxSteps: number | undefined): number {
  return maxSteps ?? (net.closed ? length + 1 : length);
}

/** Whether pointing at k (the sequence's `count`-th entry, 1-based) ends the sequence. */
function ends(net: PointerNetwork, mask: PointerMask, row: number, k: number, count: number, limit: number): boolean {
  return (net.closed && count > 1 && k === mask.firstOf(row)) || count >= limit;
}

/** Greedy decoding of the whole batch at once. */
export function greedyDecode(net: PointerNetwork, input: Tensor, lengths: unknown, maxSteps: number | undefined): PointerDecodeResult {
  return frame(() => noGrad(() => {
    const enc = net.encode(input, lengths, 'decode');
    const { B, N } = enc;
    const mask = new PointerMask(enc.lengths, N, net.maskVisited, net.closed);
    const sequences = enc.lengths.map((): number[] => []);
    const logProbs = new Array<number>(B).fill(0);
    const done = new Array<boolean>(B).fill(false);
    let x = net.startInput(B);
    let state: [Tensor, Tensor] = [enc.h, enc.c];
    while (done.some((d) => !d)) {
      const [d, st] = net.decoder.forward(x, state);
      state = st;
      const off = new Array<number>(B * N);
      for (let b = 0; b < B; b++) mask.write(b, off, b * N);
      const lp = net.pointer(enc.e1, d, tensor(off, { dtype: enc.e1.dtype, shape: [B, 1, N] }))._peek();
      const idx: number[] = [];
      for (let b = 0; b < B; b++) {
        if (done[b]) { idx.push(0); continue; }
        let best = 0;
        for (let k = 1; k < N; k++) if (lp[b * N + k]! > lp[b * N + best]!) best = k;
        sequences[b]!.push(best);
        logProbs[b]! += lp[b * N + best]!;
        done[b] = ends(net, mask, b, best, sequences[b]!.length, stepLimit(net, enc.lengths[b]!, maxSteps));
        mask.point(b, best);
        idx.push(best);
      }
      x = net.pointed(enc.input, idx);
    }
    return { sequences, logProbs };
  }));
}

interface Beam { seq: number[]; logProb: number; done: boolean; mask: PointerMask }

/** Beam search, one set at a time (its beams are the batch rows of each step). */
export function beamDecode(net: PointerNetwork, input: Tensor, lengths: unknown, maxSteps: number | undefined, width: number): PointerDecodeResult {
  return frame(() => noGrad(() => {
    const all = net.encode(input, lengths, 'decode'); // checks the arguments; each set is re-encoded at its own length
    const sequences: number[][] = [];
    const logProbs: number[] = [];
    for (let b = 0; b < all.B; b++) {
      const n = all.lengths[b]!;
      const limit = stepLimit(net, n, maxSteps);
      const xb = sliceAxis(sliceAxis(all.input, 0, b, b + 1), 1, 0, n);
      const enc = net.encode(xb, undefined, 'decode');
      const H = net.hiddenSize;
      let beams: Beam[] = [{ seq: [], logProb: 0, done: false, mask: new PointerMask([n], n, net.maskVisited, net.closed) }];
      let state: [Tensor, Tensor] = [enc.h, enc.c];
      while (beams.some((bm) => !bm.done)) {
        const active = beams.filter((bm) => !bm.done);
        const A = active.length;
        const x = active[0]!.seq.length === 0 ? net.startInput(A) : net.pointed(expand(xb, [A, n, net.inputSize]), active.map((bm) => bm.seq[bm.seq.length - 1]!));
        const [d, st] = net.decoder.forward(x, state);
        const off = new Array<number>(A * n);
        active.forEach((bm, a) => bm.mask.write(0, off, a * n));
        const lp = net.pointer(expand(enc.e1, [A, n, H]), d, tensor(off, { dtype: enc.e1.dtype, shape: [A, 1, n] }))._peek();
        type Cand = { beam: Beam; parent: number; k: number; score: number };
        const cands: Cand[] = beams.filter((bm) => bm.done).map((bm) => ({ beam: bm, parent: -1, k: -1, score: bm.logProb }));
        active.forEach((bm, a) => {
          for (let k = 0; k < n; k++) if (off[a * n + k] === 0) cands.push({ beam: bm, parent: a, k, score: bm.logProb + lp[a * n + k]! });
        });
        cands.sort((p, q) => q.score - p.score);
        const next: Beam[] = [];
        const parents: number[] = [];
        for (const c of cands.slice(0, width)) {
          if (c.parent < 0) { next.push(c.beam); continue; }
          const mask = c.beam.mask.fork([0]);
          const seq = [...c.beam.seq, c.k];
          const done = ends(net, mask, 0, c.k, seq.length, limit);
          mask.point(0, c.k);
          next.push({ seq, logProb: c.score, done, mask });
          if (!done) parents.push(c.parent);
        }
        // The unfinished beams of `next` come in the order of `parents`: their states, gathered.
        beams = [...next.filter((bm) => bm.done), ...next.filter((bm) => !bm.done)];
        if (parents.length) state = [indexSelect(st[0], 1, parents), indexSelect(st[1], 1, parents)];
      }
      const best = beams.reduce((p, q) => (q.logProb > p.logProb ? q : p));
      sequences.push(best.seq);
      logProbs.push(best.logProb);
    }
    return { sequences, logProbs };
  }));
}

/**
 * @file Truncated backpropagation through time (Williams & Peng 1990,
 * https://doi.org/10.1162/neco.1990.2.4.490): a long sequence is cut into chunks of k steps; the
 * recurrent state is carried from one chunk to the next but detached, so each backward pass runs
 * through at most k steps and its graph (and memory) ends at the chunk boundary.
 *
 * Shape contract: timeChunks(input [T, ...] (or [B, T, ...] with batchFirst), k) -> ceil(T/k)
 * tensors of k steps (the last may be shorter); detachState(h | [h, c] | null) -> the same
 * structure, detached.
 * @example
 * let state = null;
 * for (const [x, y] of zip(nn.timeChunks(xs, 20), nn.timeChunks(ys, 20))) {
 *   const [out, s] = lstm.forward(x, state);
 *   const loss = F.mse(head.forward(out), y);
 *   opt.zeroGrad(); loss.backward(); opt.step();
 *   state = nn.detachState(s); // gradients stop here: the next chunk's backward ends at this step
 * }
 */
import { checkOptions } from '../../core/args.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { sliceAxis } from '../../ops/primitives/index.js';
import { checkBool, checkInt, show } from '../check.js';

export type RecurrentState = Tensor | readonly [Tensor, Tensor] | null;

/** The state with every tensor detached (a fresh leaf sharing storage): the truncation point. */
export function detachState<S extends RecurrentState>(state: S): S {
  if (state === null) return state;
  if (state instanceof Tensor) return state.detach() as S;
  if (Array.isArray(state) && state.length === 2 && state.every((t) => t instanceof Tensor)) return [state[0]!.detach(), state[1]!.detach()] as unknown as S;
  throw new ValueError(`detachState: state must be a Tensor, [h, c] or null, got ${show(state)}`);
}

/** The sequence cut along its time dim into chunks of `k` steps (the last one may be shorter). */
export function timeChunks(input: Tensor, k: number, opts: { batchFirst?: boolean } = {}): Tensor[] {
  checkOptions('timeChunks', opts, ['batchFirst']);
  if (!(input instanceof Tensor)) throw new ValueError(`timeChunks: input must be a Tensor, got ${show(input)}`);
  checkInt('timeChunks', 'k', k, 1);
  const dim = checkBool('timeChunks', 'batchFirst', opts.batchFirst ?? false) ? 1 : 0;
  if (input.rank <= dim) throw new ShapeError(`timeChunks: input ${fmtShape(input.shape)} has no time dim ${dim}`);
  const T = input.shape[dim]!;
  const out: Tensor[] = [];
  for (let s = 0; s < T; s += k) out.push(sliceAxis(input, dim, s, Math.min(T, s + k)));
  return out;
}

/**
 * @file Running a primitive: infer (throws before allocating), allocate on the current backend,
 * run the backend's kernel or the primitive's reference kernel, record the autograd node.
 */
import { currentBackend, type Backend } from './backend.js';
import { DisposedError, fmtShape } from './errors.js';
import { isGradEnabled } from './grad-mode.js';
import { allocStorage, ensureResident, evictStorage, runKernel, sweepIfDue } from './memory.js';
import type { Storage } from './backend.js';
import type { Kernel, Primitive } from './primitive.js';
import { numel } from './shape.js';
import { Node, Tensor } from './tensor.js';

export function apply<A>(prim: Primitive<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t._disposed) throw new DisposedError(`${prim.name}: input ${i} (tensor #${t.id} ${fmtShape(t.shape)}) was disposed`);
  }
  const meta = prim.infer(inputs, attrs);
  const backend = currentBackend();
  let ins = inputs;
  for (const t of inputs) {
    if (t._storage.backend !== backend) {
      ins = inputs.map((x) => toBackend(x, backend));
      break;
    }
  }
  // A swept-out input goes back into backend memory first (kernels are fastest on their own memory),
  // after the sweep that is due: run later by the output's allocation, it would sweep the inputs out
  // again and the kernel would read them from their host copies.
  sweepIfDue();
  let restored: Storage[] | null = null;
  for (const t of ins) {
    const s = t._storage;
    if (!s.tracked && ensureResident(s, prim.name)) (restored ??= []).push(s);
  }
  let out: Tensor;
  try {
    if (prim.view) {
      out = new Tensor(ins[0]!._storage, meta.shape, meta.dtype);
    } else {
      const storage = allocStorage(backend, meta.dtype, numel(meta.shape), meta.shape, prim.name);
      out = new Tensor(storage, meta.shape, meta.dtype);
      const kernel = (backend.kernels[prim.name] ?? prim.reference) as Kernel<A>;
      try {
        runKernel(kernel, out, ins, attrs);
      } catch (e) {
        out.dispose();
        if (restored) for (const r of restored) evictStorage(r); // a failed call leaves memory() as it was
        throw e;
      }
    }
  } finally {
    // Copies made for another backend are this call's own temporaries (a view keeps its storage).
    if (ins !== inputs) for (let i = 0; i < ins.length; i++) if (ins[i] !== inputs[i]) ins[i]!.dispose();
  }
  if (prim.vjp && isGradEnabled()) {
    for (const t of inputs) {
      if (t.requiresGrad) {
        out._node = new Node(prim as unknown as Primitive<never>, inputs, attrs, inputs.map((x) => x._storage.version));
        out.requiresGrad = true;
        // What the node saved stays alive while the node does (see releaseNode in autograd.ts).
        for (const x of inputs) x._savedBy++;
        out._savedBy++;
        break;
      }
    }
  }
  return out;
}

/** A copy of `t` on `backend` (values only; the graph link is kept by the caller's node). */
export function toBackend(t: Tensor, backend: Backend): Tensor {
  if (t._storage.backend === backend) return t;
  const s = allocStorage(backend, t.dtype, t.size, t.shape, 'toBackend');
  const out = new Tensor(s, t.shape, t.dtype);
  (out._peek() as { set(a: ArrayLike<number>): void }).set(t._peek());
  return out;
}

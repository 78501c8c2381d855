/**
 * @file Containers: ModuleList (an indexed list of submodules) and Sequential (a list whose forward
 * chains its members). Children are keyed by position, `0.weight`, `1.bias`, exactly as PyTorch's,
 * so a Sequential's state dict lines up with torch.nn.Sequential's.
 */
import { ValueError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { type Member, Module } from './module.js';
import { type ModuleConfig, registerModule } from './config.js';

/** Shared list behaviour; children are named by index. */
abstract class ModuleSequence extends Module {
  private readonly items: Module[] = [];

  constructor(modules: readonly Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  protected override ownMembers(): Member[] {
    return this.items.map((m, i) => ({ kind: 'module', name: String(i), value: m }));
  }

  get length(): number {
    return this.items.length;
  }

  /** The i-th module; negative i counts from the end. Throws when out of range. */
  at(i: number): Module {
    const m = this.items.at(i);
    if (!Number.isInteger(i) || !m) throw new ValueError(`${this.constructor.name}.at: index ${i} out of range for length ${this.items.length}`, 'INDEX_OUT_OF_RANGE');
    return m;
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new ValueError(`${this.constructor.name}.append: expected a Module, got ${m === null ? 'null' : typeof m}`, 'INVALID_ARGUMENT');
    this.items.push(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  override getConfig(): ModuleConfig {
    return { type: this.constructor.name, layers: this.items.map((m) => m.getConfig()) };
  }
}

/**
 * Holds submodules so they are registered (keys `0.…`, `1.…`), without a forward of its own.
 * @example this.blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 */
export class ModuleList extends ModuleSequence {
  constructor(modules: readonly Module[] = []) {
    super(modules);
  }

  forward(): Tensor {
    throw new ValueError('ModuleList has no forward; iterate over it and call each module', 'NO_FORWARD');
  }
}

/**
 * Applies its modules in order: forward(x) = m_n(...m_1(x)). Shape contract: that of the chain.
 * @example const net = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
 */
export class Sequential extends ModuleSequence {
  constructor(...modules: Module[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this) h = m.forward(h);
    return h;
  }
}

registerModule('Sequential', (c) => new Sequential(...c.modules('layers')));
registerModule('ModuleList', (c) => new ModuleList(c.modules('layers')));

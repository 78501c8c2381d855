/**
 * @file Every built-in module's `forward` runs as a frame (core/memory.ts): the intermediates of a
 * layer are freed on return, or handed to the autograd graph when saved for backward, so a loop
 * that calls `model.forward(x)` without `scope` leaves only the output behind. A subclass that
 * overrides `forward` is not framed (its code is the user's), but the built-in layers it calls are.
 */
import { frame } from '../core/memory.js';
import type { Module } from './module.js';

const FRAMED = Symbol('plexus.framedForward');

type ModuleClass = abstract new (...args: never[]) => Module;

/** Wraps each class's own `forward` (once; a class without its own forward is left alone). */
export function frameForwards(classes: readonly ModuleClass[]): void {
  for (const C of classes) {
    const proto = C.prototype as unknown as Record<PropertyKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(proto, 'forward') || proto[FRAMED]) continue;
    const inner = proto.forward as (this: Module, ...args: unknown[]) => unknown;
    proto.forward = function framedForward(this: Module, ...args: unknown[]): unknown {
      return frame(() => inner.apply(this, args));
    };
    proto[FRAMED] = true;
  }
}

/** The Module subclasses among a namespace's exports (so a new family file needs one line). */
export function moduleClasses(ns: Record<string, unknown>, base: ModuleClass): ModuleClass[] {
  return Object.values(ns).filter(
    (v): v is ModuleClass => typeof v === 'function' && v.prototype instanceof base,
  );
}

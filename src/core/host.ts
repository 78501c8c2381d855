/**
 * @file The host's Node.js `process`, for code that must also load in browsers and bundlers: it
 * is read off globalThis (no static `node:` import), and built-in modules come synchronously
 * through process.getBuiltinModule (Node >= 20.16), or not at all.
 */

export interface HostProcess {
  env?: Record<string, string | undefined>;
  versions?: { node?: string; v8?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's `process`, or undefined in a browser. */
export function hostProcess(): HostProcess | undefined {
  return (globalThis as { process?: HostProcess }).process;
}

/** A Node built-in module (e.g. 'node:zlib'), or undefined where the host has none or is too old. */
export function nodeBuiltin<T>(id: string): T | undefined {
  return hostProcess()?.getBuiltinModule?.(id) as T | undefined;
}

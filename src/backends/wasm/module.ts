/**
 * @file Loading the kernel module: the bytes are base64-embedded (generated/kernels.ts, written by
 * scripts/build-wasm.mjs), so this works in Node and browsers without fs or fetch. Compilation is
 * synchronous so that `setBackend('wasm')` needs no await.
 */
import { ValueError } from '../../core/errors.js';
import { type HostProcess, hostProcess, nodeBuiltin } from '../../core/host.js';
import { WASM_SHARED, WASM_SHARED_RELAXED } from './generated/kernels.js';
import { unsharedMemoryImport } from './unshare.js';

/** out[i] = f(x[i]) over n float32. */
export type UnaryFn = (x: number, out: number, n: number) => void;
/** out[r,c] = f(a[r·sa0 + c·sa1], b[r·sb0 + c·sb1]); sa1, sb1 in {0, 1}. */
export type BinaryFn = (a: number, b: number, out: number, rows: number, cols: number, sa0: number, sa1: number, sb0: number, sb1: number) => void;
export type RowsFn = (x: number, out: number, rows: number, len: number) => void;
export type ColsFn = (x: number, out: number, outer: number, len: number, inner: number) => void;

/** The kernel exports (pointers and sizes are byte offsets / element counts, all i32). */
export interface KernelExports {
  heapBase(): number;
  gemmWorkspaceBytes(kc: number, mc: number, nc: number): number;
  gemm(
    m: number, n: number, k: number,
    a: number, ars: number, acs: number,
    b: number, brs: number, bcs: number,
    c: number, ldc: number,
    ws: number, kc: number, mc: number, nc: number,
  ): void;
  /** assembly/gemm-small.as: C = act(A·Bᵀ + bias) unpacked, k contiguous in both (act 0 none, 1 relu). */
  gemmSmallNT(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, bias: number, act: number): void;
  /** assembly/spline.as: the uniform-cubic core of splineBasis over elements [s, e). */
  splineUniformCubic(x: number, t: number, invH: number, out: number, rest: number, F: number, K: number, s: number, e: number): void;
  unaryNeg: UnaryFn; unaryAbs: UnaryFn; unarySqrt: UnaryFn; unaryExp: UnaryFn; unaryLog: UnaryFn; unaryTanh: UnaryFn; unarySign: UnaryFn; unaryErf: UnaryFn; unaryGelu: UnaryFn; unarySin: UnaryFn; unaryCos: UnaryFn;
  unaryClamp(x: number, out: number, n: number, lo: number, hi: number): void;
  /** assembly/elementwise.as: out (rows × 2m) = [cos p, sin p] per row of p (rows × m). */
  cosSinRows(p: number, out: number, rows: number, m: number): void;
  binaryAdd: BinaryFn; binarySub: BinaryFn; binaryMul: BinaryFn; binaryDiv: BinaryFn; binaryMax: BinaryFn; binaryMin: BinaryFn;
  compareEq: BinaryFn; compareNe: BinaryFn; compareLt: BinaryFn; compareLe: BinaryFn; compareGt: BinaryFn; compareGe: BinaryFn;
  select(cond: number, a: number, b: number, out: number, n: number, sc: number, sa: number, sb: number): void;
  sumRows: RowsFn; maxRows: RowsFn; minRows: RowsFn;
  sumCols: ColsFn; maxCols: ColsFn; minCols: ColsFn;
}

export interface LoadedModule {
  exports: KernelExports;
  memory: WebAssembly.Memory;
  /** The compiled module: pool workers instantiate it against the same (shared) memory. */
  module: WebAssembly.Module;
  shared: boolean;
  /** A shared memory was wanted but the host refused one (no threads: see pool/). */
  sharedRefused: boolean;
  /** Built with relaxed SIMD (FMA in the GEMM micro-kernel). */
  relaxed: boolean;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

const plain: { base?: Uint8Array<ArrayBuffer>; relaxed?: Uint8Array<ArrayBuffer> } = {};

/** The build over a non-shared memory (derived from the shared one, see unshare.ts; made once). */
export function plainBuild(relaxed: boolean): Uint8Array<ArrayBuffer> {
  const key = relaxed ? 'relaxed' : 'base';
  return (plain[key] ??= unsharedMemoryImport(decode(relaxed ? WASM_SHARED_RELAXED : WASM_SHARED)));
}

let simdOk: boolean | undefined;
let relaxedOk: boolean | undefined;

/** True when this engine validates the SIMD module (every current browser and Node >= 16). */
export function wasmSimdSupported(): boolean {
  if (simdOk === undefined) {
    simdOk = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(plainBuild(false));
  }
  return simdOk;
}

/**
 * Turns on V8's relaxed-SIMD flag where the engine has the feature behind it: V8 11.x before 11.4,
 * i.e. Node 20 (V8 11.3), whose implementation is the one V8 11.4 shipped (Chrome 114, Node 22).
 * Why: relaxed SIMD's FMA is the GEMM micro-kernel's biggest single gain on x64 (+6-14% measured,
 * bench/gemm.ts), and the flag only makes more modules valid; it changes nothing else. Older V8s
 * had pre-standard opcodes, so they are left alone. Returns whether the flag was set.
 */
function enableRelaxedSimdFlag(proc: HostProcess): boolean {
  const [major = 0, minor = 0] = (proc.versions?.v8 ?? '').split('.').map(Number);
  if (major !== 11 || minor >= 4) return false;
  const v8 = nodeBuiltin<{ setFlagsFromString?: (flags: string) => void }>('node:v8');
  if (typeof v8?.setFlagsFromString !== 'function') return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

/**
 * True when the relaxed-SIMD build (FMA in the GEMM micro-kernel) validates: Node >= 20 (on Node 20
 * by turning on V8's flag, see enableRelaxedSimdFlag), Chrome >= 114, Firefox >= 145.
 * PLEXUS_WASM_RELAXED=0 in the environment keeps the baseline build everywhere (then a float32
 * product rounds the same on every engine and CPU: relaxed_madd may or may not fuse); 1 or unset
 * is the default; anything else is a ValueError naming the variable (a typo must not silently
 * keep FMA on).
 */
export function wasmRelaxedSimdSupported(): boolean {
  if (relaxedOk !== undefined) return relaxedOk;
  const proc = hostProcess();
  const setting = proc?.env?.PLEXUS_WASM_RELAXED ?? '';
  if (setting !== '' && setting !== '0' && setting !== '1') {
    throw new ValueError(`PLEXUS_WASM_RELAXED: expected 0 (baseline SIMD) or 1 (relaxed SIMD where available), got '${setting}'`);
  }
  if (!wasmSimdSupported() || setting === '0') return (relaxedOk = false);
  const bytes = plainBuild(true);
  relaxedOk = WebAssembly.validate(bytes) || (proc !== undefined && enableRelaxedSimdFlag(proc) && WebAssembly.validate(bytes));
  return relaxedOk;
}

/** A shared memory when the host allows one (Node; browsers only when cross-origin isolated). */
function makeMemory(wantShared: boolean): { memory: WebAssembly.Memory; shared: boolean } {
  if (wantShared && typeof SharedArrayBuffer === 'function') {
    try {
      return { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }), shared: true };
    } catch {
      // Not cross-origin isolated, or the engine refuses to reserve 4 GiB: use a plain memory.
    }
  }
  return { memory: new WebAssembly.Memory({ initial: 1 }), shared: false };
}

/**
 * Compiles and instantiates the kernel module over a fresh memory. `relaxed` defaults to whatever
 * the engine supports; false forces the baseline build (results then match on every engine).
 */
export function loadKernels(opts: { shared?: boolean; relaxed?: boolean } = {}): LoadedModule {
  const { memory, shared } = makeMemory(opts.shared ?? true);
  const relaxed = (opts.relaxed ?? true) && wasmRelaxedSimdSupported();
  const bytes = shared ? decode(relaxed ? WASM_SHARED_RELAXED : WASM_SHARED) : plainBuild(relaxed);
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const sharedRefused = (opts.shared ?? true) && !shared;
  return { exports: instance.exports as unknown as KernelExports, memory, module, shared, sharedRefused, relaxed };
}

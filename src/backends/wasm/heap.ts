/**
 * @file The wasm backend's allocator: every tensor lives in one WebAssembly.Memory. Blocks come
 * from size-class free lists (so a training loop that allocates the same shapes every step reuses
 * the same blocks) or from a bump pointer that grows the memory when it runs out.
 *
 * Alignment: 16 bytes for small blocks (one f32x4), 64 bytes (a cache line) for blocks of 256
 * bytes or more, so SIMD loads in the kernels never straddle a line at a row start.
 *
 * Shared memory (Node, or a cross-origin-isolated page) is preferred even single-threaded: views on
 * a SharedArrayBuffer stay valid when the memory grows, while views on a plain ArrayBuffer are
 * detached. Either way `generation` changes on every grow so storages re-derive their views.
 */

const PAGE = 65536;
/** wasm32 limit: 65536 pages = 4 GiB. */
const MAX_PAGES = 65536;
/** Grow by at least this many pages (16 MiB) or a quarter of the current size, to amortise grows. */
const MIN_GROW_PAGES = 256;

/** Rounds a request to its size class: 16-byte steps up to 256, then 4 classes per octave. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return Math.max(16, (bytes + 15) & ~15);
  const e = 31 - Math.clz32(bytes - 1); // bytes in (2^e, 2^(e+1)]
  const step = 2 ** (e - 2);
  return Math.ceil(bytes / step) * step;
}

export interface HeapStats {
  /** Bytes of linear memory (all pages). */
  memoryBytes: number;
  /** Bytes in blocks currently handed out (size-class rounded). */
  inUseBytes: number;
  /** Bytes parked in free lists, ready for reuse. */
  freeBytes: number;
  /** Blocks handed out and not yet released. */
  liveBlocks: number;
  /** End of the bump region. */
  top: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Changes whenever memory.buffer may have changed (after a grow); views compare against it. */
  generation = 0;
  /** memory.buffer as of `generation` (cached: the getter is slower on shared memory). */
  buffer: ArrayBuffer | SharedArrayBuffer;
  /**
   * Every buffer object this memory has had. A grow of a shared memory returns a new
   * SharedArrayBuffer object while views on the old one stay valid (same bytes), so "is this view
   * in the heap" must not be `view.buffer === heap.buffer` (see owns).
   */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private top: number;
  private readonly free = new Map<number, number[]>();
  private inUse = 0;
  private freeBytes = 0;
  private live = 0;
  /** Byte ranges a crashed worker may still write (see hold). */
  private readonly holds = new Set<{ start: number; end: number }>();
  private deferred: [number, number][] = [];

  /** `base`: first usable byte (after the module's static data). */
  constructor(memory: WebAssembly.Memory, shared: boolean, base: number) {
    this.memory = memory;
    this.shared = shared;
    this.buffer = memory.buffer;
    this.buffers.add(this.buffer);
    this.top = alignUp(base, 64);
  }

  /**
   * Whether a typed array over `b` views this heap. True for the current buffer and, on a shared
   * memory, for the buffer objects of earlier sizes (their views still address the same bytes; a
   * plain memory's old buffers are detached by the grow). Comparing with `buffer` alone sent a view
   * created before a grow to a kernel's fallback path, so results depended on when the memory grew.
   */
  owns(b: ArrayBufferLike): boolean {
    return b === this.buffer || (this.shared && this.buffers.has(b));
  }

  /**
   * Byte offset of a block of at least `bytes` bytes. Throws a RangeError when the memory cannot
   * grow (the core turns it into an OutOfMemoryError naming the op and shape).
   */
  alloc(bytes: number): number {
    if (bytes === 0) return 0;
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let ptr: number;
    if (list !== undefined && list.length > 0) {
      ptr = list.pop()!;
      this.freeBytes -= size;
    } else {
      ptr = alignUp(this.top, size >= 256 ? 64 : 16);
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.inUse += size;
    this.live++;
    return ptr;
  }

  /** Returns a block from `alloc(bytes)`; it is reused by the next request of its size class. */
  release(ptr: number, bytes: number): void {
    if (bytes === 0) return;
    const size = sizeClass(bytes);
    if (this.holds.size > 0) {
      for (const h of this.holds) {
        if (ptr < h.end && ptr + size > h.start) {
          this.deferred.push([ptr, bytes]); // still counted in use until the hold is lifted
          return;
        }
      }
    }
    this.inUse -= size;
    this.live--;
    if (ptr + size === this.top) {
      this.top = ptr; // the last block: give it back to the bump region (no list entry needed)
      return;
    }
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
  }

  /**
   * Keeps blocks overlapping [start, end) out of reuse until the returned function is called: a
   * worker pool holds the output of an op whose worker was terminated mid-write (the thread stops
   * asynchronously), so a later tensor never receives its stray writes. Releases in the range are
   * deferred and performed when the hold is lifted.
   */
  hold(start: number, end: number): () => void {
    const h = { start, end };
    this.holds.add(h);
    return () => {
      if (!this.holds.delete(h)) return;
      const pending = this.deferred;
      this.deferred = [];
      for (const [p, b] of pending) this.release(p, b);
    };
  }

  stats(): HeapStats {
    return { memoryBytes: this.buffer.byteLength, inUseBytes: this.inUse, freeBytes: this.freeBytes, liveBlocks: this.live, top: this.top };
  }

  /** Grows the memory so that [0, end) is addressable. */
  private ensure(end: number): void {
    const have = this.buffer.byteLength;
    if (end <= have) return;
    const pages = have / PAGE;
    const need = Math.ceil((end - have) / PAGE);
    if (pages + need > MAX_PAGES) {
      throw new RangeError(`wasm memory cannot grow past 4 GiB (needs ${end} bytes)`);
    }
    const want = Math.min(MAX_PAGES - pages, Math.max(need, MIN_GROW_PAGES, Math.floor(pages / 4)));
    try {
      this.memory.grow(want);
    } catch {
      // The generous step failed (address space or a host limit): try exactly what is needed.
      this.memory.grow(need); // throws RangeError when even that is impossible
    }
    this.buffer = this.memory.buffer;
    this.buffers.add(this.buffer);
    this.generation++;
  }
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

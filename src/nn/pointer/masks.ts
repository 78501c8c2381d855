/**
 * @file The pointer's masks as additive score offsets (0 = selectable, -Infinity = probability 0):
 * padding positions (index >= the set's length) and, with `maskVisited`, the positions already
 * pointed at. In `closed` mode the first pointed position stays selectable, since pointing back at
 * it is how a cyclic output (a convex hull) ends.
 */

/** Per-row bookkeeping of what a decoder may still point at. */
export class PointerMask {
  /** visited[r][k]: row r already pointed at position k. */
  private readonly visited: Uint8Array[];
  private readonly first: number[];

  constructor(readonly lengths: readonly number[], readonly n: number, readonly maskVisited: boolean, readonly closed: boolean) {
    this.visited = lengths.map(() => new Uint8Array(n));
    this.first = lengths.map(() => -1);
  }

  /** A copy (beam search forks rows). */
  fork(rows: readonly number[]): PointerMask {
    const m = new PointerMask(rows.map((r) => this.lengths[r]!), this.n, this.maskVisited, this.closed);
    rows.forEach((r, i) => {
      m.visited[i]!.set(this.visited[r]!);
      m.first[i] = this.first[r]!;
    });
    return m;
  }

  /** Whether row r may point at position k now. */
  allowed(r: number, k: number): boolean {
    if (k >= this.lengths[r]!) return false;
    if (!this.maskVisited || !this.visited[r]![k]) return true;
    return this.closed && k === this.first[r];
  }

  /** Records that row r pointed at k. */
  point(r: number, k: number): void {
    if (this.first[r] === -1) this.first[r] = k;
    this.visited[r]![k] = 1;
  }

  /** The first position row r pointed at (-1 before any). */
  firstOf(r: number): number {
    return this.first[r]!;
  }

  /** Writes row r's offsets into out[off .. off + n); a row with nothing selectable (only past a sequence's end, where nothing is scored) opens its valid positions, so no row is all -Infinity (NaN). */
  write(r: number, out: Float64Array | number[], off: number): void {
    let any = false;
    for (let k = 0; k < this.n; k++) {
      const ok = this.allowed(r, k);
      out[off + k] = ok ? 0 : -Infinity;
      any ||= ok;
    }
    if (!any) for (let k = 0; k < this.lengths[r]!; k++) out[off + k] = 0;
  }
}

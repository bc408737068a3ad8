// Min-heap of (expiry time, sequence) for per-message TTLs: the store asks for the earliest one
// to arm its timer. Entries of messages removed meanwhile stay until popped (the caller skips them).

export class ExpiryQueue {
  private readonly at: number[] = [];
  private readonly seqs: number[] = [];

  get size(): number {
    return this.at.length;
  }

  /** Earliest expiry time in ms, or Infinity when empty. */
  peekTime(): number {
    return this.at.length > 0 ? this.at[0]! : Number.POSITIVE_INFINITY;
  }

  push(expiresAt: number, seq: number): void {
    const at = this.at;
    const seqs = this.seqs;
    let i = at.length;
    at.push(expiresAt);
    seqs.push(seq);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (at[parent]! <= expiresAt) break;
      at[i] = at[parent]!;
      seqs[i] = seqs[parent]!;
      i = parent;
    }
    at[i] = expiresAt;
    seqs[i] = seq;
  }

  /** Removes the earliest entry and returns its sequence (0 when empty). */
  pop(): number {
    const at = this.at;
    const seqs = this.seqs;
    if (at.length === 0) return 0;
    const top = seqs[0]!;
    const lastAt = at.pop()!;
    const lastSeq = seqs.pop()!;
    const n = at.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && at[r]! < at[l]! ? r : l;
      if (at[c]! >= lastAt) break;
      at[i] = at[c]!;
      seqs[i] = seqs[c]!;
      i = c;
    }
    at[i] = lastAt;
    seqs[i] = lastSeq;
    return top;
  }

  clear(): void {
    this.at.length = 0;
    this.seqs.length = 0;
  }
}

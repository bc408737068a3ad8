// Sequence-indexed table of live entries: a dense array offset by the first sequence, with holes
// for removed messages, trimmed from the front as the first sequence moves up.

/** Past this many dead slots at the front (and half the array) the array is re-based. */
const REBASE_MIN_SLOTS = 1024;

export class SeqTable<E> {
  private slots: (E | undefined)[] = [];
  /** Sequence held by slots[head]. */
  private base = 1;
  private head = 0;
  /** Number of live entries. */
  size = 0;

  /** Sequence after the last slot (appends past it leave holes). */
  get end(): number {
    return this.base + this.slots.length - this.head;
  }

  /** Lowest live sequence, or 0 when empty. */
  get first(): number {
    return this.size === 0 ? 0 : this.base;
  }

  /** Highest live sequence, or 0 when empty (the last slot is always live: holes there are popped). */
  get last(): number {
    return this.size === 0 ? 0 : this.base + this.slots.length - 1 - this.head;
  }

  get(seq: number): E | undefined {
    const i = seq - this.base + this.head;
    return i >= this.head && i < this.slots.length ? this.slots[i] : undefined;
  }

  /** Adds an entry; seq must be at or past `end` (gaps become holes; an empty table re-bases). */
  append(seq: number, entry: E): void {
    if (this.size === 0) {
      this.slots = [];
      this.base = seq;
      this.head = 0;
    } else {
      for (let s = this.end; s < seq; s++) this.slots.push(undefined);
    }
    this.slots.push(entry);
    this.size++;
  }

  /** Removes and returns the entry at seq, advancing the front past holes. */
  delete(seq: number): E | undefined {
    const i = seq - this.base + this.head;
    if (i < this.head || i >= this.slots.length) return undefined;
    const entry = this.slots[i];
    if (entry === undefined) return undefined;
    this.slots[i] = undefined;
    this.size--;
    if (i === this.head) this.skipFrontHoles();
    else if (i === this.slots.length - 1) {
      while (this.slots[this.slots.length - 1] === undefined) this.slots.pop();
    }
    return entry;
  }

  /** Drops everything. */
  clear(): void {
    this.slots = [];
    this.head = 0;
    this.size = 0;
  }

  /** Next live sequence >= seq up to `to` inclusive, or 0. */
  nextLive(seq: number, to: number): number {
    if (this.size === 0) return 0;
    let i = Math.max(seq - this.base, 0) + this.head;
    const stop = Math.min(to - this.base + this.head, this.slots.length - 1);
    for (; i <= stop; i++) {
      if (this.slots[i] !== undefined) return this.base + i - this.head;
    }
    return 0;
  }

  /** Previous live sequence <= seq down to `from` inclusive, or 0. */
  prevLive(seq: number, from: number): number {
    if (this.size === 0) return 0;
    let i = Math.min(seq - this.base + this.head, this.slots.length - 1);
    const stop = Math.max(from - this.base, 0) + this.head;
    for (; i >= stop; i--) {
      if (this.slots[i] !== undefined) return this.base + i - this.head;
    }
    return 0;
  }

  private skipFrontHoles(): void {
    if (this.size === 0) {
      this.slots = [];
      this.head = 0;
      return;
    }
    let h = this.head;
    while (this.slots[h] === undefined) h++;
    this.base += h - this.head;
    this.head = h;
    if (h >= REBASE_MIN_SLOTS && h * 2 >= this.slots.length) {
      this.slots = this.slots.slice(h);
      this.head = 0;
    }
  }
}

// Per-subject index of live messages: count, first and last sequence, and the subject's sequences
// in order, so per-subject limits, last-by-subject and filtered scans do not walk the whole stream.

/** Past this many dead sequences (and more than the live ones) a subject's list is compacted. */
const COMPACT_MIN_DEAD = 32;

export type IsLive = (seq: number) => boolean;

/**
 * One subject's live messages. `seqs[head..]` is ascending and holds every live sequence of the
 * subject plus, lazily, some removed ones (a sequence never comes back, so "dead" is final).
 * Both ends are kept live, so `first` and `last` are exact.
 */
export class SubjectState {
  msgs = 0;
  seqs: number[] = [];
  head = 0;
  /** Removed sequences still listed between head and the end. */
  dead = 0;

  /** `subject` is the string shared by every entry of this subject (one copy in memory). */
  constructor(readonly subject: string) {}

  get first(): number {
    return this.seqs[this.head] ?? 0;
  }

  get last(): number {
    return this.seqs.length > this.head ? this.seqs[this.seqs.length - 1]! : 0;
  }

  /** Index of the first listed sequence >= seq (may be dead), or seqs.length. */
  lowerBound(seq: number): number {
    let lo = this.head;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First live sequence >= seq, or 0. */
  nextLive(seq: number, isLive: IsLive): number {
    for (let i = this.lowerBound(seq); i < this.seqs.length; i++) {
      const s = this.seqs[i]!;
      if (isLive(s)) return s;
    }
    return 0;
  }

  /** Last live sequence <= seq, or 0. */
  prevLive(seq: number, isLive: IsLive): number {
    for (let i = this.lowerBound(seq + 1) - 1; i >= this.head; i--) {
      const s = this.seqs[i]!;
      if (isLive(s)) return s;
    }
    return 0;
  }

  /** Live sequences >= seq. */
  countFrom(seq: number, isLive: IsLive): number {
    if (seq <= this.first) return this.msgs;
    if (seq > this.last) return 0;
    const pos = this.lowerBound(seq);
    const after = this.seqs.length - pos;
    if (after <= pos - this.head) {
      let n = 0;
      for (let i = pos; i < this.seqs.length; i++) if (isLive(this.seqs[i]!)) n++;
      return n;
    }
    let before = 0;
    for (let i = this.head; i < pos; i++) if (isLive(this.seqs[i]!)) before++;
    return this.msgs - before;
  }
}

export class SubjectIndex {
  private readonly subjects = new Map<string, SubjectState>();

  constructor(private readonly isLive: IsLive) {}

  get size(): number {
    return this.subjects.size;
  }

  get(subject: string): SubjectState | undefined {
    return this.subjects.get(subject);
  }

  entries(): IterableIterator<[string, SubjectState]> {
    return this.subjects.entries();
  }

  /** Records a new message (sequences arrive in ascending order). */
  add(subject: string, seq: number): SubjectState {
    let ss = this.subjects.get(subject);
    if (ss === undefined) {
      ss = new SubjectState(subject);
      this.subjects.set(subject, ss);
    }
    ss.seqs.push(seq);
    ss.msgs++;
    return ss;
  }

  /** Forgets a removed message; the table must already report seq as not live. */
  remove(subject: string, seq: number): void {
    const ss = this.subjects.get(subject);
    if (ss === undefined) return;
    ss.msgs--;
    if (ss.msgs <= 0) {
      this.subjects.delete(subject);
      return;
    }
    const seqs = ss.seqs;
    if (seq === seqs[ss.head]) {
      ss.head++;
      while (ss.head < seqs.length && !this.isLive(seqs[ss.head]!)) {
        ss.head++;
        ss.dead--;
      }
    } else if (seq === seqs[seqs.length - 1]) {
      seqs.pop();
      while (seqs.length > ss.head && !this.isLive(seqs[seqs.length - 1]!)) {
        seqs.pop();
        ss.dead--;
      }
    } else {
      ss.dead++;
    }
    this.maybeCompact(ss);
  }

  clear(): void {
    this.subjects.clear();
  }

  private maybeCompact(ss: SubjectState): void {
    if (ss.dead >= COMPACT_MIN_DEAD && ss.dead > ss.msgs) {
      const live: number[] = [];
      for (let i = ss.head; i < ss.seqs.length; i++) {
        const s = ss.seqs[i]!;
        if (this.isLive(s)) live.push(s);
      }
      ss.seqs = live;
      ss.head = 0;
      ss.dead = 0;
    } else if (ss.head >= COMPACT_MIN_DEAD && ss.head * 2 >= ss.seqs.length) {
      ss.seqs = ss.seqs.slice(ss.head);
      ss.head = 0;
    }
  }
}

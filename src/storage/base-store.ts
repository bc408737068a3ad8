// The MessageStore behaviour both stores share: sequencing, limits (nats-server's discard rules),
// removal, purge/compact, expiry and state. Backends say only where a message's bytes live.

import { ExpiryQueue } from "./expiry-queue.js";
import { SeqTable } from "./seq-table.js";
import {
  type FilteredState,
  type MessageStore,
  type MsgTimestamp,
  type PurgeOptions,
  type RemoveListener,
  type RemoveReason,
  type StoredMessage,
  StoreError,
  type StoreLimits,
  type StoreResult,
  type StoreState,
  unlimited,
} from "./store.js";
import * as q from "./store-queries.js";
import { SubjectIndex } from "./subject-index.js";
import { hasWildcard, isMatchAll, subjectMatches } from "./subject-match.js";
import { StoreClock } from "./timestamp.js";

/** What every backend keeps per live message. */
export interface EntryBase {
  /** Interned: the subject index's string. */
  subject: string;
  ts: number;
  tsNanos: number;
  /** Accounted bytes (nats-server's formula for the backend). */
  size: number;
  /** Per-message TTL in ms, 0 = none. */
  ttl: number;
}

/**
 * How a backend should persist a removal: "tombstone" for a single removal, "erase" to also
 * overwrite the bytes, "bulk" when the caller will follow with `persistFloor` (purge, compact).
 */
export type ReleaseMode = "tombstone" | "erase" | "bulk";

/** setTimeout's largest delay; longer ones fire at once in Node, so we re-arm instead. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

export interface BaseStoreOptions {
  limits?: Partial<StoreLimits>;
  /** Wall clock in ms (tests may inject one). */
  now?: () => number;
}

export abstract class BaseStore<E extends EntryBase> implements MessageStore {
  abstract readonly kind: "file" | "memory";
  protected readonly table = new SeqTable<E>();
  protected readonly subjects = new SubjectIndex((seq) => this.table.get(seq) !== undefined);
  protected limits: StoreLimits;
  protected msgs = 0;
  protected bytes = 0;
  protected lastSeq = 0;
  protected lastTs = 0;
  protected lastTsNanos = 0;
  /** state().firstSeq while the table is empty: 0 for a new store, else lastSeq + 1 or a compact target. */
  protected emptyFirstSeq = 0;
  protected closed = false;
  protected readonly clock: StoreClock;
  protected readonly now: () => number;
  private readonly listeners: RemoveListener[] = [];
  private readonly ttlQueue = new ExpiryQueue();
  private expiryTimer: NodeJS.Timeout | null = null;
  private expiryTimerAt = 0;
  /** What the shared queries see of this store. */
  private readonly view: q.IndexView<E>;

  constructor(opts: BaseStoreOptions) {
    const self = this;
    this.view = {
      table: this.table,
      subjects: this.subjects,
      get lastSeq() {
        return self.lastSeq;
      },
    };
    this.limits = { ...unlimited, ...opts.limits };
    this.now = opts.now ?? Date.now;
    this.clock = new StoreClock(this.now);
  }

  /** Accounted size of a message (nats-server's memStoreMsgSize / fileStoreMsgSize). */
  protected abstract accountedSize(subjectBytes: number, headersLen: number, payloadLen: number): number;
  /** Persists a new message and returns its entry. Must throw without side effects on failure. */
  protected abstract persist(
    seq: number,
    subject: string,
    headers: Buffer | null,
    payload: Buffer,
    size: number,
    ts: MsgTimestamp,
    ttl: number,
  ): E;
  protected abstract read(seq: number, entry: E): StoredMessage;
  /** Persists the removal of a live entry (called before the index forgets it). */
  protected abstract release(seq: number, entry: E, mode: ReleaseMode): void;
  /** After a bulk removal: every sequence below `floor` is gone for good. */
  protected abstract persistFloor(floor: number): void;
  protected abstract closeBackend(): void;
  protected abstract deleteBackend(): void;
  abstract flush(): Promise<void>;
  abstract sync(): void;
  abstract syncAsync(): Promise<void>;

  store(subject: string, headers: Buffer | null, payload: Buffer, ts?: MsgTimestamp, ttl = 0): StoreResult {
    this.assertOpen();
    if (headers !== null && headers.length === 0) headers = null;
    const newLen = (headers?.length ?? 0) + payload.length;
    const lim = this.limits;
    if (lim.maxMsgSize > 0 && newLen > lim.maxMsgSize) throw new StoreError("msgTooLarge");
    const existing = this.subjects.get(subject);
    if (lim.discard === "new") this.checkDiscardNew(existing?.msgs ?? 0, existing?.first ?? 0, newLen);
    if (ts === undefined) {
      this.clock.next();
      ts = { ms: this.clock.ms, nanos: this.clock.nanos };
    } else {
      this.clock.observe(ts.ms, ts.nanos);
    }
    const seq = this.lastSeq + 1;
    const interned = existing?.subject ?? subject;
    const size = this.accountedSize(Buffer.byteLength(subject), headers?.length ?? 0, payload.length);
    const entry = this.persist(seq, interned, headers, payload, size, ts, Math.max(ttl, 0));
    this.table.append(seq, entry);
    const ss = this.subjects.add(interned, seq);
    this.msgs++;
    this.bytes += size;
    this.lastSeq = seq;
    this.lastTs = ts.ms;
    this.lastTsNanos = ts.nanos;
    if (entry.ttl > 0) this.ttlQueue.push(ts.ms + entry.ttl, seq);
    if (lim.maxMsgsPerSubject > 0 && ss.msgs > lim.maxMsgsPerSubject) this.enforcePerSubject(interned);
    this.enforceMsgsAndBytes();
    this.armExpiry();
    return { seq, ts: ts.ms, tsNanos: ts.nanos };
  }

  /** nats-server's discard-new checks (memstore.storeRawMsg), quirks included. */
  private checkDiscardNew(subjectMsgs: number, subjectFirst: number, newLen: number): void {
    const lim = this.limits;
    const atSubjectLimit = lim.maxMsgsPerSubject > 0 && subjectMsgs >= lim.maxMsgsPerSubject;
    if (atSubjectLimit && lim.discardNewPerSubject) throw new StoreError("maxMsgsPerSubject");
    // At the per-subject limit the new message replaces the subject's oldest, so counts hold.
    if (lim.maxMsgs > 0 && this.msgs >= lim.maxMsgs && !atSubjectLimit) throw new StoreError("maxMsgs");
    // nats-server compares accounted bytes plus the raw new size, and refuses on reaching the limit.
    if (lim.maxBytes > 0 && this.bytes + newLen >= lim.maxBytes) {
      const replaced = atSubjectLimit ? this.table.get(subjectFirst) : undefined;
      if (replaced === undefined || replaced.size < newLen) throw new StoreError("maxBytes");
    }
  }

  load(seq: number): StoredMessage | null {
    this.assertOpen();
    const e = this.table.get(seq);
    return e === undefined ? null : this.read(seq, e);
  }

  private loadSeq(seq: number): StoredMessage | null {
    return seq === 0 ? null : this.load(seq);
  }

  loadLastBySubject(subject: string): StoredMessage | null {
    this.assertOpen();
    return this.loadSeq(q.lastBySubjectSeq(this.view, subject));
  }

  loadNextMatching(startSeq: number, filter: string | null): StoredMessage | null {
    this.assertOpen();
    return this.loadSeq(q.nextMatchingSeq(this.view, startSeq, filter));
  }

  loadPrevMatching(startSeq: number, filter: string | null): StoredMessage | null {
    this.assertOpen();
    return this.loadSeq(q.prevMatchingSeq(this.view, startSeq, filter));
  }

  remove(seq: number, erase: boolean): boolean {
    this.assertOpen();
    return this.removeOne(seq, erase ? "erase" : "remove", erase ? "erase" : "tombstone");
  }

  /** Removes one live message, keeps the counters and index right, then tells listeners. */
  protected removeOne(seq: number, reason: RemoveReason, mode: ReleaseMode): boolean {
    const e = this.table.get(seq);
    if (e === undefined) return false;
    this.release(seq, e, mode);
    this.forget(seq, e);
    this.emit(seq, e.subject, reason);
    return true;
  }

  /** Drops a released entry from the index and counters. */
  private forget(seq: number, e: E): void {
    this.table.delete(seq);
    this.subjects.remove(e.subject, seq);
    this.msgs--;
    this.bytes -= e.size;
    if (this.table.size === 0) this.emptyFirstSeq = this.lastSeq + 1;
  }

  protected emit(seq: number, subject: string, reason: RemoveReason): void {
    for (const l of this.listeners) l(seq, subject, reason);
  }

  purge(opts: PurgeOptions = {}): number {
    this.assertOpen();
    const keep = opts.keep ?? 0;
    const seq = opts.seq ?? 0;
    if (seq > 1 && keep > 0) throw new StoreError("purgeArgMismatch");
    if (isMatchAll(opts.subject)) {
      if (seq > 1) return this.compactTo(seq, "purge");
      if (keep <= 0) return this.compactTo(this.lastSeq + 1, "purge");
      if (keep >= this.msgs) return 0;
      // The keep-th newest live message becomes the first one (exactly `keep` stay, even with
      // interior deletes, where nats-server's lastSeq - keep + 1 would keep fewer).
      let s = this.table.last;
      for (let kept = 1; kept < keep; kept++) s = this.table.prevLive(s - 1, this.table.first);
      return this.compactTo(s, "purge");
    }
    const victims = this.matchingSeqs(opts.subject as string, seq > 1 ? seq - 1 : this.lastSeq);
    // keep > 0 implies seq <= 1, so victims holds every matching message.
    const count = keep > 0 ? Math.max(victims.length - keep, 0) : victims.length;
    for (let i = 0; i < count; i++) this.removeOne(victims[i]!, "purge", "tombstone");
    return count;
  }

  /** Live sequences matching a filter, ascending, up to `upTo`. */
  private matchingSeqs(filter: string, upTo: number): number[] {
    const out: number[] = [];
    const collect = (seqs: number[], head: number) => {
      for (let i = head; i < seqs.length && seqs[i]! <= upTo; i++) {
        if (this.table.get(seqs[i]!) !== undefined) out.push(seqs[i]!);
      }
    };
    if (!hasWildcard(filter)) {
      const ss = this.subjects.get(filter);
      if (ss !== undefined) collect(ss.seqs, ss.head);
      return out;
    }
    for (const [subject, ss] of this.subjects.entries()) {
      if (subjectMatches(subject, filter)) collect(ss.seqs, ss.head);
    }
    return out.sort((a, b) => a - b);
  }

  compact(seq: number): number {
    this.assertOpen();
    return this.compactTo(seq <= 0 ? this.lastSeq + 1 : seq, "compact");
  }

  /**
   * Removes every message below seq. Past the end, the next message gets sequence seq
   * (nats-server Compact/purge(fseq)). Listeners hear of each message once the state is final.
   */
  private compactTo(seq: number, reason: RemoveReason): number {
    const track = this.listeners.length > 0;
    const removed: number[] = [];
    const removedSubjects: string[] = [];
    let count = 0;
    while (this.table.size > 0 && this.table.first < seq) {
      const s = this.table.first;
      const e = this.table.get(s)!;
      this.release(s, e, "bulk");
      this.forget(s, e);
      count++;
      if (track) {
        removed.push(s);
        removedSubjects.push(e.subject);
      }
    }
    if (seq > this.lastSeq + 1) this.lastSeq = seq - 1;
    if (this.table.size === 0) this.emptyFirstSeq = this.lastSeq + 1;
    if (count > 0 || this.table.size === 0) this.persistFloor(seq);
    for (let i = 0; i < removed.length; i++) this.emit(removed[i]!, removedSubjects[i]!, reason);
    this.armExpiry();
    return count;
  }

  state(opts?: { deleted?: boolean }): StoreState {
    this.assertOpen();
    const first = this.table.size > 0 ? this.table.get(this.table.first)! : undefined;
    const firstSeq = first !== undefined ? this.table.first : this.emptyFirstSeq;
    const numDeleted = this.lastSeq > firstSeq ? this.lastSeq - firstSeq + 1 - this.msgs : 0;
    const st: StoreState = {
      msgs: this.msgs,
      bytes: this.bytes,
      firstSeq,
      firstTs: first?.ts ?? 0,
      firstTsNanos: first?.tsNanos ?? 0,
      lastSeq: this.lastSeq,
      lastTs: this.lastTs,
      lastTsNanos: this.lastTsNanos,
      numDeleted: Math.max(numDeleted, 0),
      numSubjects: this.subjects.size,
    };
    if (opts?.deleted) st.deleted = q.deletedSeqs(this.table, this.lastSeq);
    return st;
  }

  subjectsState(filter?: string): Map<string, number> {
    this.assertOpen();
    return q.subjectsState(this.subjects, filter);
  }

  filteredState(startSeq: number, filter: string | null): FilteredState {
    this.assertOpen();
    return q.filteredState(this.view, startSeq, filter);
  }

  numPending(startSeq: number, filter: string | null, lastPerSubject: boolean): number {
    this.assertOpen();
    return q.numPending(this.view, startSeq, filter, lastPerSubject);
  }

  seqForTime(ms: number, nanos = 0): number {
    this.assertOpen();
    return q.seqForTime(this.view, ms, nanos);
  }

  updateLimits(limits: StoreLimits): void {
    this.assertOpen();
    this.limits = { ...limits };
    if (limits.maxMsgsPerSubject > 0) {
      const over: string[] = [];
      for (const [subject, ss] of this.subjects.entries()) {
        if (ss.msgs > limits.maxMsgsPerSubject) over.push(subject);
      }
      for (const subject of over) this.enforcePerSubject(subject);
    }
    this.enforceMsgsAndBytes();
    this.expireNow();
  }

  onRemove(listener: RemoveListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  close(): void {
    if (this.closed) return;
    this.clearExpiryTimer();
    this.closeBackend();
    this.closed = true;
  }

  delete(): void {
    if (!this.closed) this.close();
    this.deleteBackend();
  }

  protected assertOpen(): void {
    if (this.closed) throw new StoreError("closed");
  }

  private enforcePerSubject(subject: string): void {
    const max = this.limits.maxMsgsPerSubject;
    for (
      let ss = this.subjects.get(subject);
      ss !== undefined && ss.msgs > max;
      ss = this.subjects.get(subject)
    ) {
      if (!this.removeOne(ss.first, "maxMsgsPerSubject", "tombstone")) break;
    }
  }

  private enforceMsgsAndBytes(): void {
    const { maxMsgs, maxBytes } = this.limits;
    // Removing the first live message cannot fail; the checks only guard against looping forever.
    while (maxMsgs > 0 && this.msgs > maxMsgs) {
      if (!this.removeOne(this.table.first, "maxMsgs", "tombstone")) break;
    }
    while (maxBytes > 0 && this.bytes > maxBytes) {
      if (!this.removeOne(this.table.first, "maxBytes", "tombstone")) break;
    }
  }

  /** Removes messages past max_age or their own TTL, then re-arms the timer. */
  protected expireNow(): void {
    if (this.closed) return;
    const now = this.now();
    const maxAge = this.limits.maxAge;
    if (maxAge > 0) {
      while (this.table.size > 0) {
        const first = this.table.first;
        if (this.table.get(first)!.ts + maxAge > now) break;
        this.removeOne(first, "maxAge", "tombstone");
      }
    }
    while (this.ttlQueue.peekTime() <= now) {
      const seq = this.ttlQueue.pop();
      const e = this.table.get(seq);
      if (e !== undefined && e.ttl > 0 && e.ts + e.ttl <= now) this.removeOne(seq, "ttl", "tombstone");
    }
    this.clearExpiryTimer();
    this.armExpiry();
  }

  /** Recovery: adds a live message that is already persisted (ascending sequences). */
  protected restore(seq: number, e: E): void {
    this.table.append(seq, e);
    const ss = this.subjects.add(e.subject, seq);
    e.subject = ss.subject;
    this.msgs++;
    this.bytes += e.size;
    if (e.ttl > 0) this.ttlQueue.push(e.ts + e.ttl, seq);
  }

  /** Recovery: the last sequence and time ever used, so new messages continue after them. */
  protected restoreLast(lastSeq: number, lastTs: number, lastTsNanos: number): void {
    this.lastSeq = lastSeq;
    this.lastTs = lastTs;
    this.lastTsNanos = lastTsNanos;
    this.emptyFirstSeq = lastSeq > 0 ? lastSeq + 1 : 0;
    this.clock.observe(lastTs, lastTsNanos);
  }

  /** Arms the expiry timer for the earliest of max_age on the first message and the next TTL. */
  protected armExpiry(): void {
    let next = this.ttlQueue.peekTime();
    if (this.limits.maxAge > 0 && this.table.size > 0) {
      next = Math.min(next, this.table.get(this.table.first)!.ts + this.limits.maxAge);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    if (this.expiryTimer !== null && this.expiryTimerAt <= next) return;
    this.clearExpiryTimer();
    const delay = Math.min(Math.max(next - this.now(), 0) + 1, MAX_TIMER_DELAY);
    this.expiryTimerAt = next;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      this.expireNow();
    }, delay);
    this.expiryTimer.unref();
  }

  private clearExpiryTimer(): void {
    if (this.expiryTimer !== null) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = null;
    }
  }
}

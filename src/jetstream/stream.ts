// One JetStream stream: its config, store, subscriptions (subjects, direct get), listeners and
// consumers, retention on acks, purge/remove, and the state and info JSON nats-server reports.

import { rmSync } from "node:fs";
import { subjectMatchesFilter } from "../core/subject.js";
import type { Subscription } from "../core/subscription.js";
import {
  formatRfc3339Nano,
  type MessageStore,
  type PurgeOptions,
  type StoreState,
} from "../storage/store.js";
import type { ConsumerView, JetStreamAccountContext, StreamListener, StreamView } from "./contracts.js";
import type { GroupCommit } from "./group-commit.js";
import {
  configJson,
  NS_PER_MS,
  type StorageKind,
  type StreamConfigJson,
  storeLimitsOf,
} from "./stream-config.js";
import { MsgIdWindow } from "./stream-dedupe.js";
import { subscribeDirectGet } from "./stream-direct.js";
import { type CreatedTime, formatCreated, writeStreamMeta } from "./stream-meta.js";
import { processInbound } from "./stream-publish.js";

/** What a stream needs from its account's JetStream. */
export interface StreamHost {
  readonly ctx: JetStreamAccountContext;
  readonly domain: string | undefined;
  readonly commit: GroupCommit;
  /** True when the server's max_memory / max_file for this storage is used up (nats-server limitsExceeded). */
  resourcesExceeded(storage: StorageKind): boolean;
}

/** JSMaxSubjectDetails: at most this many subjects in one STREAM.INFO response. */
export const MAX_SUBJECT_DETAILS = 100_000;

export interface StreamInfoOptions {
  deletedDetails?: boolean;
  subjectsFilter?: string;
  offset?: number;
  /** UPDATE, INFO and LIST carry the domain; CREATE does not (as in nats-server). */
  withDomain?: boolean;
}

export class Stream implements StreamView {
  readonly consumers = new Map<string, ConsumerView>();
  readonly listeners: StreamListener[] = [];
  /** Last sequence assigned (stored or skipped); nats-server's mset.lseq. */
  lastSeq: number;
  /** Nats-Msg-Id of the last stored message ("" when none), for Nats-Expected-Last-Msg-Id. */
  lastMsgId = "";
  /** False after recovery until msg ids are rebuilt from stored messages (done lazily, as nats-server). */
  dedupeLoaded: boolean;
  readonly msgIds: MsgIdWindow;
  /** `{"stream":"X", "seq":` (plus the domain): the PubAck prefix nats-server prebuilds. */
  pubAckPrefix = "";
  private subjectSubs: Subscription[] = [];
  private directSubs: Subscription[] = [];
  closed = false;

  constructor(
    readonly host: StreamHost,
    public config: StreamConfigJson,
    readonly created: CreatedTime,
    readonly store: MessageStore,
    /** The stream's directory (file streams), or null. */
    readonly dir: string | null,
  ) {
    const st = store.state();
    this.lastSeq = st.lastSeq;
    this.dedupeLoaded = st.msgs === 0;
    this.msgIds = new MsgIdWindow((config.duplicate_window ?? 0) / NS_PER_MS);
    this.buildPubAckPrefix();
  }

  get name(): string {
    return this.config.name;
  }

  get client() {
    return this.host.ctx.client;
  }

  /** Starts receiving: subscribes the stream's subjects (and direct get when allowed). */
  start(): void {
    for (const subject of this.config.subjects ?? []) this.subscribeSubject(subject);
    if (this.config.allow_direct) this.directSubs = subscribeDirectGet(this);
  }

  private subscribeSubject(subject: string): void {
    const sub = this.client.subscribe(subject, (_s, subj, reply, headers, payload) =>
      processInbound(this, subj, reply, headers, payload),
    );
    this.subjectSubs.push(sub);
  }

  private buildPubAckPrefix(): void {
    const name = JSON.stringify(this.config.name);
    const domain = this.host.domain;
    this.pubAckPrefix =
      domain === undefined || domain === ""
        ? `{"stream":${name}, "seq":`
        : `{"stream":${name}, "domain":${JSON.stringify(domain)}, "seq":`;
  }

  /** Applies an already checked update: subjects, direct get, limits, duplicate window, metadata. */
  applyUpdate(next: StreamConfigJson): void {
    const old = new Set(this.config.subjects ?? []);
    const wanted = new Set(next.subjects ?? []);
    for (const sub of this.subjectSubs.filter((s) => !wanted.has(s.subject))) this.client.unsubscribe(sub);
    this.subjectSubs = this.subjectSubs.filter((s) => wanted.has(s.subject));
    for (const subject of wanted) if (!old.has(subject)) this.subscribeSubject(subject);
    this.config = next;
    if (next.allow_direct && this.directSubs.length === 0) this.directSubs = subscribeDirectGet(this);
    if (!next.allow_direct) this.unsubscribeDirect();
    this.msgIds.setWindow((next.duplicate_window ?? 0) / NS_PER_MS);
    this.store.updateLimits(storeLimitsOf(next));
    this.host.commit.written(this.store);
    this.persistMeta();
  }

  private unsubscribeDirect(): void {
    for (const sub of this.directSubs) this.client.unsubscribe(sub);
    this.directSubs = [];
  }

  /** Writes meta.inf for file streams (atomically). */
  persistMeta(): void {
    if (this.dir !== null) writeStreamMeta(this.dir, this.created, configJson(this.config));
  }

  addListener(listener: StreamListener): void {
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeListener(listener: StreamListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  notifyStored(seq: number, subject: string): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i].messageStored(seq, subject);
  }

  /**
   * Interest and workqueue retention (nats-server ackMsg/checkInterest): once no other consumer
   * still needs `seq`, the message goes.
   */
  consumerAcked(consumerName: string, seq: number): void {
    if (this.config.retention === "limits" || this.closed) return;
    const msg = this.store.load(seq);
    if (msg === null) return;
    if (this.config.retention === "interest") {
      for (const [name, c] of this.consumers) {
        if (name !== consumerName && c.needsAck(seq, msg.subject)) return;
      }
    }
    if (this.store.remove(seq, false)) this.host.commit.written(this.store);
  }

  /** Whether any consumer could want a message on `subject` (interest retention's no-interest skip). */
  hasInterest(subject: string): boolean {
    for (const c of this.consumers.values()) {
      const filters = c.config.filter_subjects ?? (c.config.filter_subject ? [c.config.filter_subject] : []);
      if (filters.length === 0) return true;
      for (const f of filters) if (subjectMatchesFilter(subject, f)) return true;
    }
    return false;
  }

  /** Purges per nats-server PurgeEx and tells listeners where the stream (or the filter) now starts. */
  purge(opts?: PurgeOptions): number {
    const purged = this.store.purge(opts);
    this.host.commit.written(this.store);
    const filter = opts?.subject && opts.subject !== ">" ? opts.subject : undefined;
    const st = this.store.state();
    const first = filter === undefined ? st.firstSeq : this.store.filteredState(st.firstSeq, filter).first;
    for (const l of [...this.listeners]) l.messagesRemoved?.(first, filter);
    return purged;
  }

  /** Removes one message (erasing its bytes unless noErase). */
  removeMessage(seq: number, erase: boolean): boolean {
    const removed = this.store.remove(seq, erase);
    if (removed) this.host.commit.written(this.store);
    return removed;
  }

  stateJson(deletedDetails = false): Record<string, unknown> {
    return streamStateJson(this.store.state({ deleted: deletedDetails }), this.consumers.size);
  }

  /** StreamInfo (plus the paging fields STREAM.INFO carries), in nats-server's field order. */
  infoJson(opts: StreamInfoOptions = {}): { paged: Record<string, number>; info: Record<string, unknown> } {
    const state = this.stateJson(opts.deletedDetails === true);
    const paged = { total: 0, offset: 0, limit: 0 };
    if (opts.subjectsFilter) {
      const counts = this.store.subjectsState(opts.subjectsFilter);
      if (counts.size > 0) {
        const names = [...counts.keys()].sort();
        const offset = Math.min(Math.max(opts.offset ?? 0, 0), names.length);
        const page = names.slice(offset, offset + MAX_SUBJECT_DETAILS);
        if (page.length > 0)
          insertSubjects(state, Object.fromEntries(page.map((s) => [s, counts.get(s) ?? 0])));
        paged.total = names.length;
        paged.offset = offset;
        paged.limit = MAX_SUBJECT_DETAILS;
      }
    }
    const info: Record<string, unknown> = {
      config: configJson(this.config),
      created: formatCreated(this.created),
      state,
    };
    if (opts.withDomain && this.host.domain) info.domain = this.host.domain;
    return { paged, info };
  }

  /** Stops the stream: unsubscribes, stops consumers, closes (or deletes) the store and its files. */
  stop(deleteData: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subjectSubs) this.client.unsubscribe(sub);
    this.subjectSubs = [];
    this.unsubscribeDirect();
    for (const c of this.consumers.values()) c.stop(deleteData);
    this.consumers.clear();
    this.listeners.length = 0;
    this.msgIds.clear();
    if (deleteData) {
      this.host.commit.forget(this.store);
      this.store.delete();
      if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    } else {
      this.host.commit.drain();
      this.host.commit.forget(this.store);
      this.store.close();
    }
  }
}

/** StreamState JSON: omitempty fields left out, `consumer_count` last (Go field order). */
export function streamStateJson(st: StoreState, consumers: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    messages: st.msgs,
    bytes: st.bytes,
    first_seq: st.firstSeq,
    first_ts: formatRfc3339Nano(st.firstTs, st.firstTsNanos),
    last_seq: st.lastSeq,
    last_ts: formatRfc3339Nano(st.lastTs, st.lastTsNanos),
  };
  if (st.numSubjects > 0) out.num_subjects = st.numSubjects;
  if (st.numDeleted > 0) out.num_deleted = st.numDeleted;
  if (st.deleted !== undefined && st.deleted.length > 0) out.deleted = st.deleted;
  out.consumer_count = consumers;
  return out;
}

/** Puts `subjects` right after num_subjects, where Go's struct order has it. */
function insertSubjects(state: Record<string, unknown>, subjects: Record<string, number>): void {
  const entries = Object.entries(state);
  for (const k of Object.keys(state)) delete state[k];
  for (const [k, v] of entries) {
    if (k === "num_deleted" || k === "deleted" || k === "consumer_count") {
      if (!("subjects" in state)) state.subjects = subjects;
    }
    state[k] = v;
  }
}

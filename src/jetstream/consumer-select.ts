// Which message a consumer delivers next (nats-server getNextMsg) and how many are left for it
// (num_pending, cached as nats-server's npc/npcm): redeliveries first, then the last-per-subject skip
// list, then the next stream message matching the filters; max_ack_pending stalls new deliveries.

import { subjectMatchesFilter } from "../core/subject.js";
import type { StoredMessage } from "../storage/store.js";
import { buildAckReply } from "./ack.js";
import type { Consumer } from "./consumer.js";
import { consumerFilters } from "./consumer-config.js";
import type { SkipList } from "./consumer-start.js";

export const STALLED = Symbol("max ack pending");
const EMPTY = Buffer.alloc(0);

/** A message chosen for delivery, with what is needed to undo the choice (pull: no request took it). */
export interface Candidate {
  msg: StoredMessage;
  /** Delivery count of this delivery. */
  dc: number;
  reply: string;
  headers: Buffer | null;
  payload: Buffer;
  /** Bytes as nats-server counts them for max_bytes: subject, reply, headers, payload. */
  size: number;
  undo: { sseq: number; skipIndex: number; skip: SkipList | null; redelivered: boolean; npc: number };
}

export class MessageSelector {
  skip: SkipList | null = null;
  filters: string[];
  /** Cached num_pending and the highest sequence it counted (nats-server npc / npcm). */
  private npc = 0;
  private npcm = 0;

  constructor(
    private readonly o: Consumer,
    private readonly ackPrefix: string,
  ) {
    this.filters = consumerFilters(o.config);
  }

  matchesFilter(subject: string): boolean {
    const f = this.filters;
    if (f.length === 0) return true;
    for (let i = 0; i < f.length; i++) if (subjectMatchesFilter(subject, f[i]!)) return true;
    return false;
  }

  /** A matching message was stored (processStreamSignal's count). */
  counted(seq: number): void {
    if (seq > this.npcm) this.npc++;
  }

  /** A message that was counted as pending left the stream undelivered. */
  uncount(seq: number, subject: string): void {
    if (seq >= this.o.state.sseq && this.matchesFilter(subject) && this.npc > 0) this.npc--;
  }

  /** getNextMsg */
  next(): Candidate | null | typeof STALLED {
    const s = this.o.state;
    const undo = {
      sseq: s.sseq,
      skipIndex: this.skip?.index ?? 0,
      skip: this.skip,
      redelivered: false,
      npc: this.npc,
    };
    const redelivery = this.nextRedelivery();
    if (redelivery !== null) {
      undo.redelivered = true;
      return this.prepare(redelivery.msg, redelivery.dc, undo);
    }
    const skipping = this.skip !== null && this.skip.index < this.skip.seqs.length;
    const from = skipping ? this.skip!.seqs[this.skip!.index]! : s.sseq;
    const maxp = this.o.config.max_ack_pending ?? 0;
    if (maxp > 0 && s.pending.size >= maxp) return STALLED;
    if (skipping) {
      this.skip!.index++;
      if (this.skip!.index >= this.skip!.seqs.length) {
        s.sseq = this.skip!.resume;
        this.skip = null;
      }
    }
    const msg = this.loadNext(from);
    if (msg === null) {
      // Nothing matches up to the end: later scans can start past it (ErrStoreEOF moves sseq).
      const last = this.o.stream.store.state().lastSeq;
      if (last + 1 > s.sseq) s.sseq = last + 1;
      return null;
    }
    if (msg.seq >= s.sseq) s.sseq = msg.seq + 1;
    return this.prepare(msg, 1, undo);
  }

  /** The next queued redelivery still in the stream; drops those past max_deliver (with the advisory). */
  private nextRedelivery(): { msg: StoredMessage; dc: number } | null {
    const o = this.o;
    const s = o.state;
    while (s.rdq.size > 0) {
      const seq = s.rdq.shift();
      if (seq === 0) break;
      const dc = s.incDeliveryCount(seq);
      const maxDeliver = o.config.max_deliver ?? -1;
      if (maxDeliver > 0 && dc > maxDeliver) {
        if (dc === maxDeliver + 1) o.acks.maxDeliveriesReached(seq, dc - 1);
        s.pending.delete(seq);
        continue;
      }
      const msg = o.stream.store.load(seq);
      if (msg === null) {
        // Gone from the stream meanwhile: nothing left to redeliver or to wait for.
        s.pending.delete(seq);
        s.rdc.delete(seq);
        continue;
      }
      return { msg, dc };
    }
    return null;
  }

  /** The next message at or after `seq` matching the filters (the smallest over several filters). */
  private loadNext(seq: number): StoredMessage | null {
    const store = this.o.stream.store;
    const f = this.filters;
    if (f.length <= 1) return store.loadNextMatching(seq, f.length === 0 ? null : f[0]!);
    let best: StoredMessage | null = null;
    for (const filter of f) {
      const m = store.loadNextMatching(seq, filter);
      if (m !== null && (best === null || m.seq < best.seq)) best = m;
    }
    return best;
  }

  /** Builds the delivery: ack reply (with num_pending after this one), headers_only, size. */
  private prepare(msg: StoredMessage, dc: number, undo: Candidate["undo"]): Candidate {
    if (dc === 1 && this.npcm > 0 && this.npc > 0) this.npc--;
    const o = this.o;
    const reply = buildAckReply(
      this.ackPrefix,
      dc,
      msg.seq,
      o.state.dseq,
      msg.ts,
      msg.tsNanos,
      this.numPending(),
    );
    let headers = msg.headers;
    let payload = msg.payload;
    if (o.config.headers_only === true) {
      headers = headersOnly(headers, payload.length);
      payload = EMPTY;
    }
    const size =
      Buffer.byteLength(msg.subject) + Buffer.byteLength(reply) + (headers?.length ?? 0) + payload.length;
    return { msg, dc, reply, headers, payload, size, undo };
  }

  /** No pull request could take the message: put everything back as it was. */
  undo(cand: Candidate): void {
    const s = this.o.state;
    const u = cand.undo;
    s.sseq = u.sseq;
    this.skip = u.skip;
    if (this.skip !== null) this.skip.index = u.skipIndex;
    this.npc = u.npc;
    if (u.redelivered) {
      const n = (s.rdc.get(cand.msg.seq) ?? 1) - 1;
      if (n > 0) s.rdc.set(cand.msg.seq, n);
      else s.rdc.delete(cand.msg.seq);
      s.rdq.unshift(cand.msg.seq);
    }
  }

  /** numPending: the cached count, recomputed when nothing is cached. */
  numPending(): number {
    if (this.npcm === 0) this.streamNumPending();
    return Math.max(0, this.npc);
  }

  /** streamNumPending: recount matching messages (subjects, for last_per_subject) at or after sseq. */
  streamNumPending(): number {
    const store = this.o.stream.store;
    const sseq = this.o.state.sseq;
    const lastPer = this.o.config.deliver_policy === "last_per_subject";
    const filters = this.filters.length === 0 ? [null] : this.filters;
    let count = 0;
    let last = 0;
    for (const f of filters) {
      count += store.numPending(sseq, f, lastPer);
      const fs = store.filteredState(sseq, f);
      if (fs.last > last) last = fs.last;
    }
    this.npc = count;
    this.npcm = last;
    return count;
  }
}

/** convertToHeadersOnly: keep the headers, drop the payload, add `Nats-Msg-Size`. */
export function headersOnly(headers: Buffer | null, payloadSize: number): Buffer {
  const tail = `Nats-Msg-Size: ${payloadSize}\r\n\r\n`;
  if (headers === null || headers.length === 0) return Buffer.from(`NATS/1.0\r\n${tail}`);
  return Buffer.concat([headers.subarray(0, headers.length - 2), Buffer.from(tail)]);
}

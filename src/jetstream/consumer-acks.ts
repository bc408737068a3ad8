// What a consumer does with acknowledgements (nats-server consumer.go processAck and friends): reads each
// ack sent to its `$JS.ACK.…` subjects, applies it to the ack state, tells the stream (interest and
// workqueue retention), publishes advisories, answers double acks, and runs the one ack-wait timer.

import type { Subscription } from "../core/subscription.js";
import type { RemoveReason } from "../storage/store.js";
import { parseAck, parseAckReply } from "./ack.js";
import { ackMetric, deliveryAdvisory, maxDeliveriesAdvisory } from "./advisories.js";
import type { Consumer } from "./consumer.js";
import { ackWaitMs, parseSampleFrequency } from "./consumer-config.js";
import { nanosToMs } from "./consumer-duration.js";

/** nats-server ackWaitDelay: fire a little late so acks arriving together are handled in one pass. */
const ACK_WAIT_DELAY_MS = 1;
const EMPTY = Buffer.alloc(0);

export class ConsumerAcks {
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  /** Removals seen from the store, applied after the store is done (it must not be re-entered). */
  private removed: { seq: number; subject: string }[] = [];
  private removalScheduled = false;
  /** Pending messages a purge removed, until the stream says which purge it was. */
  private purgedPending: number[] = [];

  constructor(private readonly o: Consumer) {}

  /** The handler of the ack subscription. */
  readonly onAckMessage = (
    _sub: Subscription,
    subject: string,
    reply: string | null,
    _headers: Buffer | null,
    payload: Buffer,
  ): void => {
    if (this.o.closed) return;
    this.processAck(subject, reply, payload);
    this.o.activity();
  };

  /** processAck */
  processAck(subject: string, reply: string | null, payload: Buffer): void {
    const info = parseAckReply(subject);
    const ack = parseAck(payload);
    let answer = info !== null && info.streamSeq !== 0;
    if (info !== null) {
      const { streamSeq: sseq, deliverySeq: dseq, deliveryCount: dc } = info;
      switch (ack.kind) {
        case "ack":
          this.ackMsg(sseq, dseq, dc, true);
          break;
        case "next":
          this.ackMsg(sseq, dseq, dc, true);
          // The reply of a +NXT is where the next message goes, not an ack confirmation.
          if (reply !== null) this.o.processNextRequest(reply, ack.nextRequest ?? EMPTY);
          answer = false;
          break;
        case "nak":
          if (ack.badNakDelay !== null) {
            this.o.env.ctx.logger.warn(
              `JetStream consumer '${this.o.env.ctx.client.account.name} > ${this.o.stream.name} > ${this.o.name}' bad NAK delay value: ${JSON.stringify(ack.badNakDelay)}`,
            );
          }
          this.nak(sseq, dseq, dc, ack.nakDelayNanos);
          break;
        case "progress":
          this.progress(sseq);
          break;
        case "term":
          this.term(sseq, dseq, dc);
          break;
        case "unknown":
          break;
      }
    }
    // A reply on the ack asks for confirmation (double ack); nats-server sends an empty message.
    if (answer && reply !== null && reply !== "") this.o.env.ctx.client.publish(reply, null, null, EMPTY);
  }

  /** processAckMsg */
  ackMsg(sseq: number, dseq: number, dc: number, sample: boolean): void {
    const o = this.o;
    const s = o.state;
    const policy = o.config.ack_policy;
    if (policy === "none") return;
    const maxp = o.config.max_ack_pending ?? 0;
    const wasFull = maxp > 0 && s.pending.size >= maxp;
    const p = s.pending.get(sseq);
    if (sample && p !== undefined && policy === "explicit") this.sample(sseq, p.dseq, dc, p.ts);
    const acked = s.ack(policy, sseq, dseq);
    if (acked === null) return;
    o.lastAcked = o.env.now();
    o.stateStore?.markDirty();
    if (o.stream.config.retention !== "limits") {
      for (const seq of acked) o.stream.consumerAcked(o.name, seq);
    }
    if (s.pending.size === 0) this.stopTimer();
    if (wasFull) o.kick();
  }

  /** sampleAck: an ack latency metric for sample_freq percent of acks. */
  private sample(sseq: number, dseq: number, dc: number, deliveredAt: number): void {
    const freq = parseSampleFrequency(this.o.config.sample_freq ?? "") ?? 0;
    if (freq <= 0 || (freq < 100 && Math.floor(Math.random() * 100) > freq)) return;
    const o = this.o;
    const latency = (o.env.now() - deliveredAt) * 1_000_000;
    o.sendAdvisory(ackMetric(o.stream.name, o.name, dseq, sseq, latency, dc));
  }

  /** processNak: redeliver now, or after the given delay. */
  nak(sseq: number, dseq: number, dc: number, delayNanos: number | null): void {
    const o = this.o;
    const s = o.state;
    if (!s.inAckRange(dseq)) return;
    if (s.pending.size > 0 && !s.pending.has(sseq)) return;
    o.sendAdvisory(deliveryAdvisory("nak", o.stream.name, o.name, dseq, sseq, dc));
    if (delayNanos !== null) {
      s.rdq.remove(sseq);
      const p = s.pending.get(sseq);
      if (p !== undefined) {
        // Expired exactly when the delay has passed: as if delivered ack_wait earlier, plus the delay.
        p.ts = o.env.now() - ackWaitMs(o.config) + delayNanos / 1_000_000;
        o.stateStore?.markDirty();
        this.armTimer(10);
      }
      return;
    }
    s.rdq.push(sseq);
    o.kick();
  }

  /** progressUpdate (+WPI): the ack wait starts over. */
  progress(sseq: number): void {
    const o = this.o;
    const p = o.state.pending.get(sseq);
    if (p === undefined) return;
    p.ts = o.env.now();
    o.stateStore?.markDirty();
  }

  /** processTerm: no more deliveries of this message; acknowledged as far as the stream is concerned. */
  term(sseq: number, dseq: number, dc: number): void {
    const o = this.o;
    this.ackMsg(sseq, dseq, dc, false);
    o.sendAdvisory(deliveryAdvisory("terminated", o.stream.name, o.name, dseq, sseq, dc));
  }

  /** notifyDeliveryExceeded */
  maxDeliveriesReached(sseq: number, deliveries: number): void {
    const o = this.o;
    o.sendAdvisory(maxDeliveriesAdvisory(o.stream.name, o.name, sseq, deliveries));
  }

  // --- the ack wait timer (one per consumer) ---

  /** Makes sure the timer runs: at ack_wait from now, or at `inMs` when sooner. */
  armTimer(inMs?: number): void {
    if (this.o.closed) return;
    const delay = inMs ?? ackWaitMs(this.o.config) + ACK_WAIT_DELAY_MS;
    const at = this.o.env.now() + delay;
    if (this.timer !== null) {
      if (inMs === undefined || this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => this.checkPending(), Math.max(1, delay));
  }

  /** After restart with pending acks: check soon (0.5..1.5s, or ack_wait if shorter), as nats-server does. */
  armAfterRestore(): void {
    let delay = 500 + Math.floor(Math.random() * 1000);
    const wait = ackWaitMs(this.o.config);
    if (wait < delay) delay = wait + ACK_WAIT_DELAY_MS;
    this.armTimer(delay);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = 0;
  }

  /** checkPending: queue what waited too long for its ack, and re-arm for the next deadline. */
  private checkPending(): void {
    this.timer = null;
    this.timerAt = 0;
    const o = this.o;
    if (o.closed) return;
    const backoff = (o.config.backoff ?? []).map(nanosToMs);
    const first = o.stream.store.state().firstSeq;
    const { expired, nextMs, dropped } = o.state.expire(o.env.now(), ackWaitMs(o.config), backoff, first);
    if (expired.length > 0) o.kick();
    if (nextMs > 0) this.armTimer(nextMs + ACK_WAIT_DELAY_MS);
    if (dropped.length > 0) o.stateStore?.writeState();
  }

  /** forceExpirePending: everything unacknowledged is redelivered now (the deliver subject changed). */
  forceExpirePending(): void {
    const s = this.o.state;
    const now = this.o.env.now();
    const expired = [...s.pending.keys()].filter((seq) => !s.rdq.has(seq)).sort((a, b) => a - b);
    if (expired.length > 0) {
      const off = now - s.pending.get(expired[0]!)!.ts;
      for (const seq of expired) {
        s.rdq.push(seq);
        s.pending.get(seq)!.ts += off;
      }
      this.armTimer();
    }
    this.o.kick();
  }

  // --- stream removals ---

  /**
   * The store removed a message (limits, TTL, delete, another consumer's workqueue ack). Applied after
   * the store returns: a pending message is terminated (decStreamPending), an undelivered one uncounted.
   */
  messageRemoved(seq: number, subject: string, reason: RemoveReason): void {
    if (this.o.closed || reason === "compact") return;
    if (reason === "purge") {
      // Only a purge by subject terminates what it removes (see purged); pending ones are all that matter.
      if (this.o.state.pending.has(seq)) this.purgedPending.push(seq);
      return;
    }
    this.removed.push({ seq, subject });
    if (this.removalScheduled) return;
    this.removalScheduled = true;
    queueMicrotask(() => this.applyRemovals());
  }

  private applyRemovals(): void {
    this.removalScheduled = false;
    const removed = this.removed;
    this.removed = [];
    const o = this.o;
    if (o.closed) return;
    for (const { seq, subject } of removed) {
      o.picker.uncount(seq, subject);
      const p = o.state.pending.get(seq);
      if (p !== undefined) this.term(seq, p.dseq, o.state.deliveryCount(seq));
    }
  }

  /**
   * A purge moved the stream's (or the filter's) first sequence to `firstSeq`. nats-server's store
   * reports each message a purge by subject removes, and the consumer terminates those it was waiting
   * on (advisory, ack floor); a full purge is reported as a whole and only moves the floors.
   */
  purged(firstSeq: number, bySubject: boolean): void {
    const o = this.o;
    const pending = this.purgedPending;
    this.purgedPending = [];
    if (bySubject) {
      for (const seq of pending) {
        const p = o.state.pending.get(seq);
        if (p !== undefined) this.term(seq, p.dseq, o.state.deliveryCount(seq));
      }
    }
    o.state.purged(firstSeq);
    if (o.state.pending.size === 0) this.stopTimer();
    o.picker.streamNumPending();
    o.stateStore?.writeState();
    o.kick();
  }

  stop(): void {
    this.stopTimer();
    this.removed = [];
    this.purgedPending = [];
  }
}

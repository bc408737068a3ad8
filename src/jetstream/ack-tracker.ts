// A consumer's acknowledgement state and its rules (nats-server consumer.go processAckMsg, processNak,
// progressUpdate, checkPending): delivered and ack-floor sequences, messages awaiting an ack with their
// delivery times, redelivery counts, and the queue of messages due for redelivery.

import type { AckPolicy } from "./consumer-config.js";

/** A delivered message awaiting its ack: its consumer sequence and when it was (re)delivered (ms). */
export interface PendingEntry {
  dseq: number;
  ts: number;
}

/**
 * Messages due for redelivery, in order, without duplicates. Removal from the middle only forgets the
 * sequence; its slot is skipped when reached (O(1) instead of nats-server's O(n) splice).
 */
export class RedeliveryQueue {
  private order: number[] = [];
  private head = 0;
  private readonly members = new Set<number>();

  get size(): number {
    return this.members.size;
  }

  has(seq: number): boolean {
    return this.members.has(seq);
  }

  push(seq: number): void {
    if (this.members.has(seq)) return;
    this.members.add(seq);
    this.order.push(seq);
  }

  /** Puts a sequence back at the front (a delivery that could not be made after all). */
  unshift(seq: number): void {
    if (this.members.has(seq)) return;
    this.members.add(seq);
    if (this.head > 0) this.order[--this.head] = seq;
    else this.order.unshift(seq);
  }

  remove(seq: number): boolean {
    return this.members.delete(seq);
  }

  /** The next sequence to redeliver, or 0 when none. */
  shift(): number {
    while (this.head < this.order.length) {
      const seq = this.order[this.head++]!;
      if (this.members.delete(seq)) {
        this.compact();
        return seq;
      }
    }
    this.clear();
    return 0;
  }

  /** The next sequence without taking it, or 0. */
  peek(): number {
    while (this.head < this.order.length) {
      const seq = this.order[this.head]!;
      if (this.members.has(seq)) return seq;
      this.head++;
    }
    return 0;
  }

  clear(): void {
    this.order = [];
    this.head = 0;
    this.members.clear();
  }

  values(): number[] {
    return this.order.slice(this.head).filter((s) => this.members.has(s));
  }

  private compact(): void {
    if (this.head === this.order.length) {
      this.order = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

/** Sequences of one consumer. `sseq`/`dseq` are the NEXT stream/consumer sequences (delivered = value - 1). */
export class AckState {
  sseq = 1;
  dseq = 1;
  /** Ack floor: every delivery at or below it is acknowledged. */
  adflr = 0;
  asflr = 0;
  readonly pending = new Map<number, PendingEntry>();
  /** Stream sequence → times redelivered (delivery count - 1). */
  readonly rdc = new Map<number, number>();
  readonly rdq = new RedeliveryQueue();

  /** Counts one more redelivery of `seq`; returns its delivery count (incDeliveryCount). */
  incDeliveryCount(seq: number): number {
    const n = (this.rdc.get(seq) ?? 0) + 1;
    this.rdc.set(seq, n);
    return n + 1;
  }

  deliveryCount(seq: number): number {
    return (this.rdc.get(seq) ?? 0) + 1;
  }

  /** trackPending: a delivery awaits its ack (a redelivery only refreshes its time). */
  trackPending(sseq: number, dseq: number, now: number): void {
    const p = this.pending.get(sseq);
    if (p !== undefined) p.ts = now;
    else this.pending.set(sseq, { dseq, ts: now });
  }

  /**
   * processAckMsg for explicit and all. Returns the stream sequences newly acknowledged (for interest
   * and workqueue retention), or null when the ack changed nothing (ack none, or below the floor).
   */
  ack(policy: AckPolicy, sseq: number, dseq: number): number[] | null {
    if (policy === "explicit") return this.ackExplicit(sseq, dseq);
    if (policy === "all") return this.ackAll(sseq, dseq);
    return null;
  }

  private ackExplicit(sseq: number, dseq: number): number[] {
    const p = this.pending.get(sseq);
    let known = false;
    if (p !== undefined) {
      this.pending.delete(sseq);
      // The pending record knows the delivery this message really had.
      dseq = p.dseq;
      known = true;
    }
    if (this.pending.size === 0) {
      this.adflr = this.dseq - 1;
      this.asflr = this.sseq - 1;
    } else if (dseq === this.adflr + 1) {
      this.adflr = dseq;
      this.asflr = sseq;
      this.moveFloorToFirstPending(sseq);
    }
    this.rdc.delete(sseq);
    this.rdq.remove(sseq);
    // Only deliveries this consumer made count for retention: a forged ack of an undelivered message
    // must not let a workqueue stream drop it (nats-server would).
    return known || sseq < this.sseq ? [sseq] : [];
  }

  /** After the floor moved to `sseq`: up to just below the next pending message. */
  private moveFloorToFirstPending(sseq: number): void {
    let first: number | undefined;
    if (this.sseq - sseq <= this.pending.size * 4) {
      for (let s = sseq + 1; s < this.sseq; s++) {
        if (this.pending.has(s)) {
          first = s;
          break;
        }
      }
    } else {
      for (const s of this.pending.keys()) if (s > sseq && (first === undefined || s < first)) first = s;
    }
    if (first === undefined) return;
    const p = this.pending.get(first)!;
    if (p.dseq > 0) {
      this.adflr = p.dseq - 1;
      this.asflr = first - 1;
    }
  }

  private ackAll(sseq: number, dseq: number): number[] | null {
    if (dseq <= this.adflr || sseq <= this.asflr) return null;
    // Never ack past what was delivered.
    if (sseq >= this.sseq || dseq >= this.dseq) return null;
    const from = this.asflr + 1;
    this.adflr = dseq;
    this.asflr = sseq;
    const acked: number[] = [];
    for (const s of [...this.pending.keys()]) {
      if (s <= sseq) this.pending.delete(s);
    }
    for (const s of [...this.rdc.keys()]) if (s <= sseq) this.rdc.delete(s);
    for (const s of this.rdq.values()) if (s <= sseq) this.rdq.remove(s);
    for (let s = from; s <= sseq; s++) acked.push(s);
    return acked;
  }

  /** Whether a NAK/WPI/TERM for this delivery is still meaningful (processNak's range check). */
  inAckRange(dseq: number): boolean {
    return dseq > this.adflr && dseq < this.dseq;
  }

  /**
   * checkPending: which pending messages' ack time ran out (ack_wait, or the backoff step of their
   * delivery count). Expired ones get a fresh time, spaced to keep their order. Returns them sorted,
   * the ms until the next one is due (0 = nothing pending), and the sequences dropped because the
   * stream no longer holds them.
   */
  expire(now: number, ackWaitMs: number, backoffMs: readonly number[], firstSeq: number) {
    let next = backoffMs.length > 0 ? backoffMs[backoffMs.length - 1]! : ackWaitMs;
    const expired: number[] = [];
    const dropped: number[] = [];
    for (const [seq, p] of this.pending) {
      if (seq < firstSeq) {
        this.pending.delete(seq);
        this.rdc.delete(seq);
        this.rdq.remove(seq);
        dropped.push(seq);
        continue;
      }
      let deadline = ackWaitMs;
      if (backoffMs.length > 0) {
        let step = this.rdc.get(seq) ?? 0;
        let nextStep = step + 1;
        if (step + 1 >= backoffMs.length) {
          step = backoffMs.length - 1;
          nextStep = step;
        }
        deadline = backoffMs[step]!;
        if (backoffMs[nextStep]! < next) next = backoffMs[nextStep]!;
      }
      const elapsed = now - p.ts;
      if (elapsed >= deadline) {
        if (!this.rdq.has(seq)) expired.push(seq);
      } else if (deadline - elapsed < next) {
        next = deadline - elapsed;
      }
    }
    if (expired.length > 0) {
      expired.sort((a, b) => a - b);
      const off = now - this.pending.get(expired[0]!)!.ts;
      for (const seq of expired) {
        this.rdq.push(seq);
        this.pending.get(seq)!.ts += off;
      }
    }
    return { expired, nextMs: this.pending.size > 0 ? next : 0, dropped };
  }

  /**
   * A purge removed everything below `firstSeq` (nats-server consumer.purge): move past it and forget
   * the acks and redeliveries it made moot.
   */
  purged(firstSeq: number): void {
    if (this.sseq < firstSeq) this.sseq = firstSeq;
    for (const seq of [...this.pending.keys()]) {
      if (seq < firstSeq) {
        this.pending.delete(seq);
        this.rdq.remove(seq);
      }
    }
    for (const seq of [...this.rdc.keys()]) if (seq < firstSeq) this.rdc.delete(seq);
    if (this.asflr < firstSeq) {
      const lowest = this.lowestPending();
      if (lowest === 0) {
        this.asflr = firstSeq - 1;
        this.adflr = this.dseq - 1;
      } else {
        this.asflr = Math.min(firstSeq, lowest) - 1;
        this.adflr = this.pending.get(lowest)!.dseq - 1;
      }
    }
  }

  /** The lowest pending stream sequence, 0 when nothing is pending. */
  lowestPending(): number {
    let lowest = 0;
    for (const seq of this.pending.keys()) if (lowest === 0 || seq < lowest) lowest = seq;
    return lowest;
  }
}

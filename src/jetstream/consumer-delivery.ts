// Push consumers' delivery controls (nats-server consumer.go): flow control windows, idle heartbeats,
// the rate limiter, and watching a deliver subject for interest (one poller per account, not per consumer).

import { randomBytes } from "node:crypto";
import type { Account } from "../core/account.js";
import { deliverTo } from "../core/router.js";
import type { InterestListener, Sublist } from "../core/sublist.js";

/** nats-server JsFlowControlMaxPending: the most bytes in flight; the window starts at 1/16 of it. */
export const FLOW_CONTROL_MAX_PENDING = 32 * 1024 * 1024;
export const FLOW_CONTROL_PREFIX = "$JS.FC.";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `n` random base-62 characters (nats-server's digits alphabet). */
export function randomBase62(n: number): string {
  const bytes = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += BASE62[bytes[i]! % 62];
  return s;
}

/**
 * Flow control of one push consumer: bytes delivered since the client last answered a flow-control
 * request. Past half the window a request goes out; past the window delivery stops until it is
 * answered. Each answer doubles the window up to FLOW_CONTROL_MAX_PENDING (slow start).
 */
export class FlowControl {
  private pendingBytes = 0;
  private window: number;
  private outstanding = "";
  private outstandingBytes = 0;

  constructor(
    private readonly subjectPrefix: string,
    private readonly limit = FLOW_CONTROL_MAX_PENDING,
  ) {
    this.window = Math.max(1, Math.floor(limit / 16));
  }

  /** `$JS.FC.<stream>.<consumer>.*`: where the answers come back. */
  get subscription(): string {
    return `${this.subjectPrefix}*`;
  }

  /** The subject of the flow-control request awaiting an answer, "" when none (heartbeats report it). */
  get stalledOn(): string {
    return this.outstanding;
  }

  blocked(): boolean {
    return this.pendingBytes > this.window;
  }

  /**
   * Counts a delivery of `size` bytes. Returns the reply subject of a flow-control request to send
   * now, or null (needFlowControl).
   */
  delivered(size: number): string | null {
    this.pendingBytes += size;
    if (this.outstanding === "" && this.pendingBytes > this.window / 2) {
      this.outstanding = `${this.subjectPrefix}${randomBase62(4)}`;
      this.outstandingBytes = this.pendingBytes;
      return this.outstanding;
    }
    if (this.outstanding !== "" && this.pendingBytes - this.outstandingBytes >= this.window) {
      this.outstandingBytes += size;
    }
    return null;
  }

  /** An answer arrived on `subject`; true when it was the one awaited (delivery may resume). */
  answered(subject: string): boolean {
    if (subject !== this.outstanding) return false;
    if (this.window < this.limit) this.window = Math.min(this.limit, this.window * 2);
    this.pendingBytes = Math.max(0, this.pendingBytes - this.outstandingBytes);
    this.outstanding = "";
    this.outstandingBytes = 0;
    return true;
  }

  /** The deliver subject changed or interest came back: start over. */
  reset(): void {
    this.pendingBytes = 0;
    this.outstanding = "";
    this.outstandingBytes = 0;
  }
}

/**
 * rate_limit_bps as a token bucket in bytes (golang.org/x/time/rate with burst = the largest message):
 * `reserve` takes the bytes and says how long to wait before sending them.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly bytesPerMs: number;

  constructor(
    bitsPerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.bytesPerMs = bitsPerSecond / 8 / 1000;
    this.tokens = burst;
    this.last = now;
  }

  /** Milliseconds to wait before sending `size` bytes (0 = now); the bytes are taken either way. */
  reserve(size: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.bytesPerMs);
    this.last = now;
    // A message larger than the burst could never fit; count it as a full burst instead of stalling forever.
    this.tokens -= Math.min(size, this.burst);
    if (this.tokens >= 0 || this.bytesPerMs <= 0) return 0;
    return Math.ceil(-this.tokens / this.bytesPerMs);
  }
}

/**
 * Tells push consumers when their deliver subject gains or loses interest. The core sublist has no
 * per-subject notifications, so one timer per account polls while anyone watches, and re-matches the
 * watched subjects only after the sublist's generation changed (a subscribe or unsubscribe happened).
 */
export class InterestWatch {
  private readonly watchers = new Map<
    object,
    { subject: string; known: boolean; onChange: (i: boolean) => void }
  >();
  private timer: NodeJS.Timeout | null = null;
  private seenGeneration = -1;
  private checkQueued = false;
  private readonly onInterestChanged = () => {
    if (this.checkQueued) return;
    this.checkQueued = true;
    // Once per burst of SUB/UNSUBs: after the current read is processed, before the next I/O.
    queueMicrotask(() => {
      this.checkQueued = false;
      this.poll();
    });
  };

  /**
   * With `accountWatchers` (the account's interest watcher set) changes are seen as they happen; without,
   * the sublist's generation is polled every `pollMs`.
   */
  constructor(
    private readonly sublist: Sublist,
    private readonly pollMs = 10,
    private readonly accountWatchers: Set<InterestListener> | null = null,
  ) {}

  hasInterest(subject: string): boolean {
    return this.sublist.hasInterest(subject);
  }

  /**
   * Calls `onChange` whenever interest in `subject` differs from what `owner` last knew (`known`).
   * Replaces an earlier watch by the same owner.
   */
  watch(owner: object, subject: string, known: boolean, onChange: (interest: boolean) => void): void {
    const w = { subject, known, onChange };
    this.watchers.set(owner, w);
    const now = this.sublist.hasInterest(subject);
    if (now !== known) {
      w.known = now;
      queueMicrotask(() => {
        if (this.watchers.get(owner) === w) onChange(now);
      });
    }
    if (this.accountWatchers !== null) {
      this.accountWatchers.add(this.onInterestChanged);
      return;
    }
    if (this.timer === null) {
      this.seenGeneration = this.sublist.generation;
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
  }

  unwatch(owner: object): void {
    this.watchers.delete(owner);
    if (this.watchers.size === 0) {
      this.accountWatchers?.delete(this.onInterestChanged);
      if (this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }
  }

  get size(): number {
    return this.watchers.size;
  }

  private poll(): void {
    const generation = this.sublist.generation;
    if (generation === this.seenGeneration) return;
    this.seenGeneration = generation;
    for (const w of [...this.watchers.values()]) {
      const interest = this.sublist.hasInterest(w.subject);
      if (interest === w.known) continue;
      w.known = interest;
      w.onChange(interest);
    }
  }
}

/**
 * Idle heartbeats of a push consumer: one timer that fires every interval and sends a heartbeat when
 * nothing was delivered for a whole interval (nats-server resets its timer on each delivery; checking
 * the last delivery time avoids touching the timer per message).
 */
export class IdleHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private lastActivity: number;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly send: () => void,
  ) {
    this.lastActivity = now();
  }

  start(): void {
    if (this.timer !== null || this.intervalMs <= 0) return;
    this.arm(this.intervalMs);
  }

  /** A message went out: the next heartbeat is a full interval away. */
  touch(now: number): void {
    this.lastActivity = now;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(1, delay));
  }

  private fire(): void {
    this.timer = null;
    const now = this.now();
    const idle = now - this.lastActivity;
    if (idle >= this.intervalMs) {
      this.send();
      this.lastActivity = now;
      this.arm(this.intervalMs);
    } else {
      this.arm(this.intervalMs - idle);
    }
  }
}

/**
 * Delivers a stream message to the subscribers of `deliverSubject` (a push deliver subject or a pull
 * request's reply) while presenting the message's own subject, as nats-server does for consumer
 * deliveries (`MSG <stream subject> <sid> <ack reply>`). Same rules as the core router: every plain
 * subscriber, one member per queue group, auto-unsubscribe limits. Returns the number of deliveries.
 */
export function deliverAs(
  account: Account,
  deliverSubject: string,
  subject: string,
  reply: string,
  headers: Buffer | null,
  payload: Buffer,
): number {
  const result = account.sublist.match(deliverSubject);
  let delivered = 0;
  for (const sub of result.psubs) if (deliverTo(sub, subject, reply, headers, payload)) delivered++;
  for (const group of result.qsubs) {
    const n = group.length;
    const start = n <= 1 ? 0 : Math.floor(Math.random() * n);
    for (let k = 0; k < n; k++) {
      if (deliverTo(group[(start + k) % n]!, subject, reply, headers, payload)) {
        delivered++;
        break;
      }
    }
  }
  return delivered;
}

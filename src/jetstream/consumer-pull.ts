// Pull consumers' waiting requests (nats-server waitQueue, nextReqFromMsg, processWaiting): parsing a
// MSG.NEXT request, the bounded FIFO of requests served round-robin, and the status replies
// (404 No Messages, 408 Request Timeout, 409 ..., 100 Idle Heartbeat) with nats-server's exact headers.

import { nanosToMs } from "./consumer-duration.js";
import { goJsonSyntaxError } from "./consumer-json-errors.js";

export const PENDING_MSGS_HEADER = "Nats-Pending-Messages";
export const PENDING_BYTES_HEADER = "Nats-Pending-Bytes";

/** One pull request waiting for messages. Times are Date.now() milliseconds; 0 = none. */
export interface WaitingRequest {
  reply: string;
  /** Messages still to send (may start at 0 or below: nats-server then still sends one). */
  n: number;
  /** Messages sent so far. */
  d: number;
  /** Bytes still allowed, 0 = no byte limit. */
  b: number;
  expires: number;
  received: number;
  /** Idle heartbeat interval in ms, 0 = none. */
  hb: number;
  /** When the next idle heartbeat is due. */
  hbt: number;
  noWait: boolean;
}

/** A parsed MSG.NEXT payload, or the text of a 400 Bad Request. */
export type NextRequest =
  | {
      ok: true;
      batch: number;
      maxBytes: number;
      noWait: boolean;
      /** Absolute expiry (ms), 0 = none. */
      expires: number;
      /** Heartbeat interval in ms, 0 = none. */
      heartbeat: number;
      /** Expiry as requested, in nanoseconds (for the MaxRequestExpires check). */
      expiresNanos: number;
    }
  | { ok: false; error: string };

/** nextReqFromMsg: empty = one message; a JSON request; or a plain batch number. */
export function parseNextRequest(payload: Buffer, now: number): NextRequest {
  const text = payload.toString("utf8").trim();
  const plain = {
    ok: true as const,
    batch: 1,
    maxBytes: 0,
    noWait: false,
    expires: 0,
    heartbeat: 0,
    expiresNanos: 0,
  };
  if (text.length === 0) return plain;
  if (text[0] !== "{") {
    // nats-server uses strconv.Atoi and falls back to a batch of one when it fails.
    if (/^[+-]?[0-9]+$/.test(text)) plain.batch = Number.parseInt(text, 10);
    return plain;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: goJsonSyntaxError(text) };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      ok: false,
      error: `json: cannot unmarshal ${jsonTypeName(raw)} into Go value of type server.JSApiConsumerGetNextRequest`,
    };
  }
  const fields = readNextFields(raw as Record<string, unknown>);
  if (typeof fields === "string") return { ok: false, error: fields };
  const { expires, batch, maxBytes, noWait, heartbeat } = fields;
  if (heartbeat > 0 && heartbeat * 2 > expires) return { ok: false, error: "heartbeat value too large" };
  return {
    ok: true,
    batch,
    maxBytes,
    noWait,
    expires: expires === 0 ? 0 : now + nanosToMs(expires),
    heartbeat: nanosToMs(heartbeat),
    expiresNanos: expires,
  };
}

const NEXT_FIELDS: Readonly<Record<string, readonly [string, "duration" | "int" | "bool"]>> = {
  expires: ["expires", "duration"],
  batch: ["batch", "int"],
  max_bytes: ["max_bytes", "int"],
  no_wait: ["no_wait", "bool"],
  idle_heartbeat: ["idle_heartbeat", "duration"],
};

/** JSApiConsumerGetNextRequest fields, with Go's unmarshal error text on a wrong type. */
function readNextFields(obj: Record<string, unknown>) {
  const out = { expires: 0, batch: 0, maxBytes: 0, noWait: false, heartbeat: 0 };
  for (const [rawKey, value] of Object.entries(obj)) {
    const spec = NEXT_FIELDS[rawKey.toLowerCase()];
    if (spec === undefined || value === null) continue;
    const [name, kind] = spec;
    const goType = kind === "duration" ? "time.Duration" : kind;
    if (
      kind === "bool" ? typeof value !== "boolean" : typeof value !== "number" || !Number.isInteger(value)
    ) {
      // Go names the number only when it was read as a number that did not fit (a fraction in an int).
      const what = typeof value === "number" && kind !== "bool" ? `number ${value}` : jsonTypeName(value);
      return `json: cannot unmarshal ${what} into Go struct field JSApiConsumerGetNextRequest.${name} of type ${goType}`;
    }
    if (name === "expires") out.expires = value as number;
    else if (name === "batch") out.batch = value as number;
    else if (name === "max_bytes") out.maxBytes = value as number;
    else if (name === "no_wait") out.noWait = value as boolean;
    else out.heartbeat = value as number;
  }
  return out;
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "number";
  return typeof v;
}

/**
 * The waiting requests of one pull consumer: FIFO, bounded by max_waiting. As in nats-server, a request
 * that still wants more after receiving a message moves to the back, so concurrent requests share the flow.
 */
export class WaitQueue {
  private reqs: WaitingRequest[] = [];
  private head = 0;
  /** Last activity (a request received or served), for inactive_threshold. */
  last: number;

  constructor(
    readonly max: number,
    now: number,
  ) {
    this.last = now;
  }

  get length(): number {
    return this.reqs.length - this.head;
  }

  isFull(): boolean {
    return this.length >= this.max;
  }

  add(wr: WaitingRequest): boolean {
    if (this.isFull()) return false;
    this.reqs.push(wr);
    this.last = wr.received;
    return true;
  }

  peek(): WaitingRequest | null {
    return this.head < this.reqs.length ? this.reqs[this.head]! : null;
  }

  /** Counts one delivery against the head request; it moves to the back, or leaves when done. */
  pop(): WaitingRequest | null {
    const wr = this.peek();
    if (wr === null) return null;
    wr.d++;
    wr.n--;
    if (wr.n > 0 && this.length > 1) {
      this.removeHead();
      this.reqs.push(wr);
    } else if (wr.n <= 0) {
      this.removeHead();
    }
    return wr;
  }

  removeHead(): void {
    if (this.head >= this.reqs.length) return;
    this.head++;
    if (this.head === this.reqs.length) {
      this.reqs = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.reqs.length) {
      this.reqs = this.reqs.slice(this.head);
      this.head = 0;
    }
  }

  /** Keeps the requests for which `keep` returns true, in order. */
  filter(keep: (wr: WaitingRequest) => boolean): void {
    const kept: WaitingRequest[] = [];
    for (let i = this.head; i < this.reqs.length; i++) {
      const wr = this.reqs[i]!;
      if (keep(wr)) kept.push(wr);
    }
    this.reqs = kept;
    this.head = 0;
  }

  /** Removes and returns every request. */
  drain(): WaitingRequest[] {
    const all = this.reqs.slice(this.head);
    this.reqs = [];
    this.head = 0;
    return all;
  }

  forEach(fn: (wr: WaitingRequest) => void): void {
    for (let i = this.head; i < this.reqs.length; i++) fn(this.reqs[i]!);
  }
}

/** `NATS/1.0 <code> <text>\r\n\r\n` */
export function statusHeaders(code: number, text: string): Buffer {
  return Buffer.from(`NATS/1.0 ${code} ${text}\r\n\r\n`);
}

/** A status that tells the client what its request still had left (408 Request Timeout, 409 MaxBytes). */
export function pendingStatusHeaders(code: number, text: string, msgs: number, bytes: number): Buffer {
  return Buffer.from(
    `NATS/1.0 ${code} ${text}\r\n${PENDING_MSGS_HEADER}: ${msgs}\r\n${PENDING_BYTES_HEADER}: ${bytes}\r\n\r\n`,
  );
}

/** 100 Idle Heartbeat with the last delivered sequences; a push consumer stalled on flow control adds its FC subject. */
export function idleHeartbeatHeaders(
  lastConsumerSeq: number,
  lastStreamSeq: number,
  stalledOn: string,
): Buffer {
  const stalled = stalledOn === "" ? "" : `Nats-Consumer-Stalled: ${stalledOn}\r\n`;
  return Buffer.from(
    `NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ${lastConsumerSeq}\r\nNats-Last-Stream: ${lastStreamSeq}\r\n${stalled}\r\n`,
  );
}

export const STATUS_NO_MESSAGES = statusHeaders(404, "No Messages");
export const STATUS_REQUESTS_PENDING = statusHeaders(408, "Requests Pending");
export const STATUS_CONSUMER_DELETED = statusHeaders(409, "Consumer Deleted");
export const STATUS_PUSH_BASED = statusHeaders(409, "Consumer is push based");
export const STATUS_MAX_WAITING = statusHeaders(409, "Exceeded MaxWaiting");

/** What the pull machinery needs from its consumer. */
export interface PullHost {
  now(): number;
  /** Publishes a status message (no payload) to a request's reply subject. */
  sendStatus(subject: string, headers: Buffer): void;
  /** Whether anyone still listens on a request's reply subject. */
  hasInterest(subject: string): boolean;
  /** Messages a no_wait request could get now: num_pending plus queued redeliveries. */
  deliverableCount(): number;
  /** Last delivered consumer and stream sequences, for idle heartbeats. */
  lastDelivered(): { consumerSeq: number; streamSeq: number };
  /** Wake the delivery loop. */
  kick(): void;
}

/** The limits a pull consumer applies to requests (its config). */
/** A pull consumer's request limits from its config (0 = none). */
export function pullLimitsOf(c: {
  max_waiting?: number;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
}): PullLimits {
  return {
    maxWaiting: c.max_waiting ?? 0,
    maxBatch: c.max_batch ?? 0,
    maxExpires: c.max_expires ?? 0,
    maxBytes: c.max_bytes ?? 0,
  };
}

export interface PullLimits {
  maxWaiting: number;
  /** 0 = none. */
  maxBatch: number;
  /** Nanoseconds, 0 = none. */
  maxExpires: number;
  /** 0 = none. */
  maxBytes: number;
}

/** A pull consumer's waiting requests and their timers (one timer per consumer, at the earliest due time). */
export class PullRequests {
  readonly waiting: WaitQueue;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;

  constructor(
    private readonly host: PullHost,
    private limits: PullLimits,
  ) {
    this.waiting = new WaitQueue(limits.maxWaiting, host.now());
  }

  /** A config update changed the request limits (max_waiting cannot change). */
  updateLimits(maxBatch: number, maxExpires: number, maxBytes: number): void {
    this.limits = { maxWaiting: this.limits.maxWaiting, maxBatch, maxExpires, maxBytes };
  }

  /** processNextMsgRequest: validates, answers at once where nats-server does, else queues the request. */
  request(reply: string, payload: Buffer, describeExpires: (nanos: number) => string): void {
    const now = this.host.now();
    const req = parseNextRequest(payload, now);
    if (!req.ok) {
      this.host.sendStatus(reply, statusHeaders(400, `Bad Request - ${req.error}`));
      return;
    }
    const { maxBatch, maxExpires, maxBytes } = this.limits;
    if (maxBatch > 0 && req.batch > maxBatch) {
      this.host.sendStatus(reply, statusHeaders(409, `Exceeded MaxRequestBatch of ${maxBatch}`));
      return;
    }
    if (req.expires !== 0 && maxExpires > 0 && req.expiresNanos > maxExpires) {
      this.host.sendStatus(
        reply,
        statusHeaders(409, `Exceeded MaxRequestExpires of ${describeExpires(maxExpires)}`),
      );
      return;
    }
    if (req.maxBytes > 0 && maxBytes > 0 && req.maxBytes > maxBytes) {
      this.host.sendStatus(reply, statusHeaders(409, `Exceeded MaxRequestMaxBytes of ${maxBytes}`));
      return;
    }
    if (this.waiting.isFull()) this.process(false);
    if (req.noWait && !this.admitNoWait(reply, req.expires, now)) return;
    const wr: WaitingRequest = {
      reply,
      n: req.batch,
      d: 0,
      b: req.maxBytes,
      expires: req.expires,
      received: now,
      hb: req.heartbeat,
      hbt: req.heartbeat > 0 ? now + req.heartbeat : 0,
      noWait: req.noWait,
    };
    if (!this.waiting.add(wr)) {
      this.host.sendStatus(reply, STATUS_MAX_WAITING);
      return;
    }
    this.armTimer(this.nextDue(wr));
    this.host.kick();
  }

  /** A no_wait request with nothing to get is answered now (404, or 408 when others wait for more). */
  private admitNoWait(reply: string, expires: number, now: number): boolean {
    const available = this.host.deliverableCount();
    if (available === 0 && expires === 0) {
      this.waiting.last = now;
      this.host.sendStatus(reply, STATUS_NO_MESSAGES);
      return false;
    }
    if (available > 0 && available < this.process(false).batchPending) {
      this.waiting.last = now;
      this.host.sendStatus(reply, STATUS_REQUESTS_PENDING);
      return false;
    }
    return true;
  }

  /**
   * nextWaiting: the request the next message (of `size` bytes) goes to, counting it against the
   * request. Requests past their byte budget get 409, expired or abandoned ones are dropped.
   */
  next(size: number): WaitingRequest | null {
    const now = this.host.now();
    for (let wr = this.waiting.peek(); wr !== null; wr = this.waiting.peek()) {
      if (wr.b > 0) {
        if (size <= wr.b) {
          wr.b -= size;
          // Exactly used up: this message is the request's last.
          if (wr.b === 0) wr.n = 1;
        } else {
          this.host.sendStatus(
            wr.reply,
            pendingStatusHeaders(409, "Message Size Exceeds MaxBytes", wr.n, wr.b),
          );
          this.waiting.removeHead();
          continue;
        }
      }
      if ((wr.expires === 0 || now < wr.expires) && this.host.hasInterest(wr.reply)) {
        const served = this.waiting.pop()!;
        this.waiting.last = now;
        if (served.n > 0 && served.hb > 0) served.hbt = now + served.hb;
        return served;
      }
      this.waiting.removeHead();
    }
    return null;
  }

  /**
   * processWaiting: expires requests (and, at end of stream, one-shot no_wait requests that got
   * something), drops those nobody listens for, sends due heartbeats. Returns the messages the
   * remaining requests still want.
   */
  process(endOfStream: boolean): { batchPending: number } {
    const now = this.host.now();
    let batchPending = 0;
    let due = 0;
    this.waiting.filter((wr) => {
      if ((endOfStream && wr.noWait && wr.d > 0) || (wr.expires !== 0 && now >= wr.expires)) {
        this.host.sendStatus(wr.reply, pendingStatusHeaders(408, "Request Timeout", wr.n, wr.b));
        return false;
      }
      if (!this.host.hasInterest(wr.reply)) return false;
      batchPending += wr.n;
      if (wr.hbt !== 0) {
        if (now >= wr.hbt) {
          const last = this.host.lastDelivered();
          this.host.sendStatus(wr.reply, idleHeartbeatHeaders(last.consumerSeq, last.streamSeq, ""));
          wr.hbt = now + wr.hb;
        }
        due = earliest(due, wr.hbt);
      }
      if (wr.expires !== 0) due = earliest(due, wr.expires);
      return true;
    });
    this.armTimer(due);
    return { batchPending };
  }

  /** The consumer is being deleted: every waiting request gets 409 Consumer Deleted. */
  releaseAll(): void {
    for (const wr of this.waiting.drain()) this.host.sendStatus(wr.reply, STATUS_CONSUMER_DELETED);
    this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = 0;
  }

  private nextDue(wr: WaitingRequest): number {
    return earliest(wr.expires, wr.hbt);
  }

  /** Keeps one timer, set for the earliest due time among the requests. */
  private armTimer(at: number): void {
    if (at === 0) return;
    if (this.timer !== null && this.timerAt <= at && this.timerAt > 0) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = 0;
        this.process(true);
        this.host.kick();
      },
      Math.max(1, at - this.host.now()),
    );
  }
}

/** The earlier of two due times where 0 means none. */
function earliest(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

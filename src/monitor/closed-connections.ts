// The bounded ring of recently closed connections that /connz?state=closed reports, with why each closed
// (nats-server keeps the last 10,000 the same way: the oldest is dropped when the ring is full).

import type { MonitoredConnection } from "./monitor-source.js";

/** nats-server's default max_closed_clients. */
export const DEFAULT_MAX_CLOSED = 10_000;
/** Subscriptions kept per closed connection: bounds what a client with a huge interest list leaves behind. */
export const MAX_SAVED_SUBS = 1024;

export interface SavedSubscription {
  readonly subject: string;
  readonly queue: string | null;
  readonly sid: string;
  readonly delivered: number;
  readonly max: number;
}

/** A connection's monitoring data at one moment (open connections are snapshotted per request). */
export interface ConnectionSnapshot {
  readonly cid: number;
  readonly kind: string;
  readonly start: number;
  readonly lastActivity: number;
  readonly ip: string;
  readonly port: number;
  readonly rtt: number;
  readonly pendingBytes: number;
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly numSubs: number;
  readonly subs: readonly SavedSubscription[];
  readonly name: string;
  readonly lang: string;
  readonly version: string;
  readonly user: string;
  readonly account: string;
  readonly mqttClientId: string;
  readonly jwt: string;
}

/** A connection as it was when it closed. */
export interface ClosedConnection extends ConnectionSnapshot {
  readonly stop: number;
  readonly reason: string;
}

export class ClosedConnections {
  private readonly ring: (ClosedConnection | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = DEFAULT_MAX_CLOSED) {
    this.ring = new Array(Math.max(0, capacity));
  }

  get length(): number {
    return this.size;
  }

  /** Records `conn` as closed now; a no-op with capacity 0 (max_closed_clients: 0 turns it off). */
  record(conn: MonitoredConnection, reason: string, now = Date.now()): void {
    if (this.ring.length === 0) return;
    this.ring[this.next] = { ...snapshotConnection(conn, MAX_SAVED_SUBS), stop: now, reason };
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size++;
  }

  /** The most recently recorded connection. */
  latest(): ClosedConnection | undefined {
    if (this.size === 0) return undefined;
    return this.ring[(this.next - 1 + this.ring.length) % this.ring.length];
  }

  /** Oldest first, as nats-server's closedClients() returns them. */
  list(): ClosedConnection[] {
    const out: ClosedConnection[] = [];
    const cap = this.ring.length;
    const first = this.size < cap ? 0 : this.next;
    for (let i = 0; i < this.size; i++) {
      const cc = this.ring[(first + i) % cap];
      if (cc !== undefined) out.push(cc);
    }
    return out;
  }
}

/** Copies what monitoring shows of `conn`, with at most `maxSubs` of its subscriptions. */
export function snapshotConnection(conn: MonitoredConnection, maxSubs = Infinity): ConnectionSnapshot {
  const subs: SavedSubscription[] = [];
  for (const s of conn.subs.values()) {
    if (subs.length >= maxSubs) break;
    subs.push({ subject: s.subject, queue: s.queue, sid: s.sid, delivered: s.delivered, max: s.max });
  }
  return {
    cid: conn.cid,
    kind: conn.kind,
    start: conn.start.getTime(),
    lastActivity: conn.lastActivity,
    ip: conn.remoteAddress,
    port: conn.remotePort,
    rtt: conn.rtt,
    pendingBytes: conn.pendingBytes,
    inMsgs: conn.inMsgs,
    outMsgs: conn.outMsgs,
    inBytes: conn.inBytes,
    outBytes: conn.outBytes,
    numSubs: conn.subs.size,
    subs,
    name: conn.opts.name,
    lang: conn.opts.lang,
    version: conn.opts.version,
    user: conn.user ?? "",
    account: conn.account?.name ?? "",
    mqttClientId: conn.mqttClientId ?? "",
    jwt: conn.opts.jwt ?? "",
  };
}

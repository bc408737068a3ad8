// One route (or leaf-node link) to a peer server: the handshake (INFO/CONNECT), PING/PONG, the peer's interest
// (RS+/RS-, LS+/LS-) held as RouteSubscriptions in the accounts' sublists, and messages both ways (RMSG/LMSG/HMSG).

import type { Account } from "../core/account.js";
import { subjectHasWildcard } from "../core/subject.js";
import type { Transport } from "../core/transport.js";
import { OutboundWriter, timerMs } from "../protocols/nats/outbound-writer.js";
import type { Logger } from "../util/logger.js";
import { fanOut, type RouteSink, RouteSubscription } from "./cluster-routing.js";
import { type RoutedMsg, RouteParser, RouteProtocolError } from "./route-parser.js";

/** The INFO fields a route reads (server/server.go Info). */
export interface RouteInfo {
  server_id: string;
  server_name?: string;
  host?: string;
  port?: number;
  cluster?: string;
  dynamic?: boolean;
  ip?: string;
  connect_urls?: string[];
  auth_required?: boolean;
  headers?: boolean;
}

/** What a route needs from the cluster it belongs to. */
export interface RouteHost {
  readonly logger: Logger;
  readonly pingIntervalMs: number;
  readonly maxPingsOut: number;
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  lookupAccount(name: string): Account | null;
  /** Validates CONNECT of an accepted route; returns an error text to send (and close) or null. */
  checkConnect(connect: Record<string, unknown>): string | null;
  /** CONNECT of an accepted connection was accepted (leaf nodes register here; routes on INFO). */
  connectAccepted?(route: RouteConnection, connect: Record<string, unknown>): void;
  /** An INFO arrived (first one: registration; later ones: gossip). Returns false to close. */
  routeInfo(route: RouteConnection, info: RouteInfo, first: boolean): boolean;
  routeClosed(route: RouteConnection, reason: string): void;
}

/** nats-server jsAckPre: only JetStream ack replies carry a remapped delivery subject. */
const JS_ACK_PREFIX = "$JS.ACK.";

export interface SolicitedUrl {
  url: URL;
  explicit: boolean;
}

export class RouteConnection implements RouteSink {
  readonly kind: "route" | "leaf";
  readonly echo = true;
  /** The peer's server_id once its INFO arrived. */
  remoteId = "";
  remoteName = "";
  /** Client URLs the peer advertised (for connect_urls in our client INFO). */
  connectUrls: string[] = [];
  /** The peer's INFO as received, forwarded to other routes so they connect to it (gossip). */
  info: RouteInfo | null = null;
  registered = false;
  closed = false;
  /**
   * Both ends of this leaf link run JetStream: the unprefixed JetStream API and its cluster subjects stay on
   * each side (nats-server's leaf deny of `$JS.API.>`, `$JSC.>`, `$NRG.>`); `$JS.<domain>.API.>` still crosses.
   */
  denyJsApi = false;
  readonly startedAt = Date.now();
  lastActivity = Date.now();
  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  private readonly parser: RouteParser;
  private readonly writer: OutboundWriter;
  private readonly subs = new Map<string, { account: Account; sub: RouteSubscription }>();
  private gotConnect: boolean;
  private pingTimer: NodeJS.Timeout | null = null;
  private pingsOut = 0;

  constructor(
    readonly cid: number,
    private readonly transport: Transport,
    private readonly host: RouteHost,
    /** Set when we dialled the peer; a closed explicit route is redialled. */
    public solicited: SolicitedUrl | null,
    /** Set for a leaf-node link: the one local account it is bound to (leaf protocol carries no account). */
    readonly leafAccount: Account | null = null,
  ) {
    this.kind = leafAccount === null ? "route" : "leaf";
    this.gotConnect = solicited !== null;
    this.writer = new OutboundWriter(
      transport,
      () => host.writeDeadlineMs,
      () => this.close("Slow Consumer (Write Deadline)"),
    );
    this.parser = new RouteParser(
      {
        info: (json) => this.onInfo(json),
        connect: (json) => this.onConnect(json),
        ping: () => this.sendProto("PONG\r\n"),
        pong: () => {
          this.pingsOut = 0;
        },
        err: (text) => {
          host.logger.error(`${this.label()} - Received error from route: ${text}`);
        },
        sub: (acc, subject, queue, weight) => this.onSub(acc, subject, queue, weight),
        unsub: (acc, subject, queue) => this.onUnsub(acc, subject, queue),
        msg: (m) => this.onMsg(m),
      },
      leafAccount?.name ?? null,
    );
  }

  /** Messages from the hub of a leaf link we dialled are not forwarded to routes (the hub reaches them itself). */
  get spoke(): boolean {
    return this.leafAccount !== null && this.solicited !== null;
  }

  get remoteAddress(): string {
    return `${this.transport.remoteAddress}:${this.transport.remotePort}`;
  }

  /** Sends our first protocol lines (CONNECT when soliciting, then INFO) and starts reading. */
  begin(firstLines: string): void {
    this.sendProto(firstLines);
    this.transport.start({
      data: (chunk) => this.onData(chunk),
      drain: () => this.writer.onDrain(),
      closed: () => this.close("Client Closed"),
    });
    this.pingTimer = setInterval(() => this.onPingTimer(), timerMs(this.host.pingIntervalMs));
  }

  sendProto(text: string): void {
    if (this.closed) return;
    const out = this.writer.out;
    out.ensure(text.length * 3);
    out.pos += out.buf.write(text, out.pos, "utf8");
    this.writer.schedule();
  }

  forward(
    account: string,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
    queues: string[] | null,
  ): boolean {
    if (this.closed || !this.registered) return false;
    if (this.denyJsApi && isJsInternal(subject)) return false;
    const hdrLen = headers === null ? 0 : headers.length;
    const total = hdrLen + payload.length;
    let line = headers === null ? (this.leafAccount === null ? "RMSG " : "LMSG ") : "HMSG ";
    line += this.leafAccount === null ? `${account} ${subject} ` : `${subject} `;
    if (queues !== null) {
      line += reply !== null ? `+ ${reply} ` : "| ";
      for (const q of queues) line += `${q} `;
    } else if (reply !== null) line += `${reply} `;
    line += headers === null ? `${total}\r\n` : `${hdrLen} ${total}\r\n`;
    const out = this.writer.out;
    out.ensure(line.length * 3);
    out.pos += out.buf.write(line, out.pos, "utf8");
    if (headers !== null) out.append(headers);
    out.append(payload);
    out.ensure(2);
    out.buf[out.pos++] = 13;
    out.buf[out.pos++] = 10;
    this.outMsgs++;
    this.outBytes += total;
    this.writer.schedule();
    if (this.writer.pending > this.host.maxPending) {
      this.close("Slow Consumer (Pending Bytes)");
      return false;
    }
    return true;
  }

  deliver(
    sub: import("../core/subscription.js").Subscription,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): boolean {
    const account = sub.sid.slice(0, sub.sid.indexOf(" "));
    const queues = sub.queue === null ? null : [sub.queue];
    // JetStream delivers a stream message on its deliver subject while showing the stream subject: across a
    // route the message travels on the deliver subject with `@<stream subject>` after the ack reply, as
    // nats-server does (client.go processMsgResults), and the peer swaps them back (see onMsg).
    if (reply?.startsWith(JS_ACK_PREFIX) && subject !== sub.subject && !subjectHasWildcard(sub.subject))
      return this.forward(account, sub.subject, `${reply}@${subject}`, headers, payload, queues);
    return this.forward(account, subject, reply, headers, payload, queues);
  }

  /** Whether the peer has interest under this RS+ key (`<account> <subject>[ <queue>]`). */
  holds(key: string): boolean {
    return this.subs.has(key);
  }

  /** The peer's interest as `subject[ queue]` (routez/leafz subscriptions_list). */
  subscriptionList(): string[] {
    const out: string[] = [];
    for (const { sub } of this.subs.values())
      out.push(sub.queue === null ? sub.subject : `${sub.subject} ${sub.queue}`);
    return out;
  }

  /** Bytes queued for the peer and not yet written (pending_size). */
  get pendingBytes(): number {
    return this.writer.pending;
  }

  /** Number of RS+ entries held for the peer. */
  get subscriptionCount(): number {
    return this.subs.size;
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.writer.stop(false);
    this.transport.end();
    this.dropInterest();
    this.host.routeClosed(this, reason);
  }

  label(): string {
    return `${this.remoteAddress} - rid:${this.cid}`;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    try {
      this.parser.parse(chunk);
    } catch (err) {
      if (!(err instanceof RouteProtocolError)) throw err;
      this.host.logger.error(`${this.label()} - Route Error ${err.message}`);
      this.sendProto("-ERR 'Parser Error'\r\n");
      this.close("Parse Error");
    }
  }

  private onPingTimer(): void {
    if (this.pingsOut + 1 > this.host.maxPingsOut) {
      this.host.logger.debug(`${this.label()} - Stale Client Connection - Closing`);
      this.sendProto("-ERR 'Stale Connection'\r\n");
      this.close("Stale Connection");
      return;
    }
    this.pingsOut++;
    this.sendProto("PING\r\n");
  }

  private onConnect(json: string): void {
    const connect = parseJson(json);
    if (connect === null) throw new RouteProtocolError("invalid CONNECT");
    const refusal = this.host.checkConnect(connect);
    if (refusal !== null) {
      this.sendProto(`-ERR '${refusal}'\r\n`);
      this.close(refusal);
      return;
    }
    this.gotConnect = true;
    this.host.connectAccepted?.(this, connect);
  }

  private onInfo(json: string): void {
    if (!this.gotConnect) throw new RouteProtocolError("INFO before CONNECT on an accepted route");
    const info = parseJson(json) as RouteInfo | null;
    if (info === null || typeof info.server_id !== "string") throw new RouteProtocolError("invalid INFO");
    const first = this.info === null;
    if (first) {
      this.info = info;
      this.remoteId = info.server_id;
      this.remoteName = info.server_name ?? "";
      this.connectUrls = Array.isArray(info.connect_urls) ? info.connect_urls.map(String) : [];
    }
    if (!this.host.routeInfo(this, info, first)) this.close("Duplicate Route");
  }

  private onSub(accountName: string, subject: string, queue: string | null, weight: number): void {
    if (this.denyJsApi && isJsInternal(subject)) return;
    const account = this.host.lookupAccount(accountName);
    if (account === null) {
      this.host.logger.debug(
        `${this.label()} - Unknown account "${accountName}" for remote subject "${subject}"`,
      );
      return;
    }
    const key = queue === null ? `${accountName} ${subject}` : `${accountName} ${subject} ${queue}`;
    const existing = this.subs.get(key);
    if (existing !== undefined) {
      existing.sub.weight = weight;
      return;
    }
    const sub = new RouteSubscription(this, subject, queue, key, weight);
    if (!account.sublist.insert(sub)) {
      this.sendProto("-ERR 'Invalid Subscription'\r\n");
      return;
    }
    this.subs.set(key, { account, sub });
  }

  private onUnsub(accountName: string, subject: string, queue: string | null): void {
    const key = queue === null ? `${accountName} ${subject}` : `${accountName} ${subject} ${queue}`;
    const entry = this.subs.get(key);
    if (entry === undefined) return;
    this.subs.delete(key);
    entry.sub.closed = true;
    entry.account.sublist.remove(entry.sub);
  }

  private onMsg(m: RoutedMsg): void {
    this.inMsgs++;
    this.inBytes += m.payload.length + (m.headers?.length ?? 0);
    const account = this.host.lookupAccount(m.account);
    if (account === null || (this.denyJsApi && isJsInternal(m.subject))) return;
    const result = account.sublist.match(m.subject);
    if (result.psubs.length === 0 && result.qsubs.length === 0) return;
    let subject = m.subject;
    let reply = m.reply;
    // A JetStream delivery: routed on the deliver subject, shown with the stream subject after `@`.
    if (reply?.startsWith(JS_ACK_PREFIX)) {
      const at = reply.lastIndexOf("@");
      if (at > 0 && at < reply.length - 1) {
        subject = reply.slice(at + 1);
        reply = reply.slice(0, at);
      }
    }
    fanOut(account, this, subject, reply, m.headers, m.payload, result, m.queues);
  }

  /** A closed route's interest goes with it (nats-server removeRemoteSubs), one batch per account. */
  private dropInterest(): void {
    const byAccount = new Map<Account, RouteSubscription[]>();
    for (const { account, sub } of this.subs.values()) {
      sub.closed = true;
      const list = byAccount.get(account);
      if (list === undefined) byAccount.set(account, [sub]);
      else list.push(sub);
    }
    this.subs.clear();
    for (const [account, subs] of byAccount) account.sublist.removeBatch(subs);
  }
}

/** Subjects of a server's own JetStream (API without domain, meta and raft traffic). */
export function isJsInternal(subject: string): boolean {
  return subject.startsWith("$JS.API.") || subject.startsWith("$JSC.") || subject.startsWith("$NRG.");
}

function parseJson(json: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

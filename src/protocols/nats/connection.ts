// One NATS client connection (TCP or WebSocket): INFO/CONNECT handshake, PUB/SUB/UNSUB state,
// pings, limits and the batched outbound path. Protocol errors use nats-server's texts and close rules.

import type { Authenticator } from "../../auth/authenticator.js";
import { newNonce } from "../../auth/nkey-verify.js";
import type { ServerOptions } from "../../config/options.js";
import type { Account } from "../../core/account.js";
import type { ClientHandle, ClientKind } from "../../core/client.js";
import { ConnectionPermissions } from "../../core/permissions.js";
import { route } from "../../core/router.js";
import type { ServerStats } from "../../core/stats.js";
import { isValidLiteralSubject, isValidSubject } from "../../core/subject.js";
import type { Subscription } from "../../core/subscription.js";
import type { Logger } from "../../util/logger.js";
import type { OutboundBuffer } from "../../util/outbound-buffer.js";
import { type ConnectOptions, defaultConnectOptions, parseConnectOptions } from "./connect-options.js";
import { type CloseReason, closeReasons, errors, parseErrorReaction } from "./errors.js";
import { writeMsg } from "./msg-encoder.js";
import { isValidQueueName, NatsSubscription } from "./nats-subscription.js";
import { OutboundWriter, timerMs } from "./outbound-writer.js";
import { NatsParser, type ParseError, type ParserHandler } from "./parser.js";
import type { Transport } from "./transport.js";

/** What a connection needs from the server that owns it (wired in server.ts). */
export interface NatsConnectionContext {
  readonly options: ServerOptions;
  readonly logger: Logger;
  readonly stats: ServerStats;
  readonly authenticator: Authenticator;
  /** The INFO line (without "INFO " and CRLF) for this connection. */
  infoJson(conn: NatsConnection): string;
  lookupAccount(name: string): Account | null;
  connectionClosed(conn: NatsConnection, reason: CloseReason): void;
}

const PING = Buffer.from("PING\r\n");
const PONG = Buffer.from("PONG\r\n");
const OK = Buffer.from("+OK\r\n");
const NO_RESPONDERS_HDR = "NATS/1.0 503\r\n\r\n";

export class NatsConnection implements ClientHandle, ParserHandler {
  readonly kind: ClientKind;
  readonly start = new Date();
  echo = true;
  account: Account | null = null;
  user: string | undefined;
  opts: ConnectOptions = defaultConnectOptions();
  readonly subs = new Map<string, NatsSubscription>();
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  lastActivity = Date.now();
  rtt = 0;
  closedReason: CloseReason | null = null;
  /** Publish/subscribe permissions of the authenticated user; null = all allowed (the hot path's only check). */
  perms: ConnectionPermissions | null = null;
  /** The nonce sent in INFO for nkey/JWT signatures, when the authenticator needs one. */
  readonly nonce: string | undefined;

  private readonly parser: NatsParser;
  private readonly writer: OutboundWriter;
  private readonly out: OutboundBuffer;
  private connectReceived = false;
  private closed = false;
  private pingsOut = 0;
  private pingSentAt = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  /** Closes the connection when the user's JWT expires. */
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly cid: number,
    private readonly transport: Transport,
    private readonly ctx: NatsConnectionContext,
    kind: ClientKind = "client",
  ) {
    this.kind = kind;
    this.writer = new OutboundWriter(
      transport,
      () => ctx.options.writeDeadline,
      () => this.slowConsumer(closeReasons.slowConsumerWriteDeadline),
    );
    this.out = this.writer.out;
    const o = ctx.options;
    this.parser = new NatsParser(this, { maxControlLine: o.maxControlLine, maxPayload: o.maxPayload });
    this.parser.connectRequired = ctx.authenticator.required;
    this.nonce = ctx.authenticator.nonceRequired ? newNonce() : undefined;
  }

  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }

  get remotePort(): number {
    return this.transport.remotePort;
  }

  get pendingBytes(): number {
    return this.writer.pending;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends INFO and starts reading; `rejectWith` sends that error after INFO and closes (connection limits). */
  begin(rejectWith?: { error: string; reason: CloseReason }): void {
    this.transport.start({
      data: (chunk) => this.onData(chunk),
      drain: () => this.writer.onDrain(),
      closed: (err) => this.onTransportClosed(err),
    });
    // nats-server writes a space between the JSON and CRLF ("INFO {...} \r\n"); kept for byte-exact compat.
    this.out.appendAscii(`INFO ${this.ctx.infoJson(this)} \r\n`);
    if (rejectWith) {
      this.closeWithError(rejectWith.error, rejectWith.reason);
      return;
    }
    this.writer.flush();
    if (this.ctx.authenticator.required) {
      this.authTimer = setTimeout(() => {
        this.closeWithError(errors.authenticationTimeout, closeReasons.authenticationTimeout);
      }, timerMs(this.ctx.options.authTimeout));
    }
    this.pingTimer = setInterval(() => this.onPingTimer(), timerMs(this.ctx.options.pingInterval));
    this.pingTimer.unref();
    if (this.ctx.logger.isLevelEnabled("debug")) {
      this.ctx.logger.debug(
        { cid: this.cid, kind: this.kind },
        `${this.remoteAddress}:${this.remotePort} - cid:${this.cid} - Client connection created`,
      );
    }
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    this.parser.parse(chunk);
  }

  // ---- inbound operations ----

  onConnect(json: string): void {
    const opts = parseConnectOptions(json);
    if (opts === null) {
      // nats-server closes on CONNECT JSON it cannot decode without sending -ERR (processConnect's error).
      this.closeNow(closeReasons.parseError);
      return;
    }
    const identity = this.ctx.authenticator.authenticate(
      {
        user: opts.user,
        pass: opts.pass,
        authToken: opts.authToken,
        nkey: opts.nkey,
        sig: opts.sig,
        jwt: opts.jwt,
      },
      { ...this.authCtx(), nonce: this.nonce, certNames: this.transport.certNames?.() },
    );
    const account = identity === null ? null : this.ctx.lookupAccount(identity.account);
    if (identity === null || account === null) {
      this.ctx.logger.info(
        { cid: this.cid },
        `${this.remoteAddress}:${this.remotePort} - cid:${this.cid} - authentication error`,
      );
      this.closeWithError(errors.authorizationViolation, closeReasons.authenticationViolation);
      return;
    }
    // nats-server's processConnect authenticates first, then checks these (bad credentials win).
    // Protocol 0 is the original, 1 adds async INFO; anything else is unknown (nats-server ErrBadClientProtocol).
    if (opts.protocol < 0 || opts.protocol > 1) {
      this.closeWithError(errors.badClientProtocol, closeReasons.badClientProtocolVersion);
      return;
    }
    if (opts.noResponders && !opts.headers) {
      this.closeWithError(errors.noRespondersRequiresHeaders, closeReasons.protocolViolation);
      return;
    }
    if (this.authTimer !== null) {
      clearTimeout(this.authTimer);
      this.authTimer = null;
    }
    if (this.account !== null && this.account !== account) this.removeAllSubscriptions();
    if (this.account !== account) {
      if (this.account !== null) this.account.numConnections--;
      account.numConnections++;
    }
    this.account = account;
    this.user = identity.user;
    this.armExpiry(identity.expiresAt);
    this.perms = identity.permissions === undefined ? null : new ConnectionPermissions(identity.permissions);
    this.opts = opts;
    this.echo = opts.echo;
    this.connectReceived = true;
    this.parser.connectRequired = false;
    if (opts.verbose) this.sendOk();
  }

  onInfo(json: string): void {
    // nats-server decodes a client's INFO and ignores it, but closes (no -ERR) when it is not JSON.
    try {
      JSON.parse(json);
    } catch {
      this.closeNow(closeReasons.parseError);
    }
  }

  onPing(): void {
    if (!this.checkConnected()) return;
    this.out.append(PONG);
    this.scheduleFlush();
  }

  onPong(): void {
    if (!this.checkConnected()) return;
    this.pingsOut = 0;
    if (this.pingSentAt > 0) {
      this.rtt = Date.now() - this.pingSentAt;
      this.pingSentAt = 0;
    }
  }

  onPub(subject: string, reply: string | null, payload: Buffer): void {
    this.publish(subject, reply, null, payload);
  }

  onHPub(subject: string, reply: string | null, headers: Buffer, payload: Buffer): void {
    if (!this.opts.headers) {
      // nats-server closes a client that sends HPUB without announcing headers (also before any CONNECT),
      // with no -ERR.
      this.closeNow(closeReasons.protocolViolation);
      return;
    }
    this.publish(subject, reply, headers, payload);
  }

  private publish(subject: string, reply: string | null, headers: Buffer | null, payload: Buffer): void {
    if (!this.checkConnected()) return;
    const size = payload.length + (headers === null ? 0 : headers.length);
    this.inMsgs++;
    this.inBytes += size;
    const stats = this.ctx.stats;
    stats.inMsgs++;
    stats.inBytes += size;
    // nats-server only warns a pedantic client and still delivers (client.go processPub), and sends +OK
    // before the deliveries (processInboundClientMsg): a verbose client sees +OK ahead of its own echo.
    if (this.opts.pedantic && !isValidLiteralSubject(subject)) this.sendErr(errors.invalidPublishSubject);
    // nats-server answers a denied publish with -ERR (no +OK) and keeps the connection.
    if (this.perms !== null && !this.perms.canPublish(subject)) {
      this.sendErr(errors.permissionsPublish(subject));
      return;
    }
    if (this.opts.verbose) this.sendOk();
    const delivered = route(this.account!, this, subject, reply, headers, payload);
    if (delivered === 0 && reply !== null && this.opts.noResponders) this.sendNoResponders(reply);
  }

  /** A request nobody could answer: a 503 status to the requester's own reply subscription. */
  private sendNoResponders(reply: string): void {
    const result = this.account!.sublist.match(reply);
    let sub: NatsSubscription | null = null;
    for (const s of result.psubs) {
      if (s.client === this) {
        sub = s as NatsSubscription;
        break;
      }
    }
    if (sub === null) return;
    const hdr = NO_RESPONDERS_HDR.length;
    this.out.appendAscii(`HMSG ${reply} ${sub.sid} ${hdr} ${hdr}\r\n${NO_RESPONDERS_HDR}\r\n`);
    this.scheduleFlush();
  }

  onSub(subject: string, queue: string | null, sid: string): void {
    if (!this.checkConnected()) return;
    if (!isValidSubject(subject) || (queue !== null && !isValidQueueName(queue))) {
      this.sendErr(errors.invalidSubject);
      return;
    }
    if (this.perms !== null && !this.perms.canSubscribe(subject, queue)) {
      this.sendErr(errors.permissionsSubscribe(subject, queue));
      return;
    }
    const max = this.ctx.options.maxSubscriptions;
    if (max > 0 && this.subs.size >= max) {
      this.ctx.logger.error({ cid: this.cid }, `cid:${this.cid} - Maximum Subscriptions Exceeded`);
      this.sendErr(errors.maxSubscriptions);
      return;
    }
    if (!this.subs.has(sid)) {
      const sub = new NatsSubscription(this, subject, queue, sid);
      this.subs.set(sid, sub);
      this.account!.sublist.insert(sub);
    }
    if (this.opts.verbose) this.sendOk();
  }

  onUnsub(sid: string, max: number): void {
    if (!this.checkConnected()) return;
    const sub = this.subs.get(sid);
    if (sub !== undefined) {
      if (max > 0 && sub.delivered < max) sub.max = max;
      else this.removeSubscription(sub);
    }
    if (this.opts.verbose) this.sendOk();
  }

  subscriptionDone(sub: Subscription): void {
    this.removeSubscription(sub as NatsSubscription);
  }

  private removeSubscription(sub: NatsSubscription): void {
    if (sub.closed) return;
    sub.closed = true;
    this.subs.delete(sub.sid);
    this.account?.sublist.remove(sub);
  }

  private removeAllSubscriptions(): void {
    for (const sub of this.subs.values()) {
      sub.closed = true;
      this.account?.sublist.remove(sub);
    }
    this.subs.clear();
  }

  onParseError(error: ParseError, _detail: string): void {
    const reaction = parseErrorReaction(error);
    if (reaction.text === null) this.closeNow(reaction.reason);
    else this.closeWithError(reaction.text, reaction.reason);
  }

  /** Before CONNECT only CONNECT is allowed when auth is required (nats-server: Authorization Violation). */
  private checkConnected(): boolean {
    if (this.closed) return false;
    if (this.connectReceived) return true;
    if (this.ctx.authenticator.required) {
      this.closeWithError(errors.authorizationViolation, closeReasons.authenticationViolation);
      return false;
    }
    if (this.account === null) {
      const acc = this.ctx.lookupAccount(
        this.ctx.authenticator.authenticate({}, this.authCtx())?.account ?? "",
      );
      if (acc === null) return false;
      this.account = acc;
      acc.numConnections++;
    }
    return true;
  }

  private authCtx() {
    return {
      kind: this.kind === "websocket" ? ("websocket" as const) : ("client" as const),
      remoteAddress: this.remoteAddress,
    };
  }

  // ---- outbound ----

  deliver(
    sub: Subscription,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
  ): boolean {
    if (this.closed) return false;
    if (this.perms !== null && !this.perms.admitDelivery(subject, reply)) return false;
    const total = writeMsg(
      this.out,
      subject,
      sub as NatsSubscription,
      reply,
      this.opts.headers ? headers : null,
      payload,
    );
    this.outMsgs++;
    this.outBytes += total;
    const stats = this.ctx.stats;
    stats.outMsgs++;
    stats.outBytes += total;
    if (this.writer.pending > this.ctx.options.maxPending) {
      this.slowConsumer(closeReasons.slowConsumerPendingBytes);
      return false;
    }
    this.writer.schedule();
    return true;
  }

  private sendOk(): void {
    this.out.append(OK);
    this.scheduleFlush();
  }

  private sendErr(text: string): void {
    this.out.appendAscii(`-ERR '${text}'\r\n`);
    this.scheduleFlush();
  }

  /** Sends an arbitrary protocol line (used by the server, e.g. lame duck INFO). */
  sendProto(line: string): void {
    if (this.closed) return;
    this.out.appendAscii(line);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.closed) this.writer.schedule();
  }

  private slowConsumer(reason: CloseReason): void {
    if (this.closed) return;
    this.ctx.stats.slowConsumers++;
    const detail =
      reason === closeReasons.slowConsumerPendingBytes
        ? `Slow Consumer Detected: MaxPending of ${this.ctx.options.maxPending} Exceeded`
        : "Slow Consumer Detected: WriteDeadline exceeded";
    this.ctx.logger.warn(
      { cid: this.cid, kind: this.kind },
      `${this.remoteAddress}:${this.remotePort} - cid:${this.cid} - ${detail}`,
    );
    this.out.clear();
    this.closeNow(reason, true);
  }

  private onPingTimer(): void {
    if (this.closed) return;
    if (this.pingsOut + 1 > this.ctx.options.maxPingsOutstanding) {
      this.ctx.logger.debug({ cid: this.cid }, `cid:${this.cid} - Stale Client Connection - Closing`);
      this.closeWithError(errors.staleConnection, closeReasons.staleConnection);
      return;
    }
    this.pingsOut++;
    this.pingSentAt = Date.now();
    this.out.append(PING);
    this.scheduleFlush();
  }

  // ---- closing ----

  /** Sends `-ERR 'text'`, flushes what is queued, then closes. */
  closeWithError(text: string, reason: CloseReason): void {
    if (this.closed) return;
    this.out.appendAscii(`-ERR '${text}'\r\n`);
    this.closeNow(reason);
  }

  /** Closes the connection; queued output is flushed first unless `discard`. */
  closeNow(reason: CloseReason, discard = false): void {
    if (this.closed) return;
    this.parser.stop();
    this.writer.stop(discard);
    this.closed = true;
    this.closedReason = reason;
    // Told before the subscriptions go, so monitoring can record them with the closed connection.
    this.ctx.connectionClosed(this, reason);
    this.releaseAll();
    if (discard) this.transport.destroy();
    else this.transport.end();
    if (this.ctx.logger.isLevelEnabled("debug")) {
      this.ctx.logger.debug(
        { cid: this.cid, kind: this.kind, reason },
        `${this.remoteAddress}:${this.remotePort} - cid:${this.cid} - Client connection closed: ${reason}`,
      );
    }
  }

  private onTransportClosed(_err?: Error): void {
    if (this.closed) return;
    this.closeNow(closeReasons.clientClosed, true);
  }

  private releaseAll(): void {
    this.removeAllSubscriptions();
    if (this.account !== null) this.account.numConnections--;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.pingTimer = this.authTimer = this.expiryTimer = null;
  }

  /** nats-server client.go authExpired: -ERR 'User Authentication Expired', then close. */
  private armExpiry(expiresAt: number | undefined): void {
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (expiresAt === undefined) return;
    const close = () =>
      this.closeWithError(errors.userAuthenticationExpired, closeReasons.authenticationExpired);
    this.expiryTimer = setTimeout(close, timerMs(expiresAt - Date.now()));
  }
}

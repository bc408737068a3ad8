// Leaf-node links (nats-server server/leafnode.go): links we dial to a hub (CONNECT after the hub's INFO,
// reconnect with back-off) and links leaf nodes dial to our listener; LS+/LS- and LMSG/HMSG both ways.

import { connect as netConnect } from "node:net";
import type { LeafNodeOptions, LeafRemoteOptions } from "../config/load-leafnodes.js";
import type { Account } from "../core/account.js";
import type { Transport } from "../core/transport.js";
import { type BoundListener, listenTcp } from "../protocols/nats/listener.js";
import { newServerId } from "../util/ids.js";
import type { Logger } from "../util/logger.js";
import { SocketTransport } from "../util/socket-transport.js";
import { clusterRouting } from "./cluster-routing.js";
import type { LocalInterest } from "./local-interest.js";
import { isJsInternal, RouteConnection, type RouteHost, type RouteInfo } from "./route-connection.js";

export interface LeafServer {
  readonly serverId: string;
  readonly serverName: string;
  readonly logger: Logger;
  readonly version: string;
  readonly pingIntervalMs: number;
  readonly maxPingsOut: number;
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  readonly maxPayload: number;
  readonly jetstream: boolean;
  /** Our cluster name when we are in one (sent in CONNECT so the hub can tell clusters apart). */
  clusterName(): string | undefined;
  accounts(): Iterable<Account>;
  lookupAccount(name: string): Account | null;
  newCid(): number;
}

interface RemoteState {
  remote: LeafRemoteOptions;
  nextUrl: number;
  delayMs: number;
}

const MAX_RECONNECT_MS = 30_000;
const DIAL_TIMEOUT_MS = 2000;

export class LeafNodes implements RouteHost {
  /** Live links (connected, whether or not the hub's INFO arrived yet). */
  readonly links = new Set<RouteConnection>();
  private readonly stateOf = new Map<RouteConnection, RemoteState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** nats-server's loop detection subject ($LDS.<id>): seeing it come back from the hub means a loop. */
  private readonly loopSubject = `$LDS.${newServerId()}`;
  private closing = false;
  private listener: BoundListener | null = null;

  constructor(
    private readonly server: LeafServer,
    readonly options: LeafNodeOptions,
    private readonly interest: LocalInterest,
  ) {
    interest.addHolders(() => this.links);
    interest.addListener((account, subject, queue, count) => {
      const line = leafLine(subject, queue, count);
      for (const l of this.links) {
        if (!l.registered || l.leafAccount !== account || (l.denyJsApi && isJsInternal(subject))) continue;
        l.sendProto(line);
      }
    });
  }

  get logger(): Logger {
    return this.server.logger;
  }
  get pingIntervalMs(): number {
    return this.server.pingIntervalMs;
  }
  get maxPingsOut(): number {
    return this.server.maxPingsOut;
  }
  get maxPending(): number {
    return this.server.maxPending;
  }
  get writeDeadlineMs(): number {
    return this.server.writeDeadlineMs;
  }

  /** Number of links whose handshake completed. */
  get connectedCount(): number {
    let n = 0;
    for (const l of this.links) if (l.registered) n++;
    return n;
  }

  lookupAccount(name: string): Account | null {
    return this.server.lookupAccount(name);
  }

  /** Port of the leaf listener, 0 when there is none. */
  get port(): number {
    return this.listener?.port ?? 0;
  }

  async start(): Promise<void> {
    for (const account of this.server.accounts()) {
      account.remote = clusterRouting;
      this.interest.attach(account);
    }
    const initialDelay = this.options.reconnectSeconds * 1000;
    for (const remote of this.options.remotes) {
      if (remote.credentials !== undefined)
        throw new Error(
          "leafnode remote credentials (JWT) are not supported yet: use user:password in the url",
        );
      this.dial({ remote, nextUrl: 0, delayMs: initialDelay }, 0);
    }
    const l = this.options.listen;
    if (l !== undefined) {
      this.listener = await listenTcp(l.host, l.port, (t) => this.accept(t));
      this.logger.info(`Listening for leafnode connections on ${l.host}:${this.listener.port}`);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const closed = this.listener?.close();
    this.listener = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const l of [...this.links]) l.close("Server Shutdown");
    for (const account of this.server.accounts()) {
      account.remote = null;
      this.interest.detach(account);
    }
    await closed;
  }

  // ---- RouteHost ----

  /** CONNECT of a leaf node that dialled us (leafnode.go processLeafNodeConnect). */
  checkConnect(connect: Record<string, unknown>): string | null {
    if (typeof connect.lang === "string" && connect.lang !== "")
      return "attempted to connect to leaf node port";
    const o = this.options;
    if (o.username !== undefined && (connect.user !== o.username || connect.pass !== (o.password ?? "")))
      return "Authorization Violation";
    return null;
  }

  /** The hub's answer to CONNECT: INFO with connect_info, then our interest (sendPermsAndAccountInfo, initLeafNodeSmapAndSendSubs). */
  connectAccepted(link: RouteConnection, connect: Record<string, unknown>): void {
    const account = link.leafAccount!;
    link.remoteName = typeof connect.name === "string" ? connect.name : "";
    link.remoteId = typeof connect.server_id === "string" ? connect.server_id : "";
    link.denyJsApi = this.server.jetstream && connect.jetstream === true;
    let text = `INFO ${JSON.stringify({ ...this.hubInfo(link.cid), connect_info: true, remote_account: account.name })}\r\n`;
    text += this.interestLines(link);
    text += leafLine(this.loopSubject, null, 1);
    link.registered = true;
    link.sendProto(text);
    this.logger.info(`${link.label()} - Leafnode connection created for account: ${account.name}`);
  }

  routeInfo(link: RouteConnection, info: RouteInfo, first: boolean): boolean {
    if (!first || link.solicited === null) return true;
    // leafnode.go: a hub's leaf INFO has client_id and leafnode_urls; a client or route port's does not have both.
    const hubInfo = info as { client_id?: unknown; leafnode_urls?: unknown };
    if (typeof hubInfo.client_id !== "number" || !Array.isArray(hubInfo.leafnode_urls)) {
      this.logger.error(`${link.label()} - Attempted to connect to the wrong port (not a leafnode port)`);
      link.close("Wrong Port");
      return true;
    }
    const state = this.stateOf.get(link);
    const url = link.solicited!.url;
    const connect: Record<string, unknown> = {
      version: this.server.version,
      tls_required: false,
      server_id: this.server.serverId,
      name: this.server.serverName,
      headers: true,
    };
    const cluster = this.server.clusterName();
    if (cluster !== undefined) connect.cluster = cluster;
    if (this.server.jetstream) connect.jetstream = true;
    if (url.username) {
      connect.user = decodeURIComponent(url.username);
      connect.pass = decodeURIComponent(url.password);
    }
    let text = `CONNECT ${JSON.stringify(connect)}\r\n`;
    const account = link.leafAccount!;
    link.denyJsApi = this.server.jetstream && (info as { jetstream?: unknown }).jetstream === true;
    text += this.interestLines(link);
    text += leafLine(this.loopSubject, null, 1);
    link.registered = true;
    link.sendProto(text);
    if (state !== undefined) state.delayMs = this.options.reconnectSeconds * 1000;
    this.logger.info(`${link.label()} - Leafnode connection created for account: ${account.name}`);
    return true;
  }

  routeClosed(link: RouteConnection, reason: string): void {
    this.links.delete(link);
    const state = this.stateOf.get(link);
    this.stateOf.delete(link);
    if (link.registered) this.logger.info(`${link.label()} - Leafnode connection closed: ${reason}`);
    if (this.closing || state === undefined) return;
    this.scheduleRetry(state);
  }

  // ---- internals ----

  /** LS+ for our local interest in the link's account (JetStream-internal subjects held back when denied). */
  private interestLines(link: RouteConnection): string {
    let text = "";
    this.interest.forEach((acc, subject, queue, count) => {
      if (acc !== link.leafAccount || (link.denyJsApi && isJsInternal(subject))) return;
      text += leafLine(subject, queue, count);
    });
    return text;
  }

  private accept(transport: Transport): void {
    const account = this.server.lookupAccount(this.options.account ?? "$G");
    if (this.closing || account === null) {
      transport.destroy();
      return;
    }
    const link = new RouteConnection(this.server.newCid(), transport, this, null, account);
    this.links.add(link);
    link.begin(`INFO ${JSON.stringify(this.hubInfo(link.cid))}\r\n`);
  }

  /** What a spoke checks in our INFO: client_id and leafnode_urls (else it thinks it hit a wrong port). */
  private hubInfo(cid: number): Record<string, unknown> {
    const l = this.options.listen!;
    const host = l.host === "0.0.0.0" || l.host === "::" || l.host === "" ? "127.0.0.1" : l.host;
    const info: Record<string, unknown> = {
      server_id: this.server.serverId,
      server_name: this.server.serverName,
      version: this.server.version,
      proto: 1,
      go: "natsgate",
      host: l.host,
      port: this.port,
      headers: true,
      auth_required: true,
      max_payload: this.server.maxPayload,
      client_id: cid,
      leafnode_urls: [`${host}:${this.port}`],
      info_on_connect: true,
    };
    if (this.server.jetstream) info.jetstream = true;
    const cluster = this.server.clusterName();
    if (cluster !== undefined) info.cluster = cluster;
    return info;
  }

  private scheduleRetry(state: RemoteState): void {
    const delay = state.delayMs;
    state.delayMs = Math.min(MAX_RECONNECT_MS, state.delayMs * 2);
    this.dial(state, delay + Math.floor(Math.random() * 100));
  }

  private dial(state: RemoteState, delayMs: number): void {
    const attempt = () => {
      if (this.closing) return;
      const urls = state.remote.urls;
      const url = urls[state.nextUrl++ % urls.length]!;
      const account = this.server.lookupAccount(state.remote.account ?? "$G");
      if (account === null) {
        this.logger.error(`Leafnode remote ${url.host}: no local account "${state.remote.account}"`);
        return;
      }
      const socket = netConnect({
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: Number(url.port || "7422"),
      });
      socket.setNoDelay(true);
      const timeout = setTimeout(() => socket.destroy(new Error("dial timeout")), DIAL_TIMEOUT_MS);
      socket.once("error", (err) => {
        clearTimeout(timeout);
        this.logger.debug(`Error trying to connect as leafnode to remote server ${url.host}: ${err.message}`);
        this.scheduleRetry(state);
      });
      socket.once("connect", () => {
        clearTimeout(timeout);
        socket.removeAllListeners("error");
        if (this.closing) {
          socket.destroy();
          return;
        }
        const link = new RouteConnection(
          this.server.newCid(),
          new SocketTransport(socket),
          this,
          { url, explicit: true },
          account,
        );
        this.links.add(link);
        this.stateOf.set(link, state);
        link.begin("");
      });
    };
    if (delayMs <= 0) {
      attempt();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      attempt();
    }, delayMs);
    this.timers.add(t);
  }
}

/** LS+ with the queue weight, or LS- when the interest is gone (leafnode.go writeLeafSub). */
function leafLine(subject: string, queue: string | null, count: number): string {
  if (count === 0) return queue === null ? `LS- ${subject}\r\n` : `LS- ${subject} ${queue}\r\n`;
  return queue === null ? `LS+ ${subject}\r\n` : `LS+ ${subject} ${queue} ${count}\r\n`;
}

// The routes of one server (nats-server server/route.go): the cluster listener, solicited routes with
// reconnect, registration by server id (one route per peer), gossip of new peers, and connect_urls.

import { connect as netConnect } from "node:net";
import type { ClusterOptions } from "../config/load-cluster.js";
import type { Account } from "../core/account.js";
import { type BoundListener, listenTcp } from "../protocols/nats/listener.js";
import { newServerId } from "../util/ids.js";
import type { Logger } from "../util/logger.js";
import { SocketTransport } from "../util/socket-transport.js";
import { clusterRouting } from "./cluster-routing.js";
import { LocalInterest } from "./local-interest.js";
import { RouteConnection, type RouteHost, type RouteInfo, type SolicitedUrl } from "./route-connection.js";

/** What the cluster needs from the server that owns it. */
export interface ClusterServer {
  readonly serverId: string;
  readonly serverName: string;
  readonly logger: Logger;
  readonly version: string;
  readonly maxPayload: number;
  readonly pingIntervalMs: number;
  readonly maxPingsOut: number;
  readonly maxPending: number;
  readonly writeDeadlineMs: number;
  readonly jetstream: boolean;
  accounts(): Iterable<Account>;
  lookupAccount(name: string): Account | null;
  /** This server's client URL as advertised in connect_urls (`host:port`). */
  clientConnectUrl(): string;
  newCid(): number;
  /** The set of connect_urls changed: send an async INFO to clients. */
  connectUrlsChanged(): void;
}

/** nats-server DEFAULT_ROUTE_RECONNECT / DEFAULT_ROUTE_CONNECT. */
const ROUTE_RECONNECT_MS = 1000;
const ROUTE_DIAL_TIMEOUT_MS = 1000;

export class Cluster implements RouteHost {
  /** Registered routes by remote server id. */
  readonly routes = new Map<string, RouteConnection>();
  /** Connections whose INFO has not been processed yet (or duplicates being closed). */
  private readonly pending = new Set<RouteConnection>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Local interest, shared with the leaf nodes when both are configured. */
  readonly interest = new LocalInterest();
  private listener: BoundListener | null = null;
  private closing = false;
  private name: string;
  private dynamicName: boolean;

  constructor(
    private readonly server: ClusterServer,
    readonly options: ClusterOptions,
  ) {
    this.dynamicName = options.name === undefined;
    this.name = options.name ?? newServerId();
    this.interest.addHolders(() => this.allRouteConnections());
    this.interest.addListener((account, subject, queue, count) => {
      const line = interestLine(account.name, subject, queue, count);
      for (const r of this.routes.values()) r.sendProto(line);
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
  get clusterName(): string {
    return this.name;
  }
  get port(): number {
    return this.listener?.port ?? 0;
  }
  /** `nats-route://host:port` of our listener (what peers and the ports file use). */
  get url(): string {
    return `nats://${advertiseHost(this.options.host)}:${this.port}`;
  }

  lookupAccount(name: string): Account | null {
    return this.server.lookupAccount(name);
  }

  /** Listens, hooks every account, and starts dialling the configured routes. */
  async start(): Promise<void> {
    for (const account of this.server.accounts()) this.attachAccount(account);
    const o = this.options;
    this.listener = await listenTcp(o.host, o.port, (t) => this.accept(t));
    this.logger.info(`Cluster name is ${this.name}`);
    if (this.dynamicName) this.logger.warn("Cluster name was dynamically generated, consider setting one");
    this.logger.info(`Listening for route connections on ${o.host}:${this.port}`);
    for (const url of o.routes) this.dial({ url, explicit: true }, 0);
  }

  /** Accounts created after start (JWT) are hooked here so their interest is propagated too. */
  attachAccount(account: Account): void {
    account.remote = clusterRouting;
    this.interest.attach(account);
  }

  /** Our client URL plus every peer's, unless no_advertise (client INFO connect_urls). */
  connectUrls(): string[] {
    const urls = [this.server.clientConnectUrl()];
    if (this.options.noAdvertise) return urls;
    for (const r of this.routes.values()) for (const u of r.connectUrls) if (!urls.includes(u)) urls.push(u);
    return urls;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const listener = this.listener;
    this.listener = null;
    const closed = listener?.close();
    for (const r of this.allRouteConnections()) r.close("Server Shutdown");
    for (const account of this.server.accounts()) {
      account.remote = null;
      this.interest.detach(account);
    }
    await closed;
  }

  // ---- RouteHost ----

  checkConnect(connect: Record<string, unknown>): string | null {
    if (typeof connect.lang === "string" && connect.lang !== "") return "Attempted To Connect To Route Port";
    const o = this.options;
    if (o.username !== undefined && (connect.user !== o.username || connect.pass !== (o.password ?? "")))
      return "Authorization Violation";
    const theirs = typeof connect.cluster === "string" ? connect.cluster : "";
    if (theirs !== this.name && !this.adoptName(theirs, connect.dynamic === true))
      return `Rejecting connection, cluster name "${theirs}" does not match "${this.name}"`;
    return null;
  }

  routeInfo(route: RouteConnection, info: RouteInfo, first: boolean): boolean {
    if (info.server_id === this.server.serverId) {
      if (first) this.logger.debug(`${route.label()} - Detected route to self, ignoring`);
      return !first;
    }
    if (info.cluster && info.cluster !== this.name && !this.adoptName(info.cluster, info.dynamic === true)) {
      this.logger.error(`${route.label()} - Cluster name conflict: "${info.cluster}" vs "${this.name}"`);
      return false;
    }
    if (!first) return this.laterInfo(route, info);
    return this.register(route, info);
  }

  routeClosed(route: RouteConnection, reason: string): void {
    this.pending.delete(route);
    const wasRegistered = route.registered && this.routes.get(route.remoteId) === route;
    if (wasRegistered) {
      this.routes.delete(route.remoteId);
      this.logger.info(`${route.label()} - Route connection closed: ${reason}`);
      if (!this.options.noAdvertise && route.connectUrls.length > 0) this.server.connectUrlsChanged();
    }
    const s = route.solicited;
    if (this.closing || s === null) return;
    if (route.remoteId !== "" && (this.routes.has(route.remoteId) || route.remoteId === this.server.serverId))
      return;
    if (s.explicit) this.dial(s, ROUTE_RECONNECT_MS + Math.floor(Math.random() * 100));
    else if (this.options.connectRetries > 0) this.dial(s, ROUTE_RECONNECT_MS, this.options.connectRetries);
  }

  // ---- internals ----

  private accept(transport: import("../core/transport.js").Transport): void {
    if (this.closing) {
      transport.destroy();
      return;
    }
    const route = new RouteConnection(this.server.newCid(), transport, this, null);
    this.pending.add(route);
    this.logger.info(`${route.label()} - Route connection created`);
    route.begin(this.infoLine());
  }

  /** Dials `s` after `delayMs`, retrying every second (forever for explicit routes). */
  private dial(s: SolicitedUrl, delayMs: number, retriesLeft = 0): void {
    const attempt = () => {
      if (this.closing) return;
      const port = Number(s.url.port || "6222");
      const socket = netConnect({ host: s.url.hostname.replace(/^\[|\]$/g, ""), port, noDelay: true });
      const timeout = setTimeout(() => socket.destroy(new Error("dial timeout")), ROUTE_DIAL_TIMEOUT_MS);
      socket.once("error", (err) => {
        clearTimeout(timeout);
        this.logger.debug(`Error trying to connect to route ${s.url.host}: ${err.message}`);
        if (s.explicit || retriesLeft > 0) this.dial(s, ROUTE_RECONNECT_MS, retriesLeft - 1);
      });
      socket.once("connect", () => {
        clearTimeout(timeout);
        socket.removeAllListeners("error");
        if (this.closing) {
          socket.destroy();
          return;
        }
        const route = new RouteConnection(this.server.newCid(), new SocketTransport(socket), this, s);
        this.pending.add(route);
        this.logger.info(`${route.label()} - Route connection created`);
        route.begin(`CONNECT ${JSON.stringify(this.connectJson(s.url))}\r\n${this.infoLine()}`);
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

  private register(route: RouteConnection, info: RouteInfo): boolean {
    this.pending.delete(route);
    const existing = this.routes.get(info.server_id);
    if (existing !== undefined) {
      // Both sides dialled each other: keep the first, and let it redial if this one was ours (route.go addRoute).
      if (route.solicited !== null && existing.solicited === null) existing.solicited = route.solicited;
      this.logger.debug(`${route.label()} - Detected duplicate remote route "${info.server_id}"`);
      return false;
    }
    route.registered = true;
    this.routes.set(info.server_id, route);
    this.logger.info(
      `${route.label()} - Route registered with server "${info.server_name ?? info.server_id}"`,
    );
    this.sendAllInterest(route);
    if (this.routes.size > 1) this.gossip(route, info);
    if (!this.options.noAdvertise && route.connectUrls.length > 0) this.server.connectUrlsChanged();
    return true;
  }

  /** Tells the other routes about a new peer so they connect to it too (forwardNewRouteInfoToKnownServers). */
  private gossip(route: RouteConnection, info: RouteInfo): void {
    const fwd: Record<string, unknown> = { ...info };
    delete fwd.nonce;
    if (!fwd.ip) {
      const addr = route.remoteAddress.slice(0, route.remoteAddress.lastIndexOf(":"));
      fwd.ip = `nats-route://${addr.includes(":") ? `[${addr}]` : addr}:${info.port}/`;
    }
    const line = `INFO ${JSON.stringify(fwd)}\r\n`;
    for (const r of this.routes.values()) if (r !== route) r.sendProto(line);
  }

  /** An INFO after the first: about another server (connect to it) or an update of this one. */
  private laterInfo(route: RouteConnection, info: RouteInfo): boolean {
    if (info.server_id !== route.remoteId) {
      this.implicitRoute(info);
      return true;
    }
    if (Array.isArray(info.connect_urls)) {
      route.connectUrls = info.connect_urls.map(String);
      if (!this.options.noAdvertise) this.server.connectUrlsChanged();
    }
    return true;
  }

  private implicitRoute(info: RouteInfo): void {
    if (info.server_id === this.server.serverId || this.routes.has(info.server_id)) return;
    const hp = `${info.host}:${info.port}`.toLowerCase();
    if (this.options.routes.some((u) => u.host.toLowerCase() === hp)) return;
    let url: URL;
    try {
      url = new URL(info.ip ?? `nats-route://${info.host}:${info.port}/`);
    } catch {
      this.logger.error(`Error parsing URL from INFO: ${info.ip}`);
      return;
    }
    if (info.auth_required && this.options.username !== undefined) {
      url.username = this.options.username;
      url.password = this.options.password ?? "";
    }
    this.dial({ url, explicit: false }, Math.floor(Math.random() * 100), this.options.connectRetries);
  }

  private adoptName(theirs: string, theirsDynamic: boolean): boolean {
    if (!this.dynamicName || theirs === "") return false;
    if (theirsDynamic && theirs.localeCompare(this.name) <= 0) return false;
    this.name = theirs;
    this.dynamicName = theirsDynamic;
    for (const r of this.allRouteConnections()) r.close("Cluster Name Conflict");
    return true;
  }

  /** Our whole local interest, batched (route.go sendSubsToRoute). */
  private sendAllInterest(route: RouteConnection): void {
    let text = "";
    this.interest.forEach((account, subject, queue, count) => {
      text += interestLine(account.name, subject, queue, count);
      if (text.length > 64 * 1024) {
        route.sendProto(text);
        text = "";
      }
    });
    if (text !== "") route.sendProto(text);
  }

  private allRouteConnections(): RouteConnection[] {
    return [...this.routes.values(), ...this.pending];
  }

  private connectJson(url: URL): Record<string, unknown> {
    return {
      echo: true,
      verbose: false,
      pedantic: false,
      user: url.username ? decodeURIComponent(url.username) : (this.options.username ?? ""),
      pass: url.password ? decodeURIComponent(url.password) : (this.options.password ?? ""),
      tls_required: false,
      name: this.server.serverId,
      headers: true,
      cluster: this.name,
      dynamic: this.dynamicName,
      lnoc: true,
    };
  }

  private infoLine(): string {
    const o = this.options;
    const adv = o.advertise?.split(":");
    const info: Record<string, unknown> = {
      server_id: this.server.serverId,
      server_name: this.server.serverName,
      version: this.server.version,
      go: "natsgate",
      host: adv?.[0] ?? o.host,
      port: adv?.[1] !== undefined ? Number(adv[1]) : this.port,
      headers: true,
      auth_required: o.username !== undefined,
      tls_required: false,
      max_payload: this.server.maxPayload,
      proto: 2,
      cluster: this.name,
      lnoc: true,
    };
    if (this.dynamicName) info.dynamic = true;
    if (adv !== undefined) info.ip = `nats-route://${o.advertise}/`;
    if (this.server.jetstream) info.jetstream = true;
    if (!o.noAdvertise) info.connect_urls = [this.server.clientConnectUrl()];
    return `INFO ${JSON.stringify(info)}\r\n`;
  }
}

/** RS+ with the queue weight, or RS- when the interest is gone (route.go addRouteSubOrUnsubProtoToBuf). */
function interestLine(account: string, subject: string, queue: string | null, count: number): string {
  if (count === 0)
    return queue === null ? `RS- ${account} ${subject}\r\n` : `RS- ${account} ${subject} ${queue}\r\n`;
  return queue === null ? `RS+ ${account} ${subject}\r\n` : `RS+ ${account} ${subject} ${queue} ${count}\r\n`;
}

function advertiseHost(host: string): string {
  return host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
}

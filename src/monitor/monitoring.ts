// Monitoring for one server: the closed-connection ring, the plug-in points for protocols and JetStream,
// each endpoint's answer, the HTTP(S) listener's lifecycle and the `$SYS` request services.

import { readFileSync } from "node:fs";
import type { Account } from "../core/account.js";
import type { InternalClient } from "../core/internal-client.js";
import type { JetStream } from "../jetstream/jetstream.js";
import type { Logger } from "../util/logger.js";
import { accountz, accstatz } from "./accountz.js";
import { ClosedConnections } from "./closed-connections.js";
import { gatewayz, leafz, routez } from "./cluster-z.js";
import { type ConnzOptions, connectionType, connz } from "./connz.js";
import { type HealthStatus, type HealthzOptions, healthz } from "./healthz.js";
import { listenMonitorHttp, type MonitorHttpServer } from "./http.js";
import { monitorRoutes } from "./http-routes.js";
import { jetStreamMonitorView } from "./jetstream-view.js";
import { type JetStreamMonitorView, type JszOptions, jsz } from "./jsz.js";
import type { MonitoredConnection, MonitorSource } from "./monitor-source.js";
import { ProcessStats } from "./process-stats.js";
import { renderMetrics } from "./prometheus.js";
import { mqttVarz, websocketVarz } from "./protocol-varz.js";
import { type SubszOptions, sublistStatsJson, subsz } from "./subsz.js";
import { SYSTEM_ACCOUNT, type SystemEndpoints, SystemServices } from "./system-services.js";
import { varz } from "./varz.js";

/** The server as Monitoring needs it: the collectors' source plus its logger and JetStream. */
export interface MonitoringHost extends MonitorSource {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly logger: Logger;
  readonly jetstream: JetStream | null;
  /** The configured accounts; `system_account` names the one the server-level `$SYS` requests live in. */
  readonly security?: { readonly config: { readonly systemAccount?: string } };
  /** Bound ports of the WebSocket and MQTT listeners (0 when they do not run). */
  readonly websocketPort?: number;
  readonly mqttPort?: number;
  /** /routez and /leafz bodies from the cluster layer when it runs (server.ts wires them; monitor stays pure). */
  routezBody?(): Record<string, unknown> | null;
  leafzBody?(): Record<string, unknown> | null;
}

/** What the MQTT edge tells monitoring: its sessions and retained messages, for /metrics. */
export interface MqttMonitorView {
  sessions(): number;
  retainedMessages(): number;
}

export class Monitoring implements SystemEndpoints {
  readonly closed = new ClosedConnections();
  readonly process = new ProcessStats();
  readonly httpReqStats: Record<string, number> = {};
  /** Set by the MQTT listener when it runs. */
  mqtt: MqttMonitorView | null = null;
  private readonly connectionSources: (() => Iterable<MonitoredConnection>)[] = [];
  private readonly startedAt = Date.now();
  private http: MonitorHttpServer | null = null;
  private jsView: { js: JetStream; view: JetStreamMonitorView } | null = null;
  private system: SystemServices | null = null;

  /** `host` is read lazily: Monitoring is built while the server itself is still being constructed. */
  constructor(private readonly host: MonitoringHost) {}

  /** Adds connections that are not NATS clients of the server (MQTT): /connz, /varz and /metrics count them. */
  addConnectionSource(list: () => Iterable<MonitoredConnection>): void {
    this.connectionSources.push(list);
  }

  /** Every open client connection, of every protocol. */
  connections(): MonitoredConnection[] {
    const out: MonitoredConnection[] = [];
    for (const c of this.host.clients.values()) if (isClientKind(c.kind)) out.push(c);
    for (const list of this.connectionSources) for (const c of list()) out.push(c);
    return out;
  }

  /** The server calls this for every connection that closes (the /connz?state=closed ring). */
  connectionClosed(conn: MonitoredConnection, reason: string): void {
    if (!isClientKind(conn.kind)) return;
    this.closed.record(conn, reason);
    if (this.system !== null) this.system.connectionClosed(this.closed.latest()!);
  }

  /**
   * Answers nats-server's monitoring requests over NATS in the server's accounts (see system-services.ts);
   * `newClient` makes the internal client that serves one account.
   */
  startSystemServices(newClient: (account: Account) => InternalClient): void {
    if (this.system !== null) return;
    this.system = new SystemServices(this);
    this.system.start(this.host.accounts.values(), newClient, this.systemAccount());
  }

  /** The system account's name: `system_account` when configured, else `$SYS` if such an account exists. */
  systemAccount(): string | undefined {
    const configured = this.host.security?.config.systemAccount;
    if (configured !== undefined) return configured;
    return this.host.accounts.has(SYSTEM_ACCOUNT) ? SYSTEM_ACCOUNT : undefined;
  }

  jetstream(): JetStreamMonitorView | null {
    const js = this.host.jetstream;
    if (js === null) return null;
    if (this.jsView === null || this.jsView.js !== js) this.jsView = { js, view: jetStreamMonitorView(js) };
    return this.jsView.view;
  }

  /** The URL the monitoring listener serves, e.g. "http://127.0.0.1:8222"; null when it is off. */
  get url(): string | null {
    if (this.http === null) return null;
    const h = this.host.options.httpHost;
    const host = h === "0.0.0.0" || h === "::" || h === "" ? "127.0.0.1" : h;
    return `${this.http.protocol}://${host.includes(":") ? `[${host}]` : host}:${this.http.port}`;
  }

  /** The bound monitoring port; 0 when off. */
  get port(): number {
    return this.http?.port ?? 0;
  }

  /** Starts the HTTP or HTTPS listener if `http_port`/`https_port` asks for one (-1 = a free port). */
  async start(): Promise<void> {
    const o = this.host.options;
    if (o.httpPort !== 0 && o.httpsPort !== 0) {
      throw new Error(`can't specify both HTTP (${o.httpPort}) and HTTPs (${o.httpsPort}) ports`);
    }
    if (o.httpPort === 0 && o.httpsPort === 0) return;
    const secure = o.httpsPort !== 0;
    const port = secure ? o.httpsPort : o.httpPort;
    const tls = secure ? this.tlsFiles() : undefined;
    this.process.start();
    try {
      this.http = await listenMonitorHttp({
        host: o.httpHost,
        port: port === -1 ? 0 : port,
        tls,
        handlers: monitorRoutes(this),
        onRequest: (path) => {
          this.httpReqStats[path] = (this.httpReqStats[path] ?? 0) + 1;
        },
        onError: (err, path) => this.host.logger.error({ err }, `Error answering monitoring request ${path}`),
      });
    } catch (err) {
      this.process.stop();
      throw new Error(`can't listen to the monitor port: ${(err as Error).message}`);
    }
    const shown = o.httpHost.includes(":") ? `[${o.httpHost}]` : o.httpHost;
    this.host.logger.info(`Starting ${this.http.protocol} monitor on ${shown}:${this.http.port}`);
  }

  async close(): Promise<void> {
    this.system?.close();
    this.system = null;
    const http = this.http;
    this.http = null;
    this.process.stop();
    await http?.close();
  }

  /** https needs the server's TLS certificate and key (`tls { cert_file, key_file }`), as nats-server does. */
  private tlsFiles(): { cert: Buffer; key: Buffer } {
    const tls = this.host.options.extra.tls as { cert_file?: unknown; key_file?: unknown } | undefined;
    if (typeof tls?.cert_file !== "string" || typeof tls.key_file !== "string") {
      throw new Error("TLS cert and key required for HTTPS");
    }
    return { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file) };
  }

  // ---- endpoints (HTTP routes in http-routes.ts, NATS requests in system-services.ts) ----

  get serverId(): string {
    return this.host.serverId;
  }

  get serverName(): string {
    return this.host.serverName;
  }

  get serverHost(): string {
    return this.host.options.host;
  }

  get jetstreamEnabled(): boolean {
    return this.host.jetstream !== null;
  }

  varz(): Record<string, unknown> {
    const h = this.host;
    return varz({
      source: h,
      connections: this.connections().length,
      jetstream: this.jetstream(),
      websocket: websocketVarz(h.options.websocket, h.options.host, h.websocketPort ?? 0),
      mqtt: mqttVarz(h.options.mqtt, h.options.host, h.mqttPort ?? 0),
      httpReqStats: this.httpReqStats,
      configLoadTime: this.startedAt,
      systemAccount: this.systemAccount(),
      process: this.processFigures(),
    });
  }

  connz(opts: ConnzOptions): Record<string, unknown> {
    const h = this.host;
    const input = {
      serverId: h.serverId,
      connections: this.connections(),
      closed: this.closed.list(),
      accountExists: (name: string) => h.accounts.has(name),
    };
    return connz(input, opts);
  }

  subsz(opts: SubszOptions): Record<string, unknown> {
    return subsz(this.host.serverId, this.host.accounts.values(), opts);
  }

  jsz(opts: JszOptions): Record<string, unknown> {
    return jsz({ id: this.host.serverId, name: this.host.serverName }, this.jetstream(), opts);
  }

  healthStatus(opts: HealthzOptions): HealthStatus {
    const status = healthz(
      {
        listening: this.host.port !== 0,
        jetstreamConfigured: this.host.options.jetstream.enabled,
        jetstream: this.jetstream(),
      },
      opts,
    );
    if (status.error) this.host.logger.warn(`Healthcheck failed: "${status.error}"`);
    return status;
  }

  healthz(opts: HealthzOptions): Record<string, unknown> {
    return { ...this.healthStatus(opts) };
  }

  accountz(acc: string): Record<string, unknown> {
    const js = this.jetstream();
    const jsAccounts = new Set(js?.accounts().map((a) => a.name) ?? []);
    const h = this.host;
    return accountz(
      {
        serverId: h.serverId,
        accounts: h.accounts,
        systemAccount: this.systemAccount(),
        jetstreamEnabled: (name) => jsAccounts.has(name),
        updated: this.startedAt,
      },
      acc,
    );
  }

  /** /accstatz; `accounts` limits it to those names (empty = all). */
  accstatz(accounts: readonly string[], includeUnused: boolean): Record<string, unknown> {
    const all = this.host.accounts;
    const chosen =
      accounts.length === 0 ? all : new Map([...all].filter(([name]) => accounts.includes(name)));
    return accstatz(this.host.serverId, chosen, this.connections(), includeUnused);
  }

  routez(): Record<string, unknown> {
    return this.host.routezBody?.() ?? routez(this.host.serverId);
  }

  leafz(): Record<string, unknown> {
    return this.host.leafzBody?.() ?? leafz(this.host.serverId);
  }

  gatewayz(): Record<string, unknown> {
    return gatewayz(this.host.serverId);
  }

  /** nats-server's ServerStats (the `statsz` of `$SYS.REQ.SERVER.PING`). */
  statsz(): Record<string, unknown> {
    const v = this.varz();
    let active = 0;
    for (const a of this.host.accounts.values()) if (a.numConnections > 0) active++;
    const out: Record<string, unknown> = {
      start: v.start,
      mem: v.mem,
      cores: v.cores,
      cpu: v.cpu,
      connections: v.connections,
      total_connections: v.total_connections,
      active_accounts: active,
      subscriptions: v.subscriptions,
      sent: { msgs: v.out_msgs, bytes: v.out_bytes },
      received: { msgs: v.in_msgs, bytes: v.in_bytes },
      slow_consumers: v.slow_consumers,
    };
    if (this.jetstream() !== null) out.jetstream = v.jetstream;
    return out;
  }

  metrics(): string {
    const byType: Record<string, number> = {};
    for (const c of this.connections()) {
      const t = connectionType(c.kind);
      byType[t] = (byType[t] ?? 0) + 1;
    }
    const mqtt = this.mqtt;
    return renderMetrics({
      serverId: this.host.serverId,
      serverName: this.host.serverName,
      varz: this.varz(),
      connectionsByType: byType,
      subsz: sublistStatsJson(this.host.accounts.values()),
      jetstream: this.jetstream(),
      mqtt: mqtt === null ? null : { sessions: mqtt.sessions(), retainedMessages: mqtt.retainedMessages() },
      process: {
        lag: this.process.eventLoopLag(),
        memory: process.memoryUsage(),
        cpuSeconds: this.process.cpuSeconds(),
        startTimeSeconds: Math.floor((Date.now() - process.uptime() * 1000) / 1000),
      },
    });
  }

  private processFigures(): { cpu: number; mem: number; cores: number } {
    return { cpu: this.process.cpu(), mem: process.memoryUsage.rss(), cores: this.process.cores };
  }
}

function isClientKind(kind: string): boolean {
  return kind === "client" || kind === "websocket" || kind === "mqtt";
}

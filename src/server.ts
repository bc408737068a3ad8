// Wiring and lifecycle of one natsgate server: listeners, accounts, connections, shutdown.
// Several servers can run in one process: everything lives on the instance.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Authenticator } from "./auth/authenticator.js";
import { buildClientTls, buildSecurity, type ServerSecurity, setupAccounts } from "./auth/build-auth.js";
import { jetStreamEnabledFor } from "./auth/security-config.js";
import { Cluster } from "./cluster/cluster.js";
import { LeafNodes } from "./cluster/leaf-nodes.js";
import { LocalInterest } from "./cluster/local-interest.js";
import { leafzOf, routezOf } from "./cluster/peer-z.js";
import { clusterOptionsFrom } from "./config/load-cluster.js";
import { leafNodeOptionsFrom } from "./config/load-leafnodes.js";
import type { ServerOptions } from "./config/options.js";
import { applyReload, planReload } from "./config/reload.js";
import { Account, GLOBAL_ACCOUNT } from "./core/account.js";
import { InternalClient } from "./core/internal-client.js";
import { ServerStats } from "./core/stats.js";
import { createConsumerExtension } from "./jetstream/consumer-extension.js";
import { JetStream } from "./jetstream/jetstream.js";
import { Monitoring } from "./monitor/monitoring.js";
import { type MqttService, startMqtt } from "./protocols/mqtt/mqtt-service.js";
import { NatsConnection, type NatsConnectionContext } from "./protocols/nats/connection.js";
import { type CloseReason, closeReasons, errors } from "./protocols/nats/errors.js";
import { type BoundListener, listenTcp } from "./protocols/nats/listener.js";
import type { Transport } from "./protocols/nats/transport.js";
import { startWebsocket, type WebsocketService } from "./protocols/websocket/websocket.js";
import { createMessageStore } from "./storage/index.js";
import { newServerId } from "./util/ids.js";
import type { Logger } from "./util/logger.js";
import { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "./version.js";

export class NatsgateServer implements NatsConnectionContext {
  readonly serverId = newServerId();
  readonly serverName: string;
  readonly stats = new ServerStats();
  readonly accounts = new Map<string, Account>();
  readonly clients = new Map<number, NatsConnection>();
  authenticator: Authenticator;
  /** Users, accounts and imports/exports as configured (src/auth). */
  security: ServerSecurity;
  /** TLS on the client port (`tls` block). */
  private readonly clientTls: ReturnType<typeof buildClientTls>;
  /** Stream and service imports between accounts. */
  private readonly accountLinks: ReturnType<typeof setupAccounts>;
  private nextCid = 1;
  private clientListener: BoundListener | null = null;
  private infoBase = "";
  private shuttingDown = false;
  private portsFile: string | null = null;
  /** The WebSocket listener, when options.websocket is set. */
  private websocket: WebsocketService | null = null;
  /** The MQTT edge, when options.mqtt is set. */
  private mqtt: MqttService | null = null;
  /** Routes to other servers, when a cluster block (or --routes/--cluster) is configured. */
  cluster: Cluster | null = null;
  /** Leaf-node links to hubs, when `leafnodes { remotes [...] }` is configured. */
  leafNodes: LeafNodes | null = null;
  /** JetStream, when options.jetstream.enabled. */
  jetstream: JetStream | null = null;
  /** The monitoring endpoints (http_port / https_port) and the closed-connection ring. */
  readonly monitoring: Monitoring = new Monitoring(this);

  constructor(
    readonly options: ServerOptions,
    readonly logger: Logger,
  ) {
    this.serverName = options.serverName ?? this.serverId;
    this.accounts.set(GLOBAL_ACCOUNT, new Account(GLOBAL_ACCOUNT));
    this.security = buildSecurity(options);
    this.clientTls = buildClientTls(options);
    this.authenticator = this.security.authenticator;
    this.accountLinks = setupAccounts(this.security, this.accounts, (acc, name) => {
      return new InternalClient(this.nextCid++, acc, name);
    });
  }

  get port(): number {
    return this.clientListener?.port ?? 0;
  }

  get mqttPort(): number {
    return this.mqtt?.port ?? 0;
  }

  /** Hands an MQTT byte stream (WebSocket `/mqtt`) to the MQTT edge; false when MQTT is not enabled. */
  acceptMqtt(transport: Transport): boolean {
    if (this.mqtt === null) return false;
    this.mqtt.accept(transport);
    return true;
  }

  get websocketPort(): number {
    return this.websocket?.port ?? 0;
  }

  get host(): string {
    return this.options.host;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.logger.info(`Starting nats-server (natsgate v${NATSGATE_VERSION})`);
    this.logger.info(`  Version:  ${NATS_SERVER_COMPAT_VERSION} (natsgate ${NATSGATE_VERSION})`);
    this.logger.info(`  Name:     ${this.serverName}`);
    this.logger.info(`  ID:       ${this.serverId}`);
    for (const key of o.unknownKeys) this.logger.warn(`Unknown configuration key "${key}" ignored`);
    for (const warning of o.configWarnings ?? []) this.logger.warn(warning);
    // nats-server starts the monitoring listener first: /healthz answers while the rest comes up.
    await this.monitoring.start();
    if (o.jetstream.enabled) this.startJetStream();
    this.monitoring.startSystemServices((account) => new InternalClient(this.nextCid++, account, "System"));
    const tls = this.clientTls;
    const onTlsError = (remote: string, err: Error) => {
      this.logger.error(`${remote} - cid:? - TLS handshake error: ${err.message}`);
    };
    this.clientListener = await listenTcp(
      o.host,
      o.port,
      (t) => this.acceptClient(t, "client"),
      tls === undefined ? undefined : (socket) => tls.transport(socket, onTlsError),
    );
    await this.startCluster();
    await this.startLeafNodes();
    this.infoBase = this.buildInfoBase();
    this.logger.info(`Listening for client connections on ${hostPort(o.host, this.port)}`);
    if (o.websocket) this.websocket = await startWebsocket(this, o.websocket);
    if (o.mqtt) {
      const host = { options: o, logger: this.logger, authenticator: this.authenticator };
      this.mqtt = await startMqtt(
        {
          ...host,
          lookupAccount: (n) => this.lookupAccount(n),
          newCid: () => this.nextCid++,
          accounts: () => this.accounts.values(),
          connectionClosed: (conn, reason) => this.monitoring.connectionClosed(conn, reason),
        },
        o.mqtt,
      );
      const mqtt = this.mqtt;
      this.monitoring.addConnectionSource(() => mqtt.monitoredConnections());
      this.monitoring.mqtt = mqtt.monitorView();
    }
    this.writePortsFile();
    this.logger.info("Server is ready");
  }

  /** JetStream starts before the listener (as in nats-server) so recovered streams are ready for clients. */
  private startJetStream(): void {
    const js = new JetStream({
      options: this.options.jetstream,
      serverId: this.serverId,
      serverName: this.serverName,
      logger: this.logger,
      storeFactory: createMessageStore,
      newInternalClient: (account) => new InternalClient(this.nextCid++, account, "JetStream"),
      extensions: [createConsumerExtension({ maxPayload: this.options.maxPayload })],
    });
    this.jetstream = js;
    js.start();
    for (const account of this.accounts.values())
      if (jetStreamEnabledFor(this.security.config, account.name)) js.enableAccount(account);
  }

  /** Routes start once the client port is known: it is advertised to peers in connect_urls. */
  private async startCluster(): Promise<void> {
    const clusterOptions = clusterOptionsFrom(this.options.extra.cluster);
    if (clusterOptions === null) return;
    const o = this.options;
    this.cluster = new Cluster(
      {
        serverId: this.serverId,
        serverName: this.serverName,
        logger: this.logger,
        version: NATS_SERVER_COMPAT_VERSION,
        maxPayload: o.maxPayload,
        pingIntervalMs: o.pingInterval,
        maxPingsOut: o.maxPingsOutstanding,
        maxPending: o.maxPending,
        writeDeadlineMs: o.writeDeadline,
        jetstream: o.jetstream.enabled,
        accounts: () => this.accounts.values(),
        lookupAccount: (name) => this.lookupAccount(name),
        clientConnectUrl: () => `${advertiseHost(o.host)}:${this.port}`,
        newCid: () => this.nextCid++,
        connectUrlsChanged: () => this.sendAsyncInfo(),
      },
      clusterOptions,
    );
    await this.cluster.start();
  }

  /** Leaf links share the cluster's view of local interest (one listener per account sublist). */
  private async startLeafNodes(): Promise<void> {
    const leafOptions = leafNodeOptionsFrom(this.options.extra.leafnodes);
    if (leafOptions === null) return;
    const o = this.options;
    this.leafNodes = new LeafNodes(
      {
        serverId: this.serverId,
        serverName: this.serverName,
        logger: this.logger,
        version: NATS_SERVER_COMPAT_VERSION,
        pingIntervalMs: o.pingInterval,
        maxPingsOut: o.maxPingsOutstanding,
        maxPending: o.maxPending,
        writeDeadlineMs: o.writeDeadline,
        maxPayload: o.maxPayload,
        jetstream: o.jetstream.enabled,
        clusterName: () => this.cluster?.clusterName,
        accounts: () => this.accounts.values(),
        lookupAccount: (name) => this.lookupAccount(name),
        newCid: () => this.nextCid++,
      },
      leafOptions,
      this.cluster?.interest ?? new LocalInterest(),
    );
    await this.leafNodes.start();
  }

  /** The cluster changed connect_urls: clients that speak protocol 1 get a fresh INFO (client failover). */
  private sendAsyncInfo(): void {
    if (this.shuttingDown || this.clientListener === null) return;
    this.infoBase = this.buildInfoBase();
    for (const conn of this.clients.values()) {
      if (conn.opts.protocol >= 1) conn.sendProto(`INFO ${this.infoJson(conn)} \r\n`);
    }
  }

  private buildInfoBase(): string {
    const o = this.options;
    const info: Record<string, unknown> = {
      server_id: this.serverId,
      server_name: this.serverName,
      version: NATS_SERVER_COMPAT_VERSION,
      proto: 1,
      go: `natsgate ${NATSGATE_VERSION}`,
      host: o.host,
      port: this.port,
      headers: true,
    };
    if (this.authenticator.required) info.auth_required = true;
    if (this.clientTls !== undefined) {
      info.tls_required = true;
      if (this.clientTls.config.verify) info.tls_verify = true;
    }
    info.max_payload = o.maxPayload;
    if (o.jetstream.enabled) info.jetstream = true;
    if (this.cluster !== null) {
      info.cluster = this.cluster.clusterName;
      info.connect_urls = this.cluster.connectUrls();
    }
    // The closing brace is added per connection, after client_id and client_ip.
    return JSON.stringify(info).slice(0, -1);
  }

  infoJson(conn: NatsConnection): string {
    const nonce = conn.nonce === undefined ? "" : `,"nonce":"${conn.nonce}"`;
    return `${this.infoBase},"client_id":${conn.cid},"client_ip":${JSON.stringify(conn.remoteAddress)}${nonce}}`;
  }

  lookupAccount(name: string): Account | null {
    return this.accounts.get(name) ?? null;
  }

  /** `ctx` lets an edge give its connections their own auth and INFO (the WebSocket block's). */
  acceptClient(
    transport: Transport,
    kind: "client" | "websocket",
    ctx: NatsConnectionContext = this,
  ): NatsConnection {
    const cid = this.nextCid++;
    const conn = new NatsConnection(cid, transport, ctx, kind);
    if (this.shuttingDown) {
      transport.destroy();
      return conn;
    }
    this.stats.totalConnections++;
    if (this.clients.size >= this.options.maxConnections) {
      this.logger.error(
        `${transport.remoteAddress}:${transport.remotePort} - cid:${cid} - Maximum Connections Exceeded`,
      );
      conn.begin({ error: errors.maxConnections, reason: closeReasons.maxConnectionsExceeded });
      return conn;
    }
    this.clients.set(cid, conn);
    conn.begin();
    return conn;
  }

  connectionClosed(conn: NatsConnection, reason: CloseReason): void {
    this.clients.delete(conn.cid);
    this.monitoring.connectionClosed(conn, reason);
  }

  private writePortsFile(): void {
    const dir = this.options.portsFileDir;
    if (!dir) return;
    const ports: Record<string, string[]> = {
      nats: [`nats://${advertiseHost(this.options.host)}:${this.port}`],
    };
    if (this.websocket !== null) ports.websocket = [this.websocket.url];
    const monitorUrl = this.monitoring.url;
    if (monitorUrl !== null) ports.monitoring = [monitorUrl];
    if (this.mqtt !== null) ports.mqtt = [this.mqtt.url];
    if (this.cluster !== null) ports.cluster = [this.cluster.url];
    mkdirSync(dir, { recursive: true });
    this.portsFile = join(dir, `${programName()}_${process.pid}.ports`);
    writeFileSync(this.portsFile, JSON.stringify(ports));
  }

  /**
   * Applies a new configuration (SIGHUP): listeners and identity cannot change at runtime (the whole
   * reload is refused, as nats-server does); limits, auth and logging take effect for what comes next.
   */
  reload(next: ServerOptions): string[] {
    const plan = planReload(this.options, next);
    if (plan.refused.length > 0) throw new Error(plan.refused.join("; "));
    applyReload(this.options, next, plan);
    this.security = buildSecurity(this.options);
    this.authenticator = this.security.authenticator;
    this.infoBase = this.buildInfoBase();
    // An embedded server created silent stays silent; a logging one follows -D/-V from the new file.
    if (this.logger.level !== "silent") {
      this.logger.level = this.options.trace ? "trace" : this.options.debug ? "debug" : "info";
    }
    this.logger.info("Reloaded server configuration");
    return plan.changed;
  }

  /**
   * Lame duck mode (ADR-5): stop accepting, tell clients with `ldm` in INFO so they move elsewhere,
   * then close them spread over lame_duck_duration, and shut down.
   */
  async enterLameDuckMode(): Promise<void> {
    if (this.shuttingDown) return;
    this.logger.info("Entering lame duck mode, stop accepting new clients");
    const listener = this.clientListener;
    this.clientListener = null;
    // net.Server's close resolves only once every connection has ended: await it after closing them.
    const listenerClosed = listener?.close();
    const clients = [...this.clients.values()];
    for (const conn of clients) conn.sendProto(`INFO ${this.infoBase},"ldm":true} \r\n`);
    const durationMs = Math.max(0, this.options.lameDuckDuration * 1000);
    const step = clients.length > 0 ? durationMs / clients.length : 0;
    for (const conn of clients) {
      if (step > 0) await new Promise((res) => setTimeout(res, Math.min(step, 2 ** 31 - 1)));
      conn.closeNow(closeReasons.serverShutdown);
    }
    await listenerClosed;
    await this.close();
  }

  /** /routez for monitoring: null (the empty shape) until routes run. */
  routezBody(): Record<string, unknown> | null {
    return this.cluster === null ? null : routezOf(this.serverId, this.cluster);
  }

  /** /leafz for monitoring: null (the empty shape) until leaf nodes run. */
  leafzBody(): Record<string, unknown> | null {
    return this.leafNodes === null ? null : leafzOf(this.serverId, this.leafNodes);
  }

  /** Closes listeners and every connection; resolves when done. */
  async close(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const listener = this.clientListener;
    this.clientListener = null;
    const closing = listener?.close();
    for (const conn of [...this.clients.values()]) conn.closeNow(closeReasons.serverShutdown);
    this.clients.clear();
    const wsClosing = this.websocket?.close();
    this.websocket = null;
    const mqttClosing = this.mqtt?.close();
    this.mqtt = null;
    const leafClosing = this.leafNodes?.close();
    this.leafNodes = null;
    const clusterClosing = this.cluster?.close();
    this.cluster = null;
    await Promise.all([closing, wsClosing, mqttClosing, clusterClosing, leafClosing]);
    // After the clients: nothing publishes into streams while they flush, sync and close.
    this.jetstream?.close();
    this.accountLinks.close();
    this.jetstream = null;
    await this.monitoring.close();
    if (this.portsFile !== null) rmSync(this.portsFile, { force: true });
    this.logger.info("Server Exiting..");
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function advertiseHost(host: string): string {
  return host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
}

/** The name the process was started by, as nats-server uses it for the ports file. */
export function programName(): string {
  const base = (p: string) => p.split("/").pop() ?? p;
  const argv0 = base(process.argv0);
  if (argv0 !== "node" && argv0 !== "nodejs" && !argv0.startsWith("node")) return argv0;
  const script = base(process.argv[1] ?? "natsgate").replace(/\.(c|m)?js$/, "");
  return script === "main" || script === "" ? "natsgate" : script;
}

// The MQTT edge of one server: the `mqtt {}` listener, the broker with its stores, and accept() for
// transports that arrive another way (WebSocket `/mqtt`). server.ts starts and closes it.

import { randomBytes } from "node:crypto";
import type { Authenticator } from "../../auth/authenticator.js";
import { SimpleAuthenticator } from "../../auth/simple-auth.js";
import type { MqttOptions, ServerOptions } from "../../config/options.js";
import type { Account } from "../../core/account.js";
import { GLOBAL_ACCOUNT } from "../../core/account.js";
import type { Transport } from "../../core/transport.js";
import type { Logger } from "../../util/logger.js";
import { openJetStreamStores, SESSION_STREAM } from "./js-stores.js";
import { MqttBroker } from "./mqtt-broker.js";
import {
  MqttConnection,
  type MqttConnectionContext,
  type MqttConnectionSettings,
} from "./mqtt-connection.js";
import { MqttJsApi } from "./mqtt-js-api.js";
import { listenMqtt, type MqttBoundListener } from "./mqtt-listener.js";
import { connectionView, type MqttConnectionView } from "./mqtt-monitor.js";
import { type MqttStores, memoryStores } from "./stores.js";

export interface MqttHost {
  readonly options: ServerOptions;
  readonly logger: Logger;
  readonly authenticator: Authenticator;
  lookupAccount(name: string): Account | null;
  newCid(): number;
  /** Every account, to restore their stored sessions at start (only the global account when absent). */
  accounts?(): Iterable<Account>;
  /** Stores to use instead of the JetStream or in-memory ones (tests). */
  stores?(account: Account): MqttStores;
  /** An MQTT connection that had completed CONNECT closed (monitoring's closed-connection ring). */
  connectionClosed?(conn: MqttConnectionView, reason: string): void;
}

/** Retained messages kept per account (each one also in memory, for wildcard lookups). */
const MAX_RETAINED = 100_000;

/** nats-server defaults (server/mqtt.go): ack_wait 30s, max_ack_pending 1024. */
export const MQTT_DEFAULT_ACK_WAIT = 30_000;
export const MQTT_DEFAULT_MAX_ACK_PENDING = 1024;

export class MqttService implements MqttConnectionContext {
  readonly broker: MqttBroker;
  readonly settings: MqttConnectionSettings;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly connections = new Set<MqttConnection>();
  private listener: MqttBoundListener | null = null;
  private closing = false;
  private readonly stores = new Map<Account, MqttStores>();
  private readonly apis: MqttJsApi[] = [];
  /** Names the JetStream reply inbox of this server's MQTT edge. */
  private readonly tag = randomBytes(6).toString("hex");

  constructor(
    private readonly host: MqttHost,
    readonly mqtt: MqttOptions,
  ) {
    const o = host.options;
    this.logger = host.logger;
    this.authenticator =
      mqtt.username !== undefined || mqtt.token !== undefined
        ? new SimpleAuthenticator({ user: mqtt.username, password: mqtt.password, token: mqtt.token })
        : host.authenticator;
    this.settings = {
      // Room for topic, properties and headers around a max_payload message.
      maxPacketSize: o.maxPayload + 64 * 1024,
      connectTimeout: mqtt.authTimeout ?? Math.max(o.authTimeout, 2000),
      maxAckPending: mqtt.maxAckPending ?? MQTT_DEFAULT_MAX_ACK_PENDING,
      maxPending: o.maxPending,
      topicAliasMaximum: 10,
      receiveMaximum: 20,
    };
    this.broker = new MqttBroker({
      logger: host.logger,
      stores: (account) => this.storesFor(account),
      maxQueued: Math.max(this.settings.maxAckPending * 4, 4096),
      newCid: () => host.newCid(),
      lookupAccount: (name) => host.lookupAccount(name),
    });
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  get listenHost(): string {
    return this.mqtt.host ?? this.host.options.host;
  }

  get url(): string {
    const h = this.listenHost;
    const adv = h === "0.0.0.0" || h === "::" || h === "" ? "127.0.0.1" : h;
    return `mqtt://${adv.includes(":") ? `[${adv}]` : adv}:${this.port}`;
  }

  get jetstreamEnabled(): boolean {
    return this.host.options.jetstream.enabled;
  }

  /** The stores of an account: made on first use, in JetStream when it is on (as nats-server). */
  storesFor(account: Account): MqttStores {
    let stores = this.stores.get(account);
    if (stores !== undefined) return stores;
    stores = this.host.stores?.(account) ?? this.openStores(account);
    this.stores.set(account, stores);
    return stores;
  }

  private openStores(account: Account): MqttStores {
    if (!this.jetstreamEnabled) return memoryStores();
    const api = new MqttJsApi(account, this.host.newCid(), this.tag, this.logger);
    const opened = openJetStreamStores(api, MAX_RETAINED);
    if (typeof opened !== "string") {
      this.apis.push(api);
      return opened;
    }
    api.close();
    this.logger.warn(
      `MQTT state of account ${account.name} kept in memory only (not persistent): JetStream ${opened}`,
    );
    return memoryStores();
  }

  /** Restores the sessions of every account that has MQTT streams (none are made for the others). */
  private restoreAll(): void {
    const global = this.host.lookupAccount(GLOBAL_ACCOUNT);
    const accounts = this.host.accounts?.() ?? (global === null ? [] : [global]);
    for (const account of accounts) {
      if (this.host.stores === undefined && this.jetstreamEnabled) {
        const probe = new MqttJsApi(account, this.host.newCid(), this.tag, this.logger);
        const exists = probe.streamExists(SESSION_STREAM);
        probe.close();
        if (!exists) continue;
      }
      this.broker.restore(account);
    }
  }

  async start(): Promise<void> {
    if (!this.jetstreamEnabled)
      this.logger.warn("MQTT sessions and retained messages are not persistent: JetStream is not enabled");
    this.restoreAll();
    this.listener = await listenMqtt(this.listenHost, this.mqtt.port, (t) => this.accept(t));
    const h = this.listenHost;
    this.logger.info(`Listening for MQTT clients on mqtt://${h.includes(":") ? `[${h}]` : h}:${this.port}`);
  }

  lookupAccount(name: string): Account | null {
    return this.host.lookupAccount(name);
  }

  /** Takes an MQTT byte stream from any transport (TCP here, WebSocket `/mqtt` from the WebSocket edge). */
  accept(transport: Transport): MqttConnection {
    const conn = new MqttConnection(this.host.newCid(), transport, this);
    if (this.closing) {
      transport.destroy();
      return conn;
    }
    this.connections.add(conn);
    conn.begin();
    return conn;
  }

  connectionClosed(conn: MqttConnection): void {
    this.connections.delete(conn);
    if (conn.connected && this.host.connectionClosed !== undefined)
      this.host.connectionClosed(connectionView(conn), this.closing ? "Server Shutdown" : "Client Closed");
  }

  /** Connections past CONNECT, as monitoring lists them (/connz, /varz, /metrics). */
  *monitoredConnections(): Generator<MqttConnectionView> {
    for (const conn of this.connections) if (conn.connected && !conn.closed) yield connectionView(conn);
  }

  /** Sessions (connected or not) and retained messages over all accounts, for /metrics. */
  monitorView(): { sessions(): number; retainedMessages(): number } {
    return {
      sessions: () => this.broker.sessions.size,
      retainedMessages: () => {
        let n = 0;
        for (const stores of this.stores.values()) n += stores.retained.size;
        return n;
      },
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    const closing = this.listener?.close();
    this.listener = null;
    for (const conn of [...this.connections]) conn.close(0x8b, false);
    this.connections.clear();
    this.broker.close();
    for (const api of this.apis.splice(0)) api.close();
    this.stores.clear();
    await closing;
  }
}

export async function startMqtt(host: MqttHost, mqtt: MqttOptions): Promise<MqttService> {
  const service = new MqttService(host, mqtt);
  await service.start();
  return service;
}

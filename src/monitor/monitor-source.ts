// What the monitoring collectors read from a running server, as small structural interfaces, so they stay
// pure functions over plain data and never import the server, the protocols or JetStream themselves.

import type { ServerOptions } from "../config/options.js";
import type { SublistStats } from "../core/sublist.js";

/** One subscription as monitoring shows it (nats-server SubDetail). */
export interface MonitoredSubscription {
  readonly subject: string;
  readonly queue: string | null;
  readonly sid: string;
  /** Messages delivered so far. */
  readonly delivered: number;
  /** Auto-unsubscribe maximum; 0 = none. */
  readonly max: number;
  readonly client: { readonly cid: number };
}

/** A live connection of any protocol (NATS over TCP or WebSocket, MQTT). */
export interface MonitoredConnection {
  readonly cid: number;
  /** "client" (NATS over TCP), "websocket", "mqtt"; other kinds are not client connections. */
  readonly kind: string;
  readonly start: Date;
  /** Epoch milliseconds of the last inbound data. */
  readonly lastActivity: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Round-trip time in milliseconds; 0 = not measured yet. */
  readonly rtt: number;
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly pendingBytes: number;
  readonly subs: ReadonlyMap<string, MonitoredSubscription>;
  readonly opts: {
    readonly name: string;
    readonly lang: string;
    readonly version: string;
    readonly jwt?: string;
  };
  readonly user?: string | undefined;
  readonly account: { readonly name: string } | null;
  /** MQTT connections: the MQTT client identifier. */
  readonly mqttClientId?: string;
}

/** An account as monitoring shows it. */
export interface MonitoredAccount {
  readonly name: string;
  readonly numConnections: number;
  readonly sublist: {
    stats(): SublistStats;
    count(): number;
    forEach(fn: (sub: MonitoredSubscription) => void): void;
  };
}

/** The server as monitoring reads it (NatsgateServer satisfies it). */
export interface MonitorSource {
  readonly serverId: string;
  readonly serverName: string;
  readonly options: ServerOptions;
  readonly stats: {
    readonly inMsgs: number;
    readonly inBytes: number;
    readonly outMsgs: number;
    readonly outBytes: number;
    readonly slowConsumers: number;
    readonly totalConnections: number;
    readonly start: Date;
  };
  readonly accounts: ReadonlyMap<string, MonitoredAccount>;
  /** NATS connections (TCP and WebSocket) by cid. */
  readonly clients: ReadonlyMap<number, MonitoredConnection>;
  readonly authenticator: { readonly required: boolean };
  /** The bound client port; 0 until the client listener is up. */
  readonly port: number;
}

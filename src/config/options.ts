// Typed server options: what the config file, the command line and createServer() all produce.
// Defaults match nats-server 2.9.10 (server/const.go, server/opts.go).

export interface AuthorizationOptions {
  user?: string;
  password?: string;
  token?: string;
  /** Seconds the client has to send CONNECT after INFO (nats-server: authorization.timeout). */
  timeout?: number;
}

export interface JetStreamOptions {
  enabled: boolean;
  storeDir: string;
  /** Bytes; -1 = dynamic (nats-server picks from system memory). */
  maxMemory: number;
  /** Bytes; -1 = dynamic (nats-server picks from disk). */
  maxFile: number;
  domain?: string;
  /**
   * Milliseconds between fsyncs when `sync_interval` is configured (nats-server's lazy mode);
   * 0 = not configured: natsgate's durable default, a PubAck only after its record is fsynced.
   */
  syncInterval: number;
  /** `sync_interval: always`: fsync after every write. */
  syncAlways: boolean;
}

/** The `websocket { }` block (nats-server WebsocketOpts). Present = the WebSocket listener runs. */
export interface WebsocketOptions {
  /** Defaults to 0.0.0.0, as nats-server (not the client host). */
  host?: string;
  /** 0 = a random free port (the config's -1). */
  port: number;
  advertise?: string;
  /** Plain ws:// without a `tls` block; nats-server refuses to start without one or the other. */
  noTls?: boolean;
  tls?: WebsocketTlsOptions;
  /** The Origin header must match the request's Host. */
  sameOrigin?: boolean;
  /** Origins ("scheme://host[:port]") allowed to connect; empty = any. */
  allowedOrigins?: string[];
  /** Offer permessage-deflate (no context takeover either way). */
  compression?: boolean;
  /** Milliseconds to complete the TLS and HTTP upgrade handshake. */
  handshakeTimeout?: number;
  /** WebSocket-specific `authorization { user password token timeout }`: overrides the top-level auth. */
  username?: string;
  password?: string;
  token?: string;
  /** Milliseconds; overrides authTimeout for WebSocket clients. */
  authTimeout?: number;
  noAuthUser?: string;
  /** Cookie whose value is used as the user JWT when CONNECT carries none. */
  jwtCookie?: string;
}

export interface WebsocketTlsOptions {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** Require and verify client certificates. */
  verify?: boolean;
}

export interface ServerOptions {
  host: string;
  port: number;
  serverName?: string;
  /** Monitoring HTTP port; 0 = off (random when -1 on the command line or config). */
  httpHost: string;
  httpPort: number;
  httpsPort: number;
  maxPayload: number;
  maxControlLine: number;
  maxConnections: number;
  /** 0 = unlimited. */
  maxSubscriptions: number;
  /** Bytes of outbound data queued for one client before it is a slow consumer. */
  maxPending: number;
  /** Milliseconds. */
  pingInterval: number;
  maxPingsOutstanding: number;
  /** Milliseconds a write may stall before the client is a slow consumer. */
  writeDeadline: number;
  /** Milliseconds to receive CONNECT after INFO when auth is required. */
  authTimeout: number;
  username?: string;
  password?: string;
  authToken?: string;
  noAuthUser?: string;
  debug: boolean;
  trace: boolean;
  logtime: boolean;
  logFile?: string;
  pidFile?: string;
  portsFileDir?: string;
  /** Seconds of lame duck mode before shutdown. */
  lameDuckDuration: number;
  jetstream: JetStreamOptions;
  /** WebSocket listener; absent = off. */
  websocket?: WebsocketOptions;
  /** Keys from the config file the server does not know: warned about, kept for later. */
  unknownKeys: string[];
  /**
   * Config blocks natsgate accepts but does not map yet (websocket, mqtt, accounts, tls, cluster, ...),
   * raw as parsed, by lower-cased nats-server key; command-line flags for them land here too.
   */
  extra: Record<string, unknown>;
  mqtt?: MqttOptions;
  /** Config problems that are not errors (nats-server warns too), e.g. a number where a duration belongs. */
  configWarnings?: string[];
  /** `trace_verbose` / -VV: also trace the system account. */
  traceVerbose?: boolean;
  /** The config file this came from, if any (for reload). */
  configFile?: string;
}

/** The `mqtt { }` block (nats-server MQTTOpts). Present = the MQTT listener runs. */
export interface MqttOptions {
  /** Defaults to the client host. */
  host?: string;
  /** 0 = a random free port (the config's -1). */
  port: number;
  /** MQTT-specific `authorization { user password token timeout }`: overrides the top-level auth. */
  username?: string;
  password?: string;
  token?: string;
  /** Milliseconds for the CONNECT packet to arrive. */
  authTimeout?: number;
  noAuthUser?: string;
  /** Milliseconds before an unacknowledged QoS 1/2 message may be redelivered (nats-server ack_wait, 30s). */
  ackWait?: number;
  /** QoS 1/2 messages in flight to one client (nats-server max_ack_pending, 1024). */
  maxAckPending?: number;
  jsDomain?: string;
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
}

export const MiB = 1024 * 1024;

export function defaultOptions(): ServerOptions {
  return {
    host: "0.0.0.0",
    port: 4222,
    httpHost: "0.0.0.0",
    httpPort: 0,
    httpsPort: 0,
    maxPayload: 1 * MiB,
    maxControlLine: 4096,
    maxConnections: 64 * 1024,
    maxSubscriptions: 0,
    maxPending: 64 * MiB,
    pingInterval: 2 * 60 * 1000,
    maxPingsOutstanding: 2,
    writeDeadline: 10 * 1000,
    authTimeout: 2 * 1000,
    debug: false,
    trace: false,
    logtime: true,
    lameDuckDuration: 2 * 60,
    jetstream: {
      enabled: false,
      storeDir: "",
      maxMemory: -1,
      maxFile: -1,
      syncInterval: 0,
      syncAlways: false,
    },
    unknownKeys: [],
    extra: {},
  };
}

/** Options as a caller of createServer() may give them: everything optional, JetStream partial. */
export type ServerOptionsInput = Partial<Omit<ServerOptions, "jetstream">> & {
  jetstream?: Partial<JetStreamOptions> | boolean;
};

export function resolveOptions(input: ServerOptionsInput = {}): ServerOptions {
  const base = defaultOptions();
  const { jetstream, ...rest } = input;
  const out: ServerOptions = { ...base, ...stripUndefined(rest) };
  if (jetstream === true) out.jetstream = { ...base.jetstream, enabled: true };
  else if (jetstream && typeof jetstream === "object")
    out.jetstream = { ...base.jetstream, enabled: true, ...stripUndefined(jetstream) };
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

// Starts the WebSocket listener of a server from the `websocket { }` options: validation as nats-server's,
// the listener, and the hand-over of each upgraded socket to the NATS connection logic (or to MQTT).

import { readFileSync } from "node:fs";
import type { WebsocketOptions } from "../../config/options.js";
import type { NatsConnection, NatsConnectionContext } from "../nats/connection.js";
import type { Transport } from "../nats/transport.js";
import { OriginChecker } from "./origin-check.js";
import { isUserDirectory, websocketAuthenticator, withCookieJwt } from "./ws-auth.js";
import { WebsocketConnectionContext } from "./ws-context.js";
import { listenWebsocket, type UpgradedClient, type WebsocketListenerConfig } from "./ws-listener.js";

/** nats-server's DEFAULT_HOST for the websocket block. */
const DEFAULT_WS_HOST = "0.0.0.0";
/**
 * nats-server has no handshake limit unless configured; natsgate bounds unfinished handshakes anyway
 * so idle sockets cannot pile up.
 */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * ws holds a whole message before handing it over, so a message is bounded: one operation of up to
 * max_payload plus its control line, plus the small operations a client batches in front of it
 * (nats.js flushes at 32 KiB).
 */
const BATCH_ALLOWANCE = 64 * 1024;

/** What the WebSocket listener needs from the server (server.ts implements it). */
export interface WebsocketHost extends NatsConnectionContext {
  acceptClient(transport: Transport, kind: "websocket", ctx: NatsConnectionContext): NatsConnection;
  /**
   * Hands an MQTT-over-WebSocket byte stream to the MQTT edge; false when MQTT is not running. Upgrades
   * to `/mqtt` or the `mqtt` subprotocol get 404 unless `options.mqtt` is set.
   */
  acceptMqtt?(transport: Transport): boolean;
}

export interface WebsocketService {
  readonly port: number;
  /** "ws://host:port" (or wss) for clients on this machine: a wildcard host becomes 127.0.0.1. */
  readonly url: string;
  readonly tls: boolean;
  close(): Promise<void>;
}

/** nats-server's validateWebsocketOptions: the errors it refuses to start with. */
export function validateWebsocketOptions(ws: WebsocketOptions, server: NatsConnectionContext): void {
  if (ws.tls === undefined && !ws.noTls) throw new Error("websocket requires TLS configuration");
  const extra = server.options.extra;
  if (ws.jwtCookie && extra.operator === undefined && extra.trusted === undefined) {
    throw new Error(
      `trusted operators or trusted keys configuration is required for JWT authentication via cookie "${ws.jwtCookie}"`,
    );
  }
  // Throws "unable to parse allowed origin" for an origin that is not scheme://host[:port].
  new OriginChecker(false, ws.allowedOrigins ?? []);
  const auth = server.authenticator;
  if (
    ws.noAuthUser !== undefined &&
    !(isUserDirectory(auth) && auth.identityForUser(ws.noAuthUser) !== null)
  ) {
    throw new Error(
      `no_auth_user: "${ws.noAuthUser}" not present as user in authorization block or account configuration`,
    );
  }
}

function tlsOptions(ws: WebsocketOptions): WebsocketListenerConfig["tls"] {
  if (ws.tls === undefined) return null;
  const t = ws.tls;
  return {
    cert: readFileSync(t.certFile),
    key: readFileSync(t.keyFile),
    ca: t.caFile === undefined ? undefined : readFileSync(t.caFile),
    requestCert: t.verify === true,
    rejectUnauthorized: t.verify === true,
  };
}

export async function startWebsocket(server: WebsocketHost, ws: WebsocketOptions): Promise<WebsocketService> {
  validateWebsocketOptions(ws, server);
  const authenticator = websocketAuthenticator(server.authenticator, ws);
  const context = new WebsocketConnectionContext(server, authenticator, ws.authTimeout);
  const log = server.logger;
  const onClient = (client: UpgradedClient) => {
    const t = client.transport;
    if (client.kind === "mqtt") {
      // False only while MQTT is not (or no longer) running although configured.
      if (server.acceptMqtt?.(t) !== true) t.destroy();
      return;
    }
    const ctx =
      client.cookieJwt === null
        ? context
        : new WebsocketConnectionContext(
            server,
            withCookieJwt(authenticator, client.cookieJwt),
            ws.authTimeout,
          );
    const conn = server.acceptClient(t, "websocket", ctx);
    t.closeReason = () => conn.closedReason;
  };
  const o = server.options;
  const host = ws.host ?? DEFAULT_WS_HOST;
  const listener = await listenWebsocket({
    host,
    port: ws.port,
    tls: tlsOptions(ws),
    maxMessage: o.maxPayload + o.maxControlLine + BATCH_ALLOWANCE,
    compression: ws.compression === true,
    handshakeTimeoutMs: ws.handshakeTimeout || DEFAULT_HANDSHAKE_TIMEOUT_MS,
    origins: new OriginChecker(ws.sameOrigin === true, ws.allowedOrigins ?? []),
    jwtCookie: ws.jwtCookie,
    mqttEnabled: () => server.options.mqtt !== undefined && typeof server.acceptMqtt === "function",
    onClient,
    onHandshakeError: (message) => log.error(message),
  });
  const scheme = listener.tls ? "wss" : "ws";
  const local = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  const url = `${scheme}://${local.includes(":") ? `[${local}]` : local}:${listener.port}`;
  // nats-server's wording, host unbracketed as it prints it.
  log.info(`Listening for websocket clients on ${scheme}://${host}:${listener.port}`);
  if (!listener.tls) log.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
  return { port: listener.port, url, tls: listener.tls, close: () => listener.close() };
}

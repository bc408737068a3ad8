// The WebSocket port: an HTTP(S) server that only upgrades. Every request is checked (upgrade-request.ts),
// a connection must finish TLS and the upgrade within the handshake timeout, and an upgraded socket is
// handed over as a Transport.

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { SecureContextOptions } from "node:tls";
import { type ServerOptions, WebSocketServer } from "ws";
import { normaliseAddress } from "../nats/transport.js";
import type { OriginChecker } from "./origin-check.js";
import {
  checkUpgradeRequest,
  httpErrorResponse,
  type UpgradeKind,
  type UpgradePolicy,
  upgradeKind,
  writeHttpError,
} from "./upgrade-request.js";
import { WebsocketTransport } from "./ws-transport.js";

/** Connections still in TLS or HTTP handshake; past this the oldest is dropped (slowloris by the hundred). */
const MAX_PENDING_HANDSHAKES = 4096;
/** Request head limit; Node answers 431 past it. */
const MAX_HEADER_BYTES = 16 * 1024;
const CLOSE_TIMEOUT_MS = 5000;

export interface UpgradedClient {
  kind: UpgradeKind;
  transport: WebsocketTransport;
  /** Value of the configured JWT cookie, when the request carried it. */
  cookieJwt: string | null;
}

export interface WebsocketListenerConfig {
  host: string;
  port: number;
  /** Certificate and key (and CA, verification) for wss; absent for plain ws. */
  tls: (SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean }) | null;
  /** Largest message accepted, after decompression; ws closes with 1009 past it. */
  maxMessage: number;
  compression: boolean;
  handshakeTimeoutMs: number;
  origins: OriginChecker;
  jwtCookie: string | undefined;
  mqttEnabled(): boolean;
  onClient(client: UpgradedClient): void;
  /** A refused request or a failed handshake, in nats-server's words. */
  onHandshakeError(message: string): void;
}

export interface WebsocketListener {
  readonly port: number;
  readonly tls: boolean;
  close(): Promise<void>;
}

export function listenWebsocket(cfg: WebsocketListenerConfig): Promise<WebsocketListener> {
  return new WebsocketListenerImpl(cfg).listen();
}

class WebsocketListenerImpl implements WebsocketListener {
  port = 0;
  readonly tls: boolean;
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly policy: UpgradePolicy;
  /** Sockets that have not upgraded yet, oldest first, with the timer that drops them. */
  private readonly pending = new Map<Duplex, NodeJS.Timeout>();
  /** Upgraded sockets, so close() can drop the ones whose peers never finish closing. */
  private readonly upgraded = new Set<Duplex>();

  constructor(private readonly cfg: WebsocketListenerConfig) {
    this.tls = cfg.tls !== null;
    this.policy = { origins: cfg.origins, tls: this.tls, mqttEnabled: cfg.mqttEnabled };
    // closeTimeout (how long ws waits for the peer's close frame) is missing from @types/ws.
    const wsOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      clientTracking: false,
      maxPayload: cfg.maxMessage,
      closeTimeout: CLOSE_TIMEOUT_MS,
      perMessageDeflate: cfg.compression ? deflateOptions() : false,
      // nats-server names no subprotocol for NATS; MQTT clients get the `mqtt` they offered.
      handleProtocols: (offered, req) =>
        upgradeKind(req) === "mqtt" && offered.has("mqtt") ? "mqtt" : false,
    };
    this.wss = new WebSocketServer(wsOptions);
    const options = { maxHeaderSize: MAX_HEADER_BYTES, noDelay: true };
    if (cfg.tls !== null) {
      const https = createHttpsServer({ ...options, ...cfg.tls, handshakeTimeout: cfg.handshakeTimeoutMs });
      // The TLS handshake has its own timeout (above); the HTTP part starts once it is done.
      https.on("secureConnection", (socket: Socket) => this.trackHandshake(socket));
      https.on("tlsClientError", (err: Error, socket: Duplex) => {
        this.cfg.onHandshakeError(`${describePeer(socket)} - websocket TLS handshake error: ${err.message}`);
        socket.destroy();
      });
      this.http = https;
    } else {
      this.http = createHttpServer(options);
      this.http.on("connection", (socket: Socket) => this.trackHandshake(socket));
    }
    this.http.on("request", (req, res) => this.onPlainRequest(req, res));
    this.http.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  listen(): Promise<WebsocketListener> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen({ host: this.cfg.host, port: this.cfg.port, backlog: 4096 }, () => {
        this.http.off("error", reject);
        const addr = this.http.address();
        this.port = typeof addr === "object" && addr !== null ? addr.port : this.cfg.port;
        resolve(this);
      });
    });
  }

  private trackHandshake(socket: Duplex): void {
    if (this.pending.size >= MAX_PENDING_HANDSHAKES) {
      const [oldest, timer] = this.pending.entries().next().value as [Duplex, NodeJS.Timeout];
      clearTimeout(timer);
      this.pending.delete(oldest);
      oldest.destroy();
    }
    const timer = setTimeout(() => {
      this.pending.delete(socket);
      socket.destroy();
    }, this.cfg.handshakeTimeoutMs);
    timer.unref();
    this.pending.set(socket, timer);
    socket.once("close", () => this.untrack(socket));
  }

  private untrack(socket: Duplex): void {
    const timer = this.pending.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pending.delete(socket);
  }

  /** A request without an upgrade: nats-server runs the same checks, so it always ends in an error status. */
  private onPlainRequest(req: IncomingMessage, res: ServerResponse): void {
    const check = checkUpgradeRequest(req, Buffer.alloc(0), this.policy);
    const status = check.ok ? 400 : check.status;
    const reason = check.ok ? "invalid value for header 'Connection'" : check.reason;
    this.cfg.onHandshakeError(`${describePeer(req.socket)} - websocket handshake error: ${reason}`);
    const { head, body } = httpErrorResponse(status);
    res.writeHead(status, head);
    res.end(body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const check = checkUpgradeRequest(req, head, this.policy);
    if (!check.ok) {
      this.cfg.onHandshakeError(`${describePeer(req.socket)} - websocket handshake error: ${check.reason}`);
      writeHttpError(socket, check.status);
      return;
    }
    // ws checks the key's format and the extension offers itself (400 when malformed).
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.untrack(socket);
      this.upgraded.add(socket);
      socket.once("close", () => this.upgraded.delete(socket));
      const { address, port } = clientAddress(req);
      const transport = new WebsocketTransport(ws, socket, address, port);
      this.cfg.onClient({ kind: check.kind, transport, cookieJwt: cookieValue(req, this.cfg.jwtCookie) });
    });
  }

  /** Stops listening, drops unfinished handshakes and, after a grace, upgraded sockets still open. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const [socket, timer] of this.pending) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.pending.clear();
    this.http.closeIdleConnections();
    const grace = setTimeout(() => {
      for (const socket of this.upgraded) socket.destroy();
    }, CLOSE_TIMEOUT_MS);
    grace.unref();
    await closed;
    clearTimeout(grace);
  }
}

/** Compression as nats-server negotiates it: no context takeover either way, small messages uncompressed. */
function deflateOptions() {
  return {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    // nats-server compresses with flate.BestSpeed and skips buffers of 64 bytes or less.
    zlibDeflateOptions: { level: 1 },
    threshold: 65,
  };
}

/** The peer, or the address in X-Forwarded-For when it is a single valid IP (as nats-server). */
function clientAddress(req: IncomingMessage): { address: string; port: number } {
  const port = req.socket.remotePort ?? 0;
  const forwarded = req.headersDistinct["x-forwarded-for"]?.[0];
  if (forwarded !== undefined && isIP(forwarded) !== 0) return { address: forwarded, port };
  return { address: normaliseAddress(req.socket.remoteAddress ?? ""), port };
}

function describePeer(socket: Duplex): string {
  const s = socket as Partial<Socket>;
  return `${normaliseAddress(s.remoteAddress ?? "")}:${s.remotePort ?? 0}`;
}

/** The named cookie's value from the Cookie header(s), or null. */
export function cookieValue(req: IncomingMessage, name: string | undefined): string | null {
  if (name === undefined || name === "") return null;
  for (const header of req.headersDistinct.cookie ?? []) {
    for (const pair of header.split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
  }
  return null;
}

// A Transport for a TLS client port: INFO goes out in plain text, then the socket upgrades (nats-server's
// default), or the handshake comes first (handshake_first). Gives the certificate's names for verify_and_map.

import type { Socket } from "node:net";
import {
  createServer as createTlsServer,
  type TLSSocket,
  type TlsOptions,
  type Server as TlsServer,
} from "node:tls";
import type { Transport, TransportEvents } from "../core/transport.js";
import { normaliseAddress, SocketTransport } from "../util/socket-transport.js";

/**
 * One non-listening tls.Server per listener that sockets are handed to: Node then verifies client
 * certificates against the CA and sets `authorized`, which a bare TLSSocket would not do.
 */
export class TlsUpgrader {
  private readonly server: TlsServer;
  private readonly waiting = new Map<string, TlsTransport>();

  /** `options`: cert, key, ca, requestCert, rejectUnauthorized. */
  constructor(options: TlsOptions) {
    this.server = createTlsServer(options);
    this.server.on("secureConnection", (tls: TLSSocket) => {
      const t = this.take(tls);
      if (t === undefined) tls.destroy();
      else t.onSecure(tls);
    });
    this.server.on("tlsClientError", (err: Error, tls: TLSSocket) => this.take(tls)?.fail(err));
  }

  upgrade(raw: Socket, transport: TlsTransport): void {
    this.waiting.set(socketKey(raw), transport);
    this.server.emit("connection", raw);
  }

  forget(raw: Socket): void {
    this.waiting.delete(socketKey(raw));
  }

  private take(tls: TLSSocket): TlsTransport | undefined {
    const key = socketKey(tls);
    const t = this.waiting.get(key);
    this.waiting.delete(key);
    return t;
  }
}

function socketKey(s: Socket): string {
  return `${s.remoteAddress}|${s.remotePort}`;
}

export interface TlsTransportOptions {
  upgrader: TlsUpgrader;
  handshakeFirst: boolean;
  timeoutMs: number;
  /** Reports a failed or timed-out handshake (for the log). */
  onHandshakeError?(remote: string, err: Error): void;
}

export class TlsTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private tls: TLSSocket | null = null;
  private inner: SocketTransport | null = null;
  private events: TransportEvents | null = null;
  private timer: NodeJS.Timeout | null = null;
  private upgrading = false;
  private closed = false;
  /** Written before the handshake completed (e.g. an auth timeout): sent once it has. */
  private pending: Buffer[] = [];

  /** `raw` must be paused (listener with pauseOnConnect) so no TLS bytes are read as plain text. */
  constructor(
    private readonly raw: Socket,
    private readonly opts: TlsTransportOptions,
  ) {
    this.remoteAddress = normaliseAddress(raw.remoteAddress ?? "");
    this.remotePort = raw.remotePort ?? 0;
    raw.setNoDelay(true);
    raw.once("close", () => this.onRawClose());
    if (opts.handshakeFirst) this.upgrade();
  }

  get bufferedBytes(): number {
    return (this.tls ?? this.raw).writableLength;
  }

  start(events: TransportEvents): void {
    this.events = events;
    if (this.inner !== null) this.inner.start(events);
  }

  write(chunks: Buffer[]): boolean {
    if (this.inner !== null) return this.inner.write(chunks);
    if (this.upgrading) {
      this.pending.push(...chunks);
      return true;
    }
    // The first write is INFO: plain text, then the client starts its handshake.
    for (const c of chunks) this.raw.write(c);
    this.upgrade();
    return true;
  }

  end(): void {
    this.clearTimer();
    if (this.inner !== null) this.inner.end();
    else this.raw.end();
  }

  destroy(): void {
    this.clearTimer();
    this.tls?.destroy();
    this.raw.destroy();
  }

  certNames(): string[] | undefined {
    const tls = this.tls;
    if (tls === null || !tls.authorized) return undefined;
    const cert = tls.getPeerX509Certificate();
    if (cert === undefined) return undefined;
    const names: string[] = [];
    const san = cert.subjectAltName ?? "";
    const sans = san.length === 0 ? [] : san.split(/,\s*/);
    for (const kind of ["email:", "DNS:", "URI:"])
      for (const s of sans) if (s.startsWith(kind)) names.push(s.slice(kind.length));
    // Go's pkix RDNSequence.String(): the subject's RDNs last-first, joined by commas.
    const rdns = cert.subject.split("\n").filter((s) => s.length > 0);
    if (rdns.length > 0) names.push(rdns.reverse().join(","));
    return names;
  }

  private upgrade(): void {
    this.upgrading = true;
    this.timer = setTimeout(() => this.fail(new Error("TLS handshake timeout")), this.opts.timeoutMs);
    this.opts.upgrader.upgrade(this.raw, this);
  }

  /** Called by the upgrader once the handshake (and certificate check) succeeded. */
  onSecure(tls: TLSSocket): void {
    this.clearTimer();
    if (this.closed) return;
    this.tls = tls;
    this.inner = new SocketTransport(tls);
    if (this.events !== null) this.inner.start(this.events);
    if (this.pending.length > 0) this.inner.write(this.pending.splice(0));
  }

  private onRawClose(): void {
    this.clearTimer();
    this.opts.upgrader.forget(this.raw);
    if (this.closed) return;
    this.closed = true;
    // After the handshake the TLS socket reports the close itself.
    if (this.inner === null) this.events?.closed();
  }

  /** Only errors before the handshake completes are handshake failures; later ones close normally. */
  fail(err: Error): void {
    if (this.timer === null) return;
    this.clearTimer();
    this.opts.onHandshakeError?.(`${this.remoteAddress}:${this.remotePort}`, err);
    this.destroy();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

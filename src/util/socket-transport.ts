// A Transport over a TCP (or TLS) socket, shared by the NATS and MQTT listeners.

import type { Socket } from "node:net";
import type { Transport, TransportEvents } from "../core/transport.js";

export class SocketTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = normaliseAddress(socket.remoteAddress ?? "");
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(chunks: Buffer[]): boolean {
    const socket = this.socket;
    if (socket.destroyed) return true;
    if (chunks.length === 1) return socket.write(chunks[0]);
    socket.cork();
    let ok = true;
    for (let i = 0; i < chunks.length; i++) ok = socket.write(chunks[i]);
    socket.uncork();
    return ok;
  }

  end(): void {
    if (!this.socket.destroyed) this.socket.end();
    // A peer that never reads must not keep the socket half-open forever.
    this.socket.setTimeout(5000, () => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  start(events: TransportEvents): void {
    const socket = this.socket;
    socket.on("data", events.data);
    socket.on("drain", events.drain);
    let error: Error | undefined;
    socket.on("error", (err) => {
      error = err;
    });
    socket.on("close", () => events.closed(error));
  }
}

/** "::ffff:127.0.0.1" → "127.0.0.1", as nats-server reports IPv4 clients. */
export function normaliseAddress(addr: string): string {
  return addr.startsWith("::ffff:") ? addr.slice(7) : addr;
}

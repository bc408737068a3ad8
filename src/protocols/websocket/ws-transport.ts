// The Transport of a NATS (or MQTT) connection over WebSocket: bytes in from binary or text messages,
// bytes out as binary messages. Framing, masking and compression are the `ws` package's; nothing here
// knows the protocol inside.

import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import type { Transport, TransportEvents } from "../nats/transport.js";
import { closeFrameFor } from "./close-status.js";

/** How long a closing peer may take to answer our close frame before the socket is dropped. */
const CLOSE_GRACE_MS = 5000;
/** write() reports back-pressure above this many buffered bytes (the socket's own high-water mark). */
const HIGH_WATER = 64 * 1024;
const SEND_OPTIONS = { binary: true } as const;

export class WebsocketTransport implements Transport {
  /**
   * Why the connection closed, asked when it ends so the close frame carries nats-server's status
   * (set by whoever accepted the transport; null means a normal closure).
   */
  closeReason: (() => string | null) | null = null;
  private events: TransportEvents | null = null;
  private error: Error | undefined;
  private closeTimer: NodeJS.Timeout | null = null;
  private ending = false;
  private readonly compressed: boolean;
  private readonly afterCompressedSend = () => {
    if (this.ws.bufferedAmount === 0) this.events?.drain();
  };

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    this.compressed = ws.extensions.includes("permessage-deflate");
    // Nothing is read until someone listens (an acceptor may start the transport later).
    ws.pause();
  }

  /** Bytes accepted but not yet handed to the OS (queued frames, pending compression, socket buffer). */
  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  write(chunks: Buffer[]): boolean {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return true;
    // Each chunk is its own message: NATS is a byte stream, clients reassemble operations across messages
    // (nats-server splits its output into 4 KiB frames for browsers). Corking makes one syscall of them.
    const last = chunks.length - 1;
    this.socket.cork();
    for (let i = 0; i < last; i++) ws.send(chunks[i]!, SEND_OPTIONS);
    // With compression the bytes leave asynchronously and may never fill the socket (no 'drain'):
    // the send callback reports when they are gone.
    if (this.compressed) ws.send(chunks[last]!, SEND_OPTIONS, this.afterCompressedSend);
    else ws.send(chunks[last]!, SEND_OPTIONS);
    this.socket.uncork();
    return ws.bufferedAmount < HIGH_WATER;
  }

  /** Sends the queued messages, then a close frame with the status for the close reason. */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    // Deferred a microtask: a connection refused while it is being accepted (max_connections) closes
    // before the acceptor could install `closeReason`.
    queueMicrotask(() => {
      const { status, text } = closeFrameFor(this.closeReason?.() ?? null);
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(status, text);
      this.armCloseTimer();
    });
  }

  destroy(): void {
    this.ending = true;
    this.ws.terminate();
  }

  start(events: TransportEvents): void {
    this.events = events;
    const ws = this.ws;
    // binaryType is "nodebuffer": every message (fragments already joined) arrives as one Buffer.
    ws.on("message", (data) => events.data(data as Buffer));
    ws.on("error", (err) => {
      // ws has already answered a bad frame with a close frame (1002, or 1009 past maxPayload);
      // a peer that does not complete the close must not keep the socket.
      this.error = err;
      this.armCloseTimer();
    });
    ws.on("close", () => {
      if (this.closeTimer !== null) clearTimeout(this.closeTimer);
      this.closeTimer = null;
      events.closed(this.error);
    });
    this.socket.on("drain", events.drain);
    ws.resume();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null) return;
    this.closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }
}

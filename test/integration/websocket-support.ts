// Shared helpers of the WebSocket integration tests: a server with a ws listener, nats.js `wsconnect`
// clients over the `ws` package, raw WebSocket clients, and raw HTTP/TCP exchanges for bad input.

import { connect as netConnect, type Socket } from "node:net";
import { type NatsConnection, wsconnect } from "@nats-io/nats-core";
import { type ClientOptions, WebSocket } from "ws";
import type { WebsocketOptions } from "../../src/config/options.js";
import { type CreateServerOptions, createServer, type NatsgateServer } from "../../src/index.js";
import { waitUntil, within } from "../helpers/server.js";

export { waitUntil, within } from "../helpers/server.js";

/** A server on 127.0.0.1 with a plain-ws listener; `ws` overrides the websocket block. */
export function startWsServer(
  ws: Partial<WebsocketOptions> = {},
  opts: CreateServerOptions = {},
): Promise<NatsgateServer> {
  return createServer({
    port: 0,
    ...opts,
    websocket: { host: "127.0.0.1", port: 0, noTls: true, ...ws },
  });
}

export function wsUrl(server: NatsgateServer, path = ""): string {
  return `ws://127.0.0.1:${server.websocketPort}${path}`;
}

/** nats.js over WebSocket, the `ws` package standing in for the browser's WebSocket. */
export function connectWs(
  server: NatsgateServer,
  opts: Record<string, unknown> = {},
  wsOptions: ClientOptions = {},
): Promise<NatsConnection> {
  return wsconnect({
    servers: wsUrl(server),
    reconnect: false,
    wsFactory: (url: string) => ({ socket: new WebSocket(url, wsOptions), encrypted: false }),
    ...opts,
    // biome-ignore lint/suspicious/noExplicitAny: wsFactory's socket type is the DOM WebSocket.
  } as any);
}

export interface RawWs {
  ws: WebSocket;
  /** Headers of the server's 101 response. */
  responseHeaders: Record<string, string | string[] | undefined>;
  /** Messages received, as Buffers, in order. */
  messages: Buffer[];
  /** Resolves with the close code and reason once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with all text received so far once it contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  text(): string;
}

/** A raw WebSocket client; resolves once open (rejects with the HTTP status when refused). */
export function openRawWs(url: string, options: ClientOptions = {}, protocols?: string[]): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const messages: Buffer[] = [];
    let responseHeaders: RawWs["responseHeaders"] = {};
    ws.on("upgrade", (res) => {
      responseHeaders = res.headers;
    });
    let wake: (() => void) | null = null;
    const text = () => Buffer.concat(messages).toString("latin1");
    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.on("close", (code, reason) => {
        res({ code, reason: reason.toString() });
        wake?.();
      });
    });
    ws.on("message", (data) => {
      messages.push(data as Buffer);
      wake?.();
    });
    // Before the upgrade completes an error means refused (TLS mismatch, reset); after it, closed covers it.
    ws.on("error", (err) => reject(err));
    ws.on("unexpected-response", (_req, res) => {
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.on("open", () =>
      resolve({
        ws,
        responseHeaders,
        messages,
        closed,
        text,
        async waitFor(wanted, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          while (!text().includes(wanted)) {
            if (Date.now() > deadline || ws.readyState === WebSocket.CLOSED)
              throw new Error(`no ${JSON.stringify(wanted)} in ${JSON.stringify(text())}`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 50);
            });
          }
          return text();
        },
      }),
    );
  });
}

/** The HTTP status a refused upgrade got (throws when the upgrade succeeded). */
export async function upgradeStatus(url: string, options: ClientOptions = {}, protocols?: string[]) {
  try {
    const raw = await openRawWs(url, options, protocols);
    raw.ws.terminate();
  } catch (err) {
    return (err as { status?: number }).status;
  }
  throw new Error("upgrade unexpectedly succeeded");
}

/** Sends raw bytes to host:port and collects everything until the server closes (or the timeout). */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server did not close within ${timeoutMs}ms; got ${Buffer.concat(chunks)}`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

/** A valid upgrade request for `path` with extra header lines. */
export function upgradeRequest(path = "/", extra: string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...extra,
    "",
    "",
  ].join("\r\n");
}

/** A raw TCP socket that has completed the upgrade and read the INFO frame; for hand-made frames. */
export async function upgradedSocket(port: number): Promise<{ socket: Socket; received: () => Buffer }> {
  const socket = netConnect({ host: "127.0.0.1", port });
  const chunks: Buffer[] = [];
  socket.on("data", (d) => chunks.push(d));
  socket.on("error", () => {});
  await within(new Promise((r) => socket.once("connect", r)), "tcp connect");
  socket.write(upgradeRequest());
  const received = () => Buffer.concat(chunks);
  await waitUntil(() => received().includes("INFO {"), "upgrade and INFO");
  return { socket, received };
}

/** A client frame: FIN set, the given opcode, masked unless `masked` is false; `declared` overrides the length. */
export function clientFrame(
  opcode: number,
  payload: Buffer,
  opts: { masked?: boolean; declared?: number; fin?: boolean } = {},
): Buffer {
  const masked = opts.masked !== false;
  const len = opts.declared ?? payload.length;
  const head: number[] = [(opts.fin === false ? 0 : 0x80) | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), masked ? key : Buffer.alloc(0), body]);
}

/** The close status in the first server close frame in `bytes` (after the 101 response), or null. */
export function serverCloseStatus(bytes: Buffer): number | null {
  let p = bytes.indexOf("\r\n\r\n");
  if (p < 0) return null;
  p += 4;
  while (p + 2 <= bytes.length) {
    const opcode = bytes[p]! & 0x0f;
    let len = bytes[p + 1]! & 0x7f;
    let q = p + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(q);
      q += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(q));
      q += 8;
    }
    if (opcode === 8) return len >= 2 ? bytes.readUInt16BE(q) : 1005;
    p = q + len;
  }
  return null;
}

/** Waits until the socket is closed by the peer. */
export function socketClosed(socket: Socket, timeoutMs = 5000): Promise<void> {
  if (socket.destroyed || socket.readyState === "closed") return Promise.resolve();
  return within(new Promise<void>((r) => socket.once("close", () => r())), "socket close", timeoutMs);
}

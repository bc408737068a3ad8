// permessage-deflate on the WebSocket listener: negotiated only with `compression: true`, with no context
// takeover either way as nats-server; messages intact both ways; a compression bomb closes with 1009.

import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { connectWs, openRawWs, startWsServer, within, wsUrl } from "./websocket-support.js";

let server: NatsgateServer | null = null;
const clients: NatsConnection[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await server?.close();
  server = null;
});

/** A compressible payload of `n` bytes. */
function text(n: number): string {
  return "natsgate websocket compression ".repeat(Math.ceil(n / 31)).slice(0, n);
}

describe("compression on", () => {
  it("negotiates permessage-deflate with no context takeover either way", async () => {
    server = await startWsServer({ compression: true });
    const raw = await openRawWs(wsUrl(server), { perMessageDeflate: true });
    expect(raw.ws.extensions).toBe("permessage-deflate");
    expect(raw.responseHeaders["sec-websocket-extensions"]).toBe(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    );
    raw.ws.terminate();
  });

  it("carries small and large messages between a compressing WebSocket client and TCP", async () => {
    server = await startWsServer({ compression: true });
    const w = await connectWs(server, {}, { perMessageDeflate: true });
    const t = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
    clients.push(w, t);
    const sizes = [1, 64, 65, 5000, 300_000];
    const toTcp = t.subscribe("cmp.in", { max: sizes.length });
    const toWs = w.subscribe("cmp.out", { max: sizes.length });
    await Promise.all([w.flush(), t.flush()]);
    for (const n of sizes) w.publish("cmp.in", text(n));
    for (const n of sizes) t.publish("cmp.out", text(n));
    const gotTcp: string[] = [];
    for await (const m of toTcp) gotTcp.push(m.string());
    const gotWs: string[] = [];
    for await (const m of toWs) gotWs.push(m.string());
    expect(gotTcp).toEqual(sizes.map(text));
    expect(gotWs).toEqual(sizes.map(text));
  });

  it("closes with 1009 on a small compressed message that inflates past the limit", async () => {
    server = await startWsServer({ compression: true });
    const raw = await openRawWs(wsUrl(server), { perMessageDeflate: true });
    await raw.waitFor("\r\n");
    let wireBytes = 0;
    const bomb = Buffer.alloc(8 * 1024 * 1024, 0x20);
    // Count what actually went over the wire: the whole point is that it is small.
    const socket = (raw.ws as unknown as { _socket: { bytesWritten: number } })._socket;
    const before = socket.bytesWritten;
    raw.ws.send(bomb, { compress: true });
    expect((await within(raw.closed, "close")).code).toBe(1009);
    wireBytes = socket.bytesWritten - before;
    expect(wireBytes).toBeLessThan(64 * 1024);
    // Others are unaffected.
    const w = await connectWs(server);
    clients.push(w);
    const sub = w.subscribe("after.bomb", { max: 1 });
    w.publish("after.bomb", "fine");
    for await (const m of sub) expect(m.string()).toBe("fine");
  });
});

describe("compression off", () => {
  it("does not accept permessage-deflate when compression is not configured", async () => {
    server = await startWsServer();
    const raw = await openRawWs(wsUrl(server), { perMessageDeflate: true });
    expect(raw.ws.extensions).toBe("");
    expect(raw.responseHeaders["sec-websocket-extensions"]).toBeUndefined();
    await raw.waitFor("INFO");
    raw.ws.terminate();
  });

  it("works with a client that offers compression anyway", async () => {
    server = await startWsServer({ compression: false });
    const w = await connectWs(server, {}, { perMessageDeflate: true });
    clients.push(w);
    const sub = w.subscribe("plain", { max: 1 });
    w.publish("plain", text(10_000));
    for await (const m of sub) expect(m.string()).toBe(text(10_000));
  });
});

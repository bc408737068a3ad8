// Bad input on the WebSocket port: plain HTTP and bad upgrades get HTTP errors and a close, oversized and
// malformed frames close the connection with the RFC status, slow handshakes are dropped after
// handshake_timeout, and none of it disturbs other clients.

import { connect as netConnect, type Socket } from "node:net";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import {
  clientFrame,
  connectWs,
  openRawWs,
  rawExchange,
  serverCloseStatus,
  socketClosed,
  startWsServer,
  upgradedSocket,
  upgradeRequest,
  waitUntil,
  within,
  wsUrl,
} from "./websocket-support.js";

let server: NatsgateServer;

beforeEach(async () => {
  server = await startWsServer({ handshakeTimeout: 300 });
});

afterEach(async () => {
  await server.close();
});

const statusLine = (response: string) => response.split("\r\n")[0];

/** A working client still gets its messages: the check that bad input affected nobody else. */
async function assertOthersUnaffected(): Promise<void> {
  const nc: NatsConnection = await connectWs(server);
  try {
    const sub = nc.subscribe("still.alive", { max: 1 });
    nc.publish("still.alive", "yes");
    for await (const m of sub) expect(m.string()).toBe("yes");
  } finally {
    await nc.close();
  }
}

describe("HTTP requests that are not valid upgrades", () => {
  it("answers a plain GET with 400 and closes", async () => {
    const res = await rawExchange(server.websocketPort, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(statusLine(res)).toBe("HTTP/1.1 400 Bad Request");
    expect(res).toContain("Sec-Websocket-Version: 13");
    expect(res.endsWith("\r\n\r\nBad Request\n")).toBe(true);
  });

  it("answers POST with 405", async () => {
    const res = await rawExchange(
      server.websocketPort,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    expect(statusLine(res)).toBe("HTTP/1.1 405 Method Not Allowed");
  });

  it.each([
    ["no key", upgradeRequest("/").replace(/Sec-WebSocket-Key: .*\r\n/, "")],
    ["wrong version", upgradeRequest("/").replace("Version: 13", "Version: 8")],
    ["no Upgrade: websocket", upgradeRequest("/").replace("Upgrade: websocket", "Upgrade: h2c")],
    ["malformed key", upgradeRequest("/").replace("dGhlIHNhbXBsZSBub25jZQ==", "short")],
    ["data before the handshake completed", `${upgradeRequest("/")}PING\r\n`],
  ])("answers an upgrade with %s with 400", async (_name, request) => {
    const res = await rawExchange(server.websocketPort, request);
    expect(statusLine(res)).toBe("HTTP/1.1 400 Bad Request");
  });

  it("answers a request with too many headers with 431", async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X-Filler-${i}: ${i}`);
    const res = await rawExchange(server.websocketPort, upgradeRequest("/", many));
    expect(statusLine(res)).toBe("HTTP/1.1 431 Request Header Fields Too Large");
  });

  it("answers a request head over the size limit with 431", async () => {
    const res = await rawExchange(
      server.websocketPort,
      upgradeRequest("/", [`X-Big: ${"a".repeat(40_000)}`]),
    );
    expect(statusLine(res)).toMatch(/^HTTP\/1\.1 431/);
  });

  it("answers /mqtt and the mqtt subprotocol with 404 when MQTT is not enabled", async () => {
    expect(statusLine(await rawExchange(server.websocketPort, upgradeRequest("/mqtt")))).toBe(
      "HTTP/1.1 404 Not Found",
    );
    const withProto = upgradeRequest("/", ["Sec-WebSocket-Protocol: mqtt"]);
    expect(statusLine(await rawExchange(server.websocketPort, withProto))).toBe("HTTP/1.1 404 Not Found");
    expect(statusLine(await rawExchange(server.websocketPort, upgradeRequest("/leafnode")))).toBe(
      "HTTP/1.1 404 Not Found",
    );
    await assertOthersUnaffected();
  });
});

describe("frames", () => {
  it("closes with 1009 on a message over max_payload plus framing", async () => {
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("\r\n");
    raw.ws.send(Buffer.alloc(2 * 1024 * 1024, 0x41));
    expect((await within(raw.closed, "close")).code).toBe(1009);
    await assertOthersUnaffected();
  });

  it("closes with 1009 at once on a declared length over the limit, before the data arrives", async () => {
    const { socket, received } = await upgradedSocket(server.websocketPort);
    socket.write(clientFrame(2, Buffer.alloc(0), { declared: 2 ** 40 }).subarray(0, 14));
    await waitUntil(() => serverCloseStatus(received()) !== null, "close frame");
    expect(serverCloseStatus(received())).toBe(1009);
    socket.destroy();
    await assertOthersUnaffected();
  });

  it("sends -ERR 'Maximum Payload Violation' and closes with 1009 for a NATS payload over max_payload", async () => {
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("\r\n");
    const size = 1024 * 1024 + 1;
    raw.ws.send(
      Buffer.concat([
        Buffer.from(`CONNECT {}\r\nPUB big ${size}\r\n`),
        Buffer.alloc(size),
        Buffer.from("\r\n"),
      ]),
    );
    await raw.waitFor("-ERR 'Maximum Payload Violation'\r\n");
    const closed = await within(raw.closed, "close");
    expect(closed).toEqual({ code: 1009, reason: "Maximum Message Payload Exceeded" });
  });

  it("closes with 1002 on a control frame over 125 bytes", async () => {
    const { socket, received } = await upgradedSocket(server.websocketPort);
    socket.write(clientFrame(9, Buffer.alloc(126, 1)));
    await waitUntil(() => serverCloseStatus(received()) !== null, "close frame");
    expect(serverCloseStatus(received())).toBe(1002);
    await socketClosed(socket);
  });

  it("closes with 1002 on an unmasked client frame", async () => {
    const { socket, received } = await upgradedSocket(server.websocketPort);
    socket.write(clientFrame(2, Buffer.from("PING\r\n"), { masked: false }));
    await waitUntil(() => serverCloseStatus(received()) !== null, "close frame");
    expect(serverCloseStatus(received())).toBe(1002);
    await socketClosed(socket);
  });

  it("closes with 1002 (protocol error) after -ERR on an unknown operation", async () => {
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("\r\n");
    raw.ws.send("GARBAGE\r\n");
    await raw.waitFor("-ERR 'Unknown Protocol Operation'");
    expect((await within(raw.closed, "close")).code).toBe(1002);
  });

  it("keeps serving others while a frame's declared length is never sent", async () => {
    const { socket } = await upgradedSocket(server.websocketPort);
    // Declares 60 KB, sends 10 bytes: ws waits for the rest, bounded by maxPayload.
    socket.write(clientFrame(2, Buffer.alloc(10), { declared: 60_000 }).subarray(0, 8 + 10));
    await assertOthersUnaffected();
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});

describe("slow consumers", () => {
  it("closes a WebSocket subscriber that stops reading once max_pending is exceeded", async () => {
    const s = await startWsServer({}, { maxPending: 2 * 1024 * 1024 });
    try {
      const raw = await openRawWs(wsUrl(s));
      raw.ws.send("CONNECT {}\r\nSUB flood 1\r\nPING\r\n");
      await raw.waitFor("PONG");
      raw.ws.pause();
      const pub = await connect({ servers: `127.0.0.1:${s.port}`, reconnect: false });
      const payload = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 400 && s.stats.slowConsumers === 0; i++) {
        pub.publish("flood", payload);
        await pub.flush();
      }
      await waitUntil(() => s.stats.slowConsumers === 1, "slow consumer");
      expect([...s.clients.values()].some((c) => c.kind === "websocket")).toBe(false);
      // The TCP publisher was not affected.
      const sub = pub.subscribe("after.flood", { max: 1 });
      pub.publish("after.flood", "ok");
      for await (const m of sub) expect(m.string()).toBe("ok");
      await pub.close();
      raw.ws.terminate();
    } finally {
      await s.close();
    }
  });
});

describe("Origin", () => {
  it("accepts a missing Origin and a browser Origin when no origin policy is configured", async () => {
    const raw = await openRawWs(wsUrl(server), { headers: { Origin: "http://anything.example" } });
    await raw.waitFor("INFO");
    raw.ws.terminate();
  });

  it("refuses a null Origin with 403 when an origin policy is configured", async () => {
    const s = await startWsServer({ sameOrigin: true });
    try {
      const res = await rawExchange(s.websocketPort, upgradeRequest("/", ["Origin: null"]));
      expect(statusLine(res)).toBe("HTTP/1.1 403 Forbidden");
      expect(res.endsWith("Forbidden\n")).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe("handshake timeout", () => {
  function openIdle(port: number, partial: string): Promise<Socket> {
    return new Promise((resolve) => {
      const s = netConnect({ host: "127.0.0.1", port }, () => {
        if (partial) s.write(partial);
        resolve(s);
      });
      s.on("error", () => {});
    });
  }

  it("drops a connection that sends nothing, and one that never finishes its request", async () => {
    const silent = await openIdle(server.websocketPort, "");
    const slow = await openIdle(server.websocketPort, "GET / HTTP/1.1\r\nHost: x\r\n");
    const started = Date.now();
    await Promise.all([socketClosed(silent, 3000), socketClosed(slow, 3000)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it("drops hundreds of slow upgrades while real clients keep connecting", async () => {
    const slow = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        openIdle(server.websocketPort, `GET / HTTP/1.1\r\nHost: x\r\nX-N: ${i}\r\n`),
      ),
    );
    for (let i = 0; i < 5; i++) await assertOthersUnaffected();
    await Promise.all(slow.map((s) => socketClosed(s, 5000)));
    await assertOthersUnaffected();
  });
});

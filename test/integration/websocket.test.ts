// NATS over WebSocket with the official nats.js `wsconnect` transport: pub/sub, request/reply, headers,
// queue groups, interop with TCP clients both ways, framing (split and batched operations), INFO, ports file.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { RawClient } from "../helpers/raw-client.js";
import {
  clientFrame,
  connectWs,
  openRawWs,
  startWsServer,
  upgradedSocket,
  waitUntil,
  within,
  wsUrl,
} from "./websocket-support.js";

let server: NatsgateServer;
const clients: NatsConnection[] = [];

beforeEach(async () => {
  server = await startWsServer();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await server.close();
});

async function ws(opts: Record<string, unknown> = {}): Promise<NatsConnection> {
  const nc = await connectWs(server, opts);
  clients.push(nc);
  return nc;
}

async function tcp(): Promise<NatsConnection> {
  const nc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
  clients.push(nc);
  return nc;
}

/** Collects `n` messages of a subscription as strings. */
async function take(sub: AsyncIterable<{ string(): string }>, n: number): Promise<string[]> {
  const out: string[] = [];
  for await (const m of sub) {
    out.push(m.string());
    if (out.length === n) break;
  }
  return out;
}

describe("wsconnect", () => {
  it("publishes and subscribes over WebSocket", async () => {
    const nc = await ws();
    const sub = nc.subscribe("ws.pubsub");
    const got = take(sub, 3);
    for (const s of ["a", "b", "c"]) nc.publish("ws.pubsub", s);
    expect(await within(got, "3 messages")).toEqual(["a", "b", "c"]);
    expect(server.clients.size).toBe(1);
    expect([...server.clients.values()][0]!.kind).toBe("websocket");
  });

  it("does request/reply between two WebSocket clients", async () => {
    const responder = await ws();
    const requester = await ws();
    responder.subscribe("svc.echo", {
      callback: (_e, m) => {
        m.respond(`echo:${m.string()}`);
      },
    });
    await responder.flush();
    const reply = await requester.request("svc.echo", "ping", { timeout: 2000 });
    expect(reply.string()).toBe("echo:ping");
  });

  it("gets no-responders (503) for a request nobody answers", async () => {
    const requester = await ws();
    await expect(requester.request("nobody.home", "x", { timeout: 2000 })).rejects.toThrow(/no responders/i);
  });

  it("carries headers both ways between WebSocket and TCP", async () => {
    const w = await ws();
    const t = await tcp();
    const tcpSub = t.subscribe("hdr.to-tcp", { max: 1 });
    const wsSub = w.subscribe("hdr.to-ws", { max: 1 });
    await Promise.all([t.flush(), w.flush()]);
    const h1 = natsHeaders();
    h1.set("X-From", "websocket");
    w.publish("hdr.to-tcp", "p1", { headers: h1 });
    const h2 = natsHeaders();
    h2.set("X-From", "tcp");
    h2.append("X-Multi", "1");
    h2.append("X-Multi", "2");
    t.publish("hdr.to-ws", "p2", { headers: h2 });
    for await (const m of tcpSub) {
      expect(m.headers?.get("X-From")).toBe("websocket");
      expect(m.string()).toBe("p1");
    }
    for await (const m of wsSub) {
      expect(m.headers?.get("X-From")).toBe("tcp");
      expect(m.headers?.values("X-Multi")).toEqual(["1", "2"]);
      expect(m.string()).toBe("p2");
    }
  });

  it("delivers each message once to a queue group of WebSocket and TCP members", async () => {
    const members = [await ws(), await ws(), await tcp()];
    const counts = [0, 0, 0];
    let total = 0;
    let allIn: () => void = () => {};
    const done = new Promise<void>((r) => {
      allIn = r;
    });
    for (const [i, nc] of members.entries()) {
      nc.subscribe("work", {
        queue: "workers",
        callback: () => {
          counts[i]!++;
          if (++total === 300) allIn();
        },
      });
    }
    await Promise.all(members.map((m) => m.flush()));
    const pub = await ws();
    for (let i = 0; i < 300; i++) pub.publish("work", String(i));
    await pub.flush();
    await within(done, "300 queue deliveries");
    // Give a duplicate the chance to show up before counting.
    await Promise.all(members.map((m) => m.flush()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it("interoperates with a TCP client both ways", async () => {
    const w = await ws();
    const t = await tcp();
    const fromTcp = take(w.subscribe("interop.a"), 2);
    const fromWs = take(t.subscribe("interop.b"), 2);
    await Promise.all([w.flush(), t.flush()]);
    t.publish("interop.a", "tcp-1");
    t.publish("interop.a", "tcp-2");
    w.publish("interop.b", "ws-1");
    w.publish("interop.b", "ws-2");
    expect(await within(fromTcp, "tcp → ws")).toEqual(["tcp-1", "tcp-2"]);
    expect(await within(fromWs, "ws → tcp")).toEqual(["ws-1", "ws-2"]);
  });

  it("carries a max_payload message intact from WebSocket to TCP and back", async () => {
    const w = await ws();
    const t = await tcp();
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const tcpGot = t.subscribe("big.1", { max: 1 });
    const wsGot = w.subscribe("big.2", { max: 1 });
    await Promise.all([w.flush(), t.flush()]);
    w.publish("big.1", big);
    for await (const m of tcpGot) {
      expect(Buffer.from(m.data).equals(big)).toBe(true);
      t.publish("big.2", m.data);
    }
    for await (const m of wsGot) expect(Buffer.from(m.data).equals(big)).toBe(true);
  });
});

describe("framing", () => {
  it("sends the TCP INFO in a binary frame", async () => {
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("\r\n");
    const tcpClient = await RawClient.connect(server.port);
    const line = raw.text();
    expect(line.startsWith("INFO {")).toBe(true);
    expect(line.endsWith("} \r\n")).toBe(true);
    const info = JSON.parse(line.slice(5, -3));
    const { client_id: _a, ...wsInfo } = info;
    const { client_id: _b, ...tcpInfo } = tcpClient.info;
    expect(wsInfo).toEqual(tcpInfo);
    expect(info.client_ip).toBe("127.0.0.1");
    await tcpClient.close();
    raw.ws.terminate();
  });

  it("parses an operation split across messages and several operations in one message", async () => {
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("\r\n");
    raw.ws.send(Buffer.from('CONNECT {"verbose":false}\r\nSUB split 1\r\nSUB multi 2\r\n'));
    for (const part of ["PU", "B split 5\r\nhel", "lo\r", "\n"]) raw.ws.send(Buffer.from(part));
    raw.ws.send(Buffer.from("PUB multi 1\r\nx\r\nPUB multi 1\r\ny\r\nPING\r\n"));
    const text = await raw.waitFor("PONG\r\n");
    expect(text).toContain("MSG split 1 5\r\nhello\r\n");
    expect(text).toContain("MSG multi 2 1\r\nx\r\nMSG multi 2 1\r\ny\r\n");
    raw.ws.terminate();
  });

  it("accepts text frames and fragmented messages", async () => {
    const { socket, received } = await upgradedSocket(server.websocketPort);
    const text = (s: string, fin = true, opcode = 1) => clientFrame(opcode, Buffer.from(s), { fin });
    socket.write(text("CONNECT {}\r\nSUB t 9\r\n"));
    // One message in three fragments: text, continuation, continuation (FIN).
    socket.write(
      Buffer.concat([text("PUB t 2\r", false), text("\nok", false, 0), text("\r\nPING\r\n", true, 0)]),
    );
    await waitUntil(() => received().toString("latin1").includes("PONG"), "PONG");
    expect(received().toString("latin1")).toContain("MSG t 9 2\r\nok\r\n");
    socket.destroy();
  });

  it("keeps ordering under a burst in both directions", async () => {
    const w = await ws();
    const t = await tcp();
    const n = 5000;
    const got = take(t.subscribe("burst"), n);
    await t.flush();
    for (let i = 0; i < n; i++) w.publish("burst", String(i));
    const all = await within(got, `${n} messages`, 10_000);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });
});

describe("server wiring", () => {
  it("writes a websocket entry in the ports file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-ws-ports-"));
    const s = await startWsServer({}, { portsFileDir: dir });
    try {
      const [file] = readdirSync(dir);
      const ports = JSON.parse(readFileSync(join(dir, file!), "utf8"));
      expect(ports.websocket).toEqual([`ws://127.0.0.1:${s.websocketPort}`]);
      expect(ports.nats).toEqual([`nats://127.0.0.1:${s.port}`]);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists WebSocket clients in connz with type websocket, beside TCP clients", async () => {
    const s = await startWsServer({}, { httpPort: -1 });
    const w = await connectWs(s);
    const t = await connect({ servers: `127.0.0.1:${s.port}`, reconnect: false });
    try {
      await Promise.all([w.flush(), t.flush()]);
      const res = await fetch(`http://127.0.0.1:${s.monitoring.port}/connz`);
      const connz = (await res.json()) as { connections: { type: string; ip: string }[] };
      expect(connz.connections.map((c) => c.type).sort()).toEqual(["nats", "websocket"]);
    } finally {
      await Promise.all([w.close(), t.close()]);
      await s.close();
    }
  });

  it("closes WebSocket clients with 1001 on shutdown", async () => {
    const s = await startWsServer();
    const raw = await openRawWs(wsUrl(s));
    await raw.waitFor("\r\n");
    await s.close();
    expect((await within(raw.closed, "close")).code).toBe(1001);
  });
});

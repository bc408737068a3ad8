// Inputs that broke other brokers, over raw sockets: control characters in topics never reach NATS
// protocol text, prototype names as ids and topics, bad filters, `$` topics, a huge length before
// CONNECT, thousands of user properties, QoS 2 packet id reuse, a client CONNACK, slowloris, and many
// packets in one TCP segment. The server stays up and other clients are untouched.

import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import mqttPacket, { type Packet } from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";
import { waitUntil, within } from "../helpers/server.js";

let server: NatsgateServer | null = null;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await closeAll(clients);
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(extra: Record<string, unknown> = {}): Promise<NatsgateServer> {
  server = await createServer({ port: 0, mqtt: { port: 0 }, ...extra });
  return server;
}

interface Raw {
  socket: Socket;
  packets: Packet[];
  closed: Promise<void>;
  send(p: Record<string, unknown>): void;
  next(n: number): Promise<Packet[]>;
}

/** A raw MQTT socket; `protocolVersion` is for parsing replies. */
async function raw(port: number, protocolVersion = 4): Promise<Raw> {
  const socket = netConnect(port, "127.0.0.1");
  sockets.push(socket);
  await within(new Promise((r) => socket.once("connect", r)), "TCP connect");
  const packets: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion });
  parser.on("packet", (p) => packets.push(p));
  socket.on("data", (d) => parser.parse(d));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  return {
    socket,
    packets,
    closed,
    send: (p) => socket.write(mqttPacket.generate(p as never, { protocolVersion } as never)),
    next: async (n) => {
      await waitUntil(() => packets.length >= n, `${n} packet(s)`);
      return packets.slice(0, n);
    },
  };
}

function connectPacket(clientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    ...extra,
  };
}

/** A raw NATS client subscribed to `>`: every byte the server sends it, to check the protocol text. */
async function natsTap(port: number): Promise<{ text: () => string }> {
  const s = netConnect(port, "127.0.0.1");
  sockets.push(s);
  let text = "";
  s.on("data", (d) => {
    text += d.toString("latin1");
  });
  s.on("error", () => undefined);
  await within(new Promise((r) => s.once("connect", r)), "NATS connect");
  s.write('CONNECT {"verbose":false,"headers":true}\r\nSUB > 1\r\nPING\r\n');
  await waitUntil(() => text.includes("PONG"), "NATS PONG");
  return { text: () => text };
}

describe("MQTT bad input", () => {
  it("CR, LF, tab or space in a topic close the publisher and never reach NATS as protocol text", async () => {
    const srv = await start();
    const tap = await natsTap(srv.port);
    for (const topic of ["a\r\nMSG x 1 1\r\nz", "a\nb", "a\tb", "a b", "a\x7fb"]) {
      const c = await raw(srv.mqttPort);
      c.send(connectPacket("crlf"));
      await c.next(1);
      c.send({ cmd: "publish", topic, payload: Buffer.from("p"), qos: 1, messageId: 1 });
      await within(c.closed, "publisher closed");
      expect(c.packets.map((p) => p.cmd)).toEqual(["connack"]);
    }
    // A filter with control characters is malformed too (the decoder refuses them, as mosquitto).
    const s = await raw(srv.mqttPort);
    s.send(connectPacket("sub"));
    s.send({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "a\r\n#", qos: 1 }] });
    await within(s.closed, "subscriber closed");
    expect(s.packets.map((p) => p.cmd)).toEqual(["connack"]);
    const good = await connectMqtt(srv.mqttPort, { clientId: "good" }, clients);
    await good.publishAsync("ok/topic", "fine", { qos: 1 });
    await waitUntil(() => tap.text().includes("ok.topic"), "good message on NATS");
    const lines = tap.text().split("\r\n");
    expect(
      lines.filter((l) => l.startsWith("MSG") || l.startsWith("HMSG")).map((l) => l.split(" ")[1]),
    ).toEqual(["ok.topic"]);
    expect(tap.text()).not.toContain("MSG x");
  });

  it("__proto__, constructor and toString work as client id, username, topic and retained topic", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqtt-proto-"));
    dirs.push(dir);
    const srv = await start({ jetstream: { storeDir: dir } });
    for (const name of ["__proto__", "constructor", "toString"]) {
      const c = await connectMqtt(srv.mqttPort, { clientId: name, username: name, clean: false }, clients);
      await c.subscribeAsync(`${name}/#`, { qos: 1 });
      await c.publishAsync(name, name, { qos: 1, retain: true });
      const [m] = await collect(c).next(1);
      expect([m.topic, m.payload.toString()]).toEqual([name, name]);
    }
    const late = await connectMqtt(srv.mqttPort, { clientId: "late" }, clients);
    await late.subscribeAsync(["__proto__", "constructor", "toString"], { qos: 1 });
    const got = await collect(late).next(3);
    expect(got.map((m) => m.topic).sort()).toEqual(["__proto__", "constructor", "toString"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("several '#', '#' not last and an empty filter are refused in SUBACK; the connection stays", async () => {
    const srv = await start();
    const c = await raw(srv.mqttPort);
    c.send(connectPacket("hash"));
    c.send({
      cmd: "subscribe",
      messageId: 1,
      subscriptions: [
        { topic: "a/#/#", qos: 0 },
        { topic: "#/a", qos: 0 },
        { topic: "a/b#", qos: 0 },
        { topic: "ok/#", qos: 1 },
      ],
    });
    const [, suback] = await c.next(2);
    expect((suback as mqttPacket.ISubackPacket).granted).toEqual([128, 128, 128, 1]);
    c.send({ cmd: "pingreq" });
    const [, , ping] = await c.next(3);
    expect(ping.cmd).toBe("pingresp");
  });

  it("an empty topic without an alias closes the connection", async () => {
    const srv = await start();
    const c = await raw(srv.mqttPort);
    c.send(connectPacket("empty"));
    await c.next(1);
    c.socket.write(Buffer.from([0x30, 0x03, 0x00, 0x00, 0x78]));
    await within(c.closed, "closed");
  });

  it("'$' topics from clients reach '$' filters and NATS, not '#' subscribers", async () => {
    const srv = await start();
    const tap = await natsTap(srv.port);
    const all = await connectMqtt(srv.mqttPort, { clientId: "all" }, clients);
    await all.subscribeAsync(["#", "+/x"], { qos: 1 });
    const sys = await connectMqtt(srv.mqttPort, { clientId: "sys" }, clients);
    await sys.subscribeAsync("$SYS/#", { qos: 1 });
    const pub = await connectMqtt(srv.mqttPort, { clientId: "pub" }, clients);
    await pub.publishAsync("$SYS/x", "dollar", { qos: 1 });
    await pub.publishAsync("plain/x", "plain", { qos: 1 });
    const [m] = await collect(sys).next(1);
    expect(m.topic).toBe("$SYS/x");
    const fromAll = await collect(all).next(2);
    expect(fromAll.map((x) => x.topic)).toEqual(["plain/x", "plain/x"]);
    await waitUntil(() => tap.text().includes("$SYS.x"), "$SYS.x on NATS");
  });

  it("a huge remaining length before CONNECT, then junk: closed at once, memory bounded", async () => {
    const srv = await start();
    const before = process.memoryUsage().rss;
    const c = await raw(srv.mqttPort);
    c.socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
    c.socket.write(Buffer.alloc(4 * 1024 * 1024, 0x41));
    await within(c.closed, "closed");
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    const ok = await connectMqtt(srv.mqttPort, { clientId: "after" }, clients);
    expect(ok.connected).toBe(true);
  });

  it("thousands of user properties: over 1024 the connection is closed, the server is fine", async () => {
    const srv = await start();
    const c = await raw(srv.mqttPort, 5);
    c.send({ ...connectPacket("props"), protocolVersion: 5 });
    await c.next(1);
    const many: Record<string, string[]> = { k: Array.from({ length: 5000 }, (_, i) => String(i)) };
    c.send({
      cmd: "publish",
      topic: "t",
      payload: Buffer.from("x"),
      qos: 0,
      properties: { userProperties: many },
    });
    await within(c.closed, "closed");
    const [, disconnect] = c.packets;
    expect(disconnect?.cmd).toBe("disconnect");
    expect((disconnect as mqttPacket.IDisconnectPacket).reasonCode).toBe(0x83);
    const ok = await connectMqtt(srv.mqttPort, { clientId: "ok", protocolVersion: 5 }, clients);
    expect(ok.connected).toBe(true);
  });

  it("QoS 2 packet id reuse before PUBREL is a duplicate; after PUBREL it is a new message", async () => {
    const srv = await start();
    const tap = await natsTap(srv.port);
    const c = await raw(srv.mqttPort);
    c.send(connectPacket("q2"));
    c.send({ cmd: "publish", topic: "q2", payload: Buffer.from("first"), qos: 2, messageId: 7 });
    c.send({ cmd: "publish", topic: "q2", payload: Buffer.from("second"), qos: 2, messageId: 7 });
    await c.next(3);
    c.send({ cmd: "pubrel", messageId: 7 });
    c.send({ cmd: "publish", topic: "q2", payload: Buffer.from("third"), qos: 2, messageId: 7 });
    c.send({ cmd: "pubrel", messageId: 7 });
    const ps = await c.next(6);
    expect(ps.map((p) => p.cmd)).toEqual(["connack", "pubrec", "pubrec", "pubcomp", "pubrec", "pubcomp"]);
    await waitUntil(() => tap.text().includes("third"), "third on NATS");
    expect(tap.text()).toContain("first");
    expect(tap.text()).not.toContain("second");
  });

  it("a client sending CONNACK is disconnected; others are untouched", async () => {
    const srv = await start();
    const other = await connectMqtt(srv.mqttPort, { clientId: "other" }, clients);
    await other.subscribeAsync("o", { qos: 1 });
    const c = await raw(srv.mqttPort);
    c.send(connectPacket("bad"));
    await c.next(1);
    c.socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    await within(c.closed, "closed");
    await other.publishAsync("o", "still here", { qos: 1 });
    const [m] = await collect(other).next(1);
    expect(m.payload.toString()).toBe("still here");
  });

  it("slowloris: a CONNECT trickled byte by byte is cut at the connect timeout, an idle client at 1.5x keep-alive", async () => {
    const srv = await start({ mqtt: { port: 0, authTimeout: 400 } });
    const slow = await raw(srv.mqttPort);
    const bytes = mqttPacket.generate(connectPacket("slow") as never);
    let i = 0;
    const t = setInterval(() => {
      if (i < bytes.length && !slow.socket.destroyed) slow.socket.write(bytes.subarray(i, ++i));
    }, 100);
    const started = Date.now();
    await within(slow.closed, "slow CONNECT closed");
    clearInterval(t);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(slow.packets).toHaveLength(0);
    const idle = await raw(srv.mqttPort);
    idle.send(connectPacket("idle", { keepalive: 1 }));
    await idle.next(1);
    const connected = Date.now();
    await within(idle.closed, "idle closed", 4000);
    const took = Date.now() - connected;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(3000);
  });

  it("many packets in one TCP segment are all answered in order", async () => {
    const srv = await start();
    const c = await raw(srv.mqttPort);
    const chunks = [mqttPacket.generate(connectPacket("burst") as never)];
    chunks.push(
      mqttPacket.generate({
        cmd: "subscribe",
        messageId: 1,
        subscriptions: [{ topic: "b/#", qos: 1 }],
      } as never),
    );
    for (let id = 2; id < 202; id++)
      chunks.push(
        mqttPacket.generate({
          cmd: "publish",
          topic: `b/${id}`,
          payload: Buffer.from(String(id)),
          qos: 1,
          messageId: id,
        } as never),
      );
    chunks.push(mqttPacket.generate({ cmd: "pingreq" } as never));
    c.socket.write(Buffer.concat(chunks));
    // CONNACK, SUBACK, 200 PUBACKs, 200 deliveries (QoS 1), PINGRESP.
    const ps = await c.next(403);
    expect(ps[0].cmd).toBe("connack");
    expect(ps[1].cmd).toBe("suback");
    const acks = ps.filter((p) => p.cmd === "puback").map((p) => (p as mqttPacket.IPubackPacket).messageId);
    expect(acks).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
    const pubs = ps.filter((p) => p.cmd === "publish").map((p) => (p as mqttPacket.IPublishPacket).topic);
    expect(pubs).toEqual(Array.from({ length: 200 }, (_, i) => `b/${i + 2}`));
    expect(ps[402].cmd).toBe("pingresp");
  });
});

// MQTT 3.1.1 and 5.0 over TCP with MQTT.js: QoS 0/1/2 pub/sub, wildcards, retained messages, wills,
// persistent sessions, take-over, keep-alive, and MQTT 5 properties.

import { connect as netConnect } from "node:net";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";
import { within } from "../helpers/server.js";

let server: NatsgateServer | null = null;
const clients: MqttClient[] = [];

async function start(): Promise<number> {
  server = await createServer({ port: 0, mqtt: { port: 0 } });
  return server.mqttPort;
}

afterEach(async () => {
  await closeAll(clients);
  await server?.close();
  server = null;
});

for (const protocolVersion of [4, 5] as const) {
  describe(`MQTT ${protocolVersion === 4 ? "3.1.1" : "5.0"}`, () => {
    for (const qos of [0, 1, 2] as const) {
      it(`delivers QoS ${qos} publishes at QoS ${qos} with the payload intact`, async () => {
        const port = await start();
        const sub = await connectMqtt(port, { protocolVersion, clientId: "sub" }, clients);
        const got = collect(sub);
        await sub.subscribeAsync("a/+/c", { qos });
        const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
        const payload = Buffer.from([0, 1, 2, 255, 13, 10]);
        await pub.publishAsync("a/b/c", payload, { qos });
        const [m] = await got.next(1);
        expect(m.topic).toBe("a/b/c");
        expect(Buffer.compare(m.payload, payload)).toBe(0);
        expect(m.packet.qos).toBe(qos);
      });
    }

    it("delivers at the lower of publish and subscription QoS", async () => {
      const port = await start();
      const sub = await connectMqtt(port, { protocolVersion, clientId: "sub" }, clients);
      const got = collect(sub);
      await sub.subscribeAsync("t", { qos: 1 });
      const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
      await pub.publishAsync("t", "two", { qos: 2 });
      await pub.publishAsync("t", "zero", { qos: 0 });
      const ms = await got.next(2);
      expect(ms.map((m) => [m.payload.toString(), m.packet.qos])).toEqual([
        ["two", 1],
        ["zero", 0],
      ]);
    });

    it("'a/#' matches 'a' itself and deeper levels, not siblings", async () => {
      const port = await start();
      const sub = await connectMqtt(port, { protocolVersion, clientId: "sub" }, clients);
      const got = collect(sub);
      await sub.subscribeAsync("a/#", { qos: 1 });
      const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
      for (const t of ["a", "ab", "a/b", "a/b/c", "b/a"]) await pub.publishAsync(t, t, { qos: 1 });
      await pub.publishAsync("a/end", "end", { qos: 1 });
      const ms = await got.next(4);
      expect(ms.map((m) => m.topic)).toEqual(["a", "a/b", "a/b/c", "a/end"]);
    });

    it("sends the last retained message to a new subscriber and an empty payload clears it", async () => {
      const port = await start();
      const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
      await pub.publishAsync("r/1", "old", { qos: 1, retain: true });
      await pub.publishAsync("r/1", "new", { qos: 1, retain: true });
      await pub.publishAsync("r/2", "two", { qos: 0, retain: true });
      await pub.publishAsync("r/3", "gone", { qos: 1, retain: true });
      await pub.publishAsync("r/3", "", { qos: 1, retain: true });
      const sub = await connectMqtt(port, { protocolVersion, clientId: "sub" }, clients);
      const got = collect(sub);
      await sub.subscribeAsync("r/+", { qos: 1 });
      const ms = await got.next(2);
      const seen = ms.map((m) => [m.topic, m.payload.toString(), m.packet.retain]).sort();
      expect(seen).toEqual([
        ["r/1", "new", true],
        ["r/2", "two", true],
      ]);
      // A retained publish to an established subscription arrives with retain 0 [MQTT-3.3.1-9].
      await pub.publishAsync("r/4", "live", { qos: 1, retain: true });
      const [, , live] = await got.next(3);
      expect([live.topic, live.packet.retain]).toEqual(["r/4", false]);
    });

    it("publishes the will when the connection drops, not after DISCONNECT", async () => {
      const port = await start();
      const watcher = await connectMqtt(port, { protocolVersion, clientId: "watcher" }, clients);
      const got = collect(watcher);
      await watcher.subscribeAsync("will/#", { qos: 1 });
      const polite = await connectMqtt(
        port,
        {
          protocolVersion,
          clientId: "polite",
          will: { topic: "will/polite", payload: Buffer.from("x"), qos: 1, retain: false },
        },
        clients,
      );
      await new Promise<void>((r) => polite.end(false, {}, () => r()));
      const rude = await connectMqtt(
        port,
        {
          protocolVersion,
          clientId: "rude",
          will: { topic: "will/rude", payload: Buffer.from("bye"), qos: 1, retain: false },
        },
        clients,
      );
      (rude as unknown as { stream: { destroy(): void } }).stream.destroy();
      const [m] = await got.next(1);
      expect([m.topic, m.payload.toString()]).toEqual(["will/rude", "bye"]);
      expect(got.messages.some((x) => x.topic === "will/polite")).toBe(false);
    });

    it("keeps a persistent session's subscriptions and queues QoS 1 messages while offline", async () => {
      const port = await start();
      const persistent =
        protocolVersion === 5
          ? { clean: false, properties: { sessionExpiryInterval: 300 } }
          : { clean: false };
      const first = await connectMqtt(port, { protocolVersion, clientId: "dev", ...persistent }, clients);
      await first.subscribeAsync("q/#", { qos: 1 });
      await new Promise<void>((r) => first.end(false, {}, () => r()));
      const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
      await pub.publishAsync("q/1", "m1", { qos: 1 });
      await pub.publishAsync("q/2", "m2", { qos: 1 });
      await pub.publishAsync("q/3", "lost", { qos: 0 });
      const again = await connectMqtt(port, { protocolVersion, clientId: "dev", ...persistent }, clients);
      const got = collect(again);
      const ms = await got.next(2);
      expect(ms.map((m) => m.payload.toString())).toEqual(["m1", "m2"]);
      // Subscriptions survived: a new message arrives without subscribing again.
      await pub.publishAsync("q/4", "m4", { qos: 1 });
      const all = await got.next(3);
      expect(all[2].payload.toString()).toBe("m4");
      expect(got.messages.some((m) => m.payload.toString() === "lost")).toBe(false);
    });

    it("a clean session starts empty", async () => {
      const port = await start();
      const first = await connectMqtt(
        port,
        {
          protocolVersion,
          clientId: "dev",
          clean: false,
          properties: protocolVersion === 5 ? { sessionExpiryInterval: 60 } : undefined,
        },
        clients,
      );
      await first.subscribeAsync("q", { qos: 1 });
      await new Promise<void>((r) => first.end(false, {}, () => r()));
      const again = await connectMqtt(port, { protocolVersion, clientId: "dev", clean: true }, clients);
      const got = collect(again);
      const pub = await connectMqtt(port, { protocolVersion, clientId: "pub" }, clients);
      await pub.publishAsync("q", "not for you", { qos: 1 });
      await again.subscribeAsync("marker", { qos: 1 });
      await pub.publishAsync("marker", "m", { qos: 1 });
      const [m] = await got.next(1);
      expect(m.topic).toBe("marker");
    });

    it("a second connection with the same client id closes the first", async () => {
      const port = await start();
      const first = await connectMqtt(port, { protocolVersion, clientId: "same" }, clients);
      const closed = new Promise<void>((r) => first.once("close", () => r()));
      await connectMqtt(port, { protocolVersion, clientId: "same" }, clients);
      await within(closed, "first connection closed");
      expect(first.connected).toBe(false);
    });

    it("closes a connection that stays silent for 1.5 x keep-alive", async () => {
      const port = await start();
      const sock = netConnect(port, "127.0.0.1");
      await new Promise<void>((r) => sock.once("connect", () => r()));
      sock.resume();
      // CONNECT, keep-alive 1 s, client id "k".
      const level = protocolVersion;
      const body =
        level === 5
          ? Buffer.from([0, 4, 77, 81, 84, 84, 5, 2, 0, 1, 0, 0, 1, 107])
          : Buffer.from([0, 4, 77, 81, 84, 84, 4, 2, 0, 1, 0, 1, 107]);
      const started = Date.now();
      sock.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      await within(new Promise<void>((r) => sock.once("close", () => r())), "keep-alive close", 4000);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      expect(elapsed).toBeLessThan(3500);
    });
  });
}

describe("MQTT 5 only", () => {
  it("carries user properties, content type and correlation data to MQTT 5 subscribers", async () => {
    const port = await start();
    const sub = await connectMqtt(port, { protocolVersion: 5, clientId: "sub" }, clients);
    const got = collect(sub);
    await sub.subscribeAsync("p", { qos: 1 });
    const pub = await connectMqtt(port, { protocolVersion: 5, clientId: "pub" }, clients);
    await pub.publishAsync("p", "x", {
      qos: 1,
      properties: {
        userProperties: { a: "1", b: "two" },
        contentType: "text/plain",
        correlationData: Buffer.from("cid"),
        responseTopic: "reply/here",
      },
    });
    const [m] = await got.next(1);
    expect(m.packet.properties?.userProperties).toEqual({ a: "1", b: "two" });
    expect(m.packet.properties?.contentType).toBe("text/plain");
    expect(m.packet.properties?.correlationData?.toString()).toBe("cid");
    expect(m.packet.properties?.responseTopic).toBe("reply/here");
  });

  it("resolves topic aliases set by the client", async () => {
    const port = await start();
    const sub = await connectMqtt(port, { protocolVersion: 5, clientId: "sub" }, clients);
    const got = collect(sub);
    await sub.subscribeAsync("alias/t", { qos: 0 });
    const pub = await connectMqtt(port, { protocolVersion: 5, clientId: "pub" }, clients);
    await pub.publishAsync("alias/t", "one", { properties: { topicAlias: 3 } });
    await pub.publishAsync("", "two", { properties: { topicAlias: 3 } });
    const ms = await got.next(2);
    expect(ms.map((m) => [m.topic, m.payload.toString()])).toEqual([
      ["alias/t", "one"],
      ["alias/t", "two"],
    ]);
  });

  it("no-local keeps a client's own publishes from its subscription", async () => {
    const port = await start();
    const c = await connectMqtt(port, { protocolVersion: 5, clientId: "c" }, clients);
    const got = collect(c);
    await c.subscribeAsync("nl", { qos: 1, nl: true });
    await c.subscribeAsync("marker", { qos: 1 });
    await c.publishAsync("nl", "own", { qos: 1 });
    await c.publishAsync("marker", "m", { qos: 1 });
    const [m] = await got.next(1);
    expect(m.topic).toBe("marker");
  });

  it("delays the will by the will delay interval and cancels it on reconnect", async () => {
    const port = await start();
    const watcher = await connectMqtt(port, { protocolVersion: 5, clientId: "watcher" }, clients);
    const got = collect(watcher);
    await watcher.subscribeAsync("will/#", { qos: 1 });
    const will = {
      topic: "will/d",
      payload: Buffer.from("late"),
      qos: 1 as const,
      retain: false,
      properties: { willDelayInterval: 1 },
    };
    const opts = {
      protocolVersion: 5 as const,
      clientId: "d",
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will,
    };
    const c = await connectMqtt(port, opts, clients);
    const dropped = Date.now();
    (c as unknown as { stream: { destroy(): void } }).stream.destroy();
    const [m] = await got.next(1, 4000);
    expect(m.payload.toString()).toBe("late");
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(900);
  });

  it("refuses a publish to a topic with wildcards with DISCONNECT 0x81 (malformed, MQTT-3.3.2-2)", async () => {
    const port = await start();
    const c = await connectMqtt(port, { protocolVersion: 5, clientId: "bad" }, clients);
    const disconnect = new Promise<number | undefined>((r) => c.once("disconnect", (p) => r(p.reasonCode)));
    c.publish("a/+", "x");
    expect(await within(disconnect, "DISCONNECT")).toBe(0x81);
  });
});

// MQTT next to JetStream: a NATS message stored by a stream reaches QoS 1/2 MQTT subscriptions at their
// QoS (other NATS messages at QoS 0), MQTT 5 correlation data survives a round trip through a NATS
// service, and MQTT clients cannot write the `$MQTT.` records.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import type { MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";

let server: NatsgateServer;
let nc: NatsConnection;
let dir: string;
const clients: MqttClient[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-js-"));
  server = await createServer({ port: 0, jetstream: { storeDir: dir }, mqtt: { port: 0 } });
  nc = await natsConnect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
});

afterEach(async () => {
  await closeAll(clients);
  await nc.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function jsApi(subject: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await nc.request(subject, JSON.stringify(body), { timeout: 3000 });
  return r.json();
}

describe("NATS messages captured by a stream", () => {
  for (const qos of [1, 2] as const) {
    it(`reach a QoS ${qos} subscription at QoS ${qos}; uncaptured subjects stay QoS 0`, async () => {
      const created = await jsApi("$JS.API.STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["orders.>"] });
      expect(created.error).toBeUndefined();
      const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "dev" }, clients);
      await m.subscribeAsync("orders/#", { qos });
      await m.subscribeAsync("plain/#", { qos });
      const got = collect(m);
      nc.publish("orders.new", "stored");
      nc.publish("plain.x", "not stored");
      await nc.flush();
      const ms = await got.next(2);
      const byTopic = Object.fromEntries(ms.map((x) => [x.topic, [x.payload.toString(), x.packet.qos]]));
      expect(byTopic).toEqual({ "orders/new": ["stored", qos], "plain/x": ["not stored", 0] });
    });
  }

  it("a QoS 0 subscription still gets QoS 0", async () => {
    await jsApi("$JS.API.STREAM.CREATE.EV", { name: "EV", subjects: ["ev.*"] });
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 4, clientId: "zero" }, clients);
    await m.subscribeAsync("ev/+", { qos: 0 });
    nc.publish("ev.a", "x");
    const [msg] = await collect(m).next(1);
    expect([msg.topic, msg.packet.qos]).toEqual(["ev/a", 0]);
  });
});

describe("MQTT 5 → NATS service → MQTT 5 with correlation data", () => {
  it("each reply comes back on the response topic with its request's correlation data", async () => {
    const seen: { corr: string | undefined; reply: string | undefined }[] = [];
    const svc = nc.subscribe("svc.echo");
    (async () => {
      for await (const msg of svc) {
        seen.push({ corr: msg.headers?.get("Nmqtt-Corr"), reply: msg.reply });
        msg.respond(`re:${msg.string()}`);
      }
    })();
    await nc.flush();
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "req" }, clients);
    await m.subscribeAsync("replies/req", { qos: 1 });
    const got = collect(m);
    // Two requests in flight on one response topic: only correlation data tells the replies apart.
    for (const [body, corr] of [
      ["a", "corr-A"],
      ["b", Buffer.from([0, 1, 255]).toString("latin1")],
    ]) {
      await m.publishAsync("svc/echo", body, {
        qos: 1,
        properties: { responseTopic: "replies/req", correlationData: Buffer.from(corr, "latin1") },
      });
    }
    const replies = await got.next(2);
    const pairs = replies.map((r) => [r.topic, r.payload.toString(), r.packet.properties?.correlationData]);
    expect(pairs).toEqual([
      ["replies/req", "re:a", Buffer.from("corr-A")],
      ["replies/req", "re:b", Buffer.from([0, 1, 255])],
    ]);
    expect(seen.map((s) => s.corr)).toEqual([
      Buffer.from("corr-A").toString("base64"),
      Buffer.from([0, 1, 255]).toString("base64"),
    ]);
    expect(seen[0].reply).toMatch(/^\$MQTT\.resp\./);
  });

  it("MQTT 5 → MQTT 5 keeps the response topic and correlation data as sent", async () => {
    const responder = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "resp" }, clients);
    responder.on("message", (_t, payload, packet) => {
      const p = packet.properties;
      if (p?.responseTopic)
        responder.publish(p.responseTopic, `ok:${payload}`, {
          properties: { correlationData: p.correlationData },
        });
    });
    await responder.subscribeAsync("rpc/+", { qos: 1 });
    const req = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "rq" }, clients);
    await req.subscribeAsync("back/rq", { qos: 1 });
    await req.publishAsync("rpc/x", "1", {
      qos: 1,
      properties: { responseTopic: "back/rq", correlationData: Buffer.from("id-9") },
    });
    const [r] = await collect(req).next(1);
    expect([r.topic, r.payload.toString(), r.packet.properties?.correlationData]).toEqual([
      "back/rq",
      "ok:1",
      Buffer.from("id-9"),
    ]);
  });
});

describe("MQTT records in JetStream", () => {
  it("an MQTT client cannot write $MQTT/... (the session and retained records)", async () => {
    const watch = nc.subscribe("$MQTT.>");
    const seen: string[] = [];
    (async () => {
      for await (const msg of watch) seen.push(msg.subject);
    })();
    await nc.flush();
    const m = await connectMqtt(
      server.mqttPort,
      { protocolVersion: 4, clientId: "evil", clean: false },
      clients,
    );
    await m.subscribeAsync("x", { qos: 1 });
    await m.publishAsync("$MQTT/sess/forged", "junk", { qos: 1 });
    await m.publishAsync("$MQTT/rmsgs/x", "junk", { qos: 1, retain: true });
    await m.publishAsync("x", "mark", { qos: 1 });
    await collect(m).next(1);
    await nc.flush();
    expect(seen.every((s) => !s.includes("forged") && s !== "$MQTT.rmsgs.x")).toBe(true);
    // The session record itself was written by the server.
    expect(seen.some((s) => s.startsWith("$MQTT.sess."))).toBe(true);
  });
});

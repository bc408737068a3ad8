// MQTT ↔ NATS on the same subjects: payloads byte-identical both ways, headers ↔ user properties,
// MQTT 5 request/reply through a NATS service and back, and a queue group shared by MQTT and NATS.

import { type NatsConnection, connect as natsConnect, headers as natsHeaders } from "@nats-io/transport-node";
import type { MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";
import { waitUntil, within } from "../helpers/server.js";

let server: NatsgateServer;
let nc: NatsConnection;
const clients: MqttClient[] = [];

beforeEach(async () => {
  server = await createServer({ port: 0, mqtt: { port: 0 } });
  nc = await natsConnect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
});

afterEach(async () => {
  await closeAll(clients);
  await nc.close();
  await server.close();
});

const binary = Buffer.from([0, 255, 10, 13, 0x2e, 0x20, 1, 2, 3]);

describe("MQTT → NATS", () => {
  it("a NATS subscriber sees the mapped subject, the exact payload and Nmqtt-Pub with the QoS", async () => {
    const sub = nc.subscribe("dev.*.temp", { max: 1 });
    await nc.flush();
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 4, clientId: "m" }, clients);
    await m.publishAsync("dev/42/temp", binary, { qos: 1 });
    const it = sub[Symbol.asyncIterator]();
    const { value } = await within(it.next(), "NATS message");
    expect(value.subject).toBe("dev.42.temp");
    expect(Buffer.compare(Buffer.from(value.data), binary)).toBe(0);
    expect(value.headers?.get("Nmqtt-Pub")).toBe("1");
  });

  it("MQTT 5 user properties become NATS headers; a retained publish is an ordinary NATS message", async () => {
    const sub = nc.subscribe("props", { max: 1 });
    await nc.flush();
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "m5" }, clients);
    await m.publishAsync("props", "v", {
      qos: 0,
      retain: true,
      properties: { userProperties: { region: "eu" } },
    });
    const { value } = await within(sub[Symbol.asyncIterator]().next(), "NATS message");
    expect(value.headers?.get("region")).toBe("eu");
    expect(value.string()).toBe("v");
  });
});

describe("NATS → MQTT", () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 4 ? "3.1.1" : "5"} subscribers get NATS messages on the mapped topic, payload intact`, async () => {
      const m = await connectMqtt(
        server.mqttPort,
        { protocolVersion, clientId: `s${protocolVersion}` },
        clients,
      );
      await m.subscribeAsync("orders/+/new", { qos: 1 });
      nc.publish("orders.eu.new", binary);
      nc.publish("orders.eu.old", "no");
      nc.publish("orders.us.new", "second");
      const ms = await collect(m).next(2);
      expect(ms.map((x) => x.topic)).toEqual(["orders/eu/new", "orders/us/new"]);
      expect(Buffer.compare(ms[0].payload, binary)).toBe(0);
      // nats-server delivers NATS-origin messages at QoS 0.
      expect(ms[0].packet.qos).toBe(0);
    });
  }

  it("NATS headers reach MQTT 5 subscribers as user properties", async () => {
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "h" }, clients);
    await m.subscribeAsync("hdr", { qos: 0 });
    const h = natsHeaders();
    h.set("trace-id", "abc");
    nc.publish("hdr", "x", { headers: h });
    const [msg] = await collect(m).next(1);
    expect(msg.packet.properties?.userProperties).toEqual({ "trace-id": "abc" });
  });
});

describe("request/reply", () => {
  it("MQTT 5 → NATS service → MQTT 5: the response topic is the NATS reply subject", async () => {
    const svc = nc.subscribe("svc.upper");
    (async () => {
      for await (const msg of svc) msg.respond(msg.string().toUpperCase());
    })();
    await nc.flush();
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "req" }, clients);
    await m.subscribeAsync("replies/req", { qos: 1 });
    await m.publishAsync("svc/upper", "hello", { qos: 1, properties: { responseTopic: "replies/req" } });
    const [reply] = await collect(m).next(1);
    expect([reply.topic, reply.payload.toString()]).toEqual(["replies/req", "HELLO"]);
  });

  it("a NATS request is answered by an MQTT 5 client through the response topic", async () => {
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "responder" }, clients);
    m.on("message", (_topic, payload, packet) => {
      const rt = packet.properties?.responseTopic;
      if (rt) m.publish(rt, Buffer.concat([Buffer.from("re:"), payload]));
    });
    await m.subscribeAsync("rpc/+", { qos: 0 });
    const resp = await nc.request("rpc.ping", "x", { timeout: 3000 });
    expect(resp.string()).toBe("re:x");
  });
});

describe("shared subscriptions", () => {
  it("$share/<group>/<filter> and a NATS queue subscription with the same group split the messages", async () => {
    const natsGot: string[] = [];
    const qsub = nc.subscribe("work.*", { queue: "workers" });
    (async () => {
      for await (const msg of qsub) natsGot.push(msg.string());
    })();
    await nc.flush();
    const m = await connectMqtt(server.mqttPort, { protocolVersion: 5, clientId: "w" }, clients);
    await m.subscribeAsync("$share/workers/work/+", { qos: 0 });
    const mqttGot = collect(m).messages;
    const total = 200;
    for (let i = 0; i < total; i++) nc.publish("work.item", String(i));
    await nc.flush();
    await waitUntil(() => natsGot.length + mqttGot.length === total, "all messages delivered once");
    const all = [...natsGot, ...mqttGot.map((x) => x.payload.toString())].map(Number).sort((a, b) => a - b);
    expect(all).toEqual([...Array(total).keys()]);
    expect(natsGot.length).toBeGreaterThan(0);
    expect(mqttGot.length).toBeGreaterThan(0);
  });
});

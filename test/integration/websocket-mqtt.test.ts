// MQTT over the WebSocket listener (path /mqtt or the `mqtt` subprotocol), as browser MQTT.js dashboards
// use it: the same upgrade handler hands the stream to the MQTT edge, interoperating with NATS clients.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsConnection, connect as natsConnect } from "@nats-io/transport-node";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { openRawWs, startWsServer, within, wsUrl } from "./websocket-support.js";

let server: NatsgateServer;
let nats: NatsConnection;
let storeDir: string;
const mqttClients: MqttClient[] = [];

beforeEach(async () => {
  storeDir = mkdtempSync(join(tmpdir(), "natsgate-ws-mqtt-"));
  server = await startWsServer({}, { mqtt: { host: "127.0.0.1", port: 0 }, jetstream: { storeDir } });
  nats = await natsConnect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
});

afterEach(async () => {
  for (const c of mqttClients.splice(0)) await c.endAsync(true).catch(() => {});
  await nats.close();
  await server.close();
  rmSync(storeDir, { recursive: true, force: true });
});

async function mqttOverWs(path: string, protocol?: string): Promise<MqttClient> {
  const client = mqtt.connect(wsUrl(server, path), {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clean: true,
    ...(protocol === undefined ? {} : { wsOptions: { protocol } }),
  });
  mqttClients.push(client);
  await within(
    new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    }),
    "MQTT CONNACK over WebSocket",
  );
  return client;
}

function nextMqttMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return within(
    new Promise((resolve) =>
      client.once("message", (topic, payload) => resolve({ topic, payload: payload.toString() })),
    ),
    "MQTT message",
  );
}

describe("MQTT over WebSocket", () => {
  it("answers /mqtt with the mqtt subprotocol and receives what a NATS client publishes", async () => {
    const raw = await openRawWs(wsUrl(server, "/mqtt"), {}, ["mqtt"]);
    expect(raw.responseHeaders["sec-websocket-protocol"]).toBe("mqtt");
    raw.ws.terminate();
    const client = await mqttOverWs("/mqtt");
    await client.subscribeAsync("dash/temp", { qos: 0 });
    const got = nextMqttMessage(client);
    nats.publish("dash.temp", "21.5");
    expect(await got).toEqual({ topic: "dash/temp", payload: "21.5" });
  });

  it("delivers what an MQTT-over-WebSocket client publishes to NATS subscribers", async () => {
    const sub = nats.subscribe("sensor.>", { max: 1 });
    await nats.flush();
    const client = await mqttOverWs("/mqtt");
    await client.publishAsync("sensor/door", "open", { qos: 0 });
    for await (const m of sub) {
      expect(m.subject).toBe("sensor.door");
      expect(m.string()).toBe("open");
    }
  });

  it("routes the mqtt subprotocol to MQTT on another path", async () => {
    const client = await mqttOverWs("/", "mqtt");
    await client.subscribeAsync("via/proto", { qos: 0 });
    const got = nextMqttMessage(client);
    nats.publish("via.proto", "ok");
    expect(await got).toEqual({ topic: "via/proto", payload: "ok" });
  });

  it("keeps NATS over WebSocket on the same listener", async () => {
    const raw = await openRawWs(wsUrl(server));
    expect(raw.responseHeaders["sec-websocket-protocol"]).toBeUndefined();
    await raw.waitFor("INFO {");
    raw.ws.terminate();
  });
});

// MQTT connections in monitoring: /connz lists them (type mqtt, mqtt_client, their NATS subscriptions,
// message counters), /connz?mqtt_client= filters, closed ones reach the closed ring, and /metrics counts
// MQTT connections, sessions and retained messages.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";
import { waitUntil } from "../helpers/server.js";

let server: NatsgateServer | null = null;
const clients: MqttClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await closeAll(clients);
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: endpoint JSON is read field by field and asserted on.
async function json(path: string): Promise<any> {
  const res = await fetch(`${server!.monitoring.url}${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function text(path: string): Promise<string> {
  const res = await fetch(`${server!.monitoring.url}${path}`);
  expect(res.status).toBe(200);
  return res.text();
}

function metric(body: string, line: RegExp): number {
  const m = line.exec(body);
  if (m === null) throw new Error(`no ${line} in /metrics:\n${body}`);
  return Number(m[1]);
}

describe("MQTT in monitoring", () => {
  it("lists MQTT connections in /connz and counts them, sessions and retained in /metrics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-mon-"));
    dirs.push(dir);
    server = await createServer({
      port: 0,
      httpHost: "127.0.0.1",
      httpPort: -1,
      jetstream: { storeDir: dir },
      mqtt: { port: 0 },
    });
    const dev = await connectMqtt(server.mqttPort, { clientId: "dev-1", clean: false }, clients);
    await dev.subscribeAsync("sensors/#", { qos: 1 });
    const pub = await connectMqtt(server.mqttPort, { clientId: "pub-1", protocolVersion: 5 }, clients);
    await pub.publishAsync("sensors/t", "21.5", { qos: 1, retain: true });
    await pub.publishAsync("sensors/h", "40", { qos: 0 });
    await collect(dev).next(2);

    const connz = await json("/connz?subs=1");
    const byClient = new Map<string, Record<string, unknown>>(
      connz.connections.map((c: Record<string, unknown>) => [c.mqtt_client, c]),
    );
    expect([...byClient.keys()].sort()).toEqual(["dev-1", "pub-1"]);
    expect(byClient.get("dev-1")).toMatchObject({
      type: "mqtt",
      ip: "127.0.0.1",
      out_msgs: 2,
      in_msgs: 0,
      // `sensors/#` is two NATS subscriptions: `sensors.>` and `sensors`.
      subscriptions_list: expect.arrayContaining(["sensors.>", "sensors"]),
    });
    expect(byClient.get("dev-1")?.subscriptions_list as string[]).toHaveLength(2);
    expect(byClient.get("pub-1")).toMatchObject({ type: "mqtt", in_msgs: 2, out_msgs: 0 });
    expect(byClient.get("pub-1")?.in_bytes as number).toBeGreaterThan(0);
    const filtered = await json("/connz?mqtt_client=pub-1");
    expect(filtered.connections.map((c: { mqtt_client: string }) => c.mqtt_client)).toEqual(["pub-1"]);

    const varz = await json("/varz");
    expect(varz.connections).toBe(2);
    let metrics = await text("/metrics");
    expect(metric(metrics, /^natsgate_mqtt_sessions (\d+)$/m)).toBe(2);
    expect(metric(metrics, /^natsgate_mqtt_retained_messages (\d+)$/m)).toBe(1);
    expect(metric(metrics, /^\S+\{[^}]*protocol="mqtt"[^}]*\} (\d+)$/m)).toBe(2);

    // pub-1 goes (clean session: its session ends); dev-1 stays. The closed ring has pub-1.
    await new Promise<void>((r) => pub.end(false, {}, () => r()));
    await waitUntil(() => server!.monitoring.connections().length === 1, "pub-1 gone from connz");
    const closed = await json("/connz?state=closed");
    expect(closed.connections.map((c: { mqtt_client: string }) => c.mqtt_client)).toContain("pub-1");
    metrics = await text("/metrics");
    expect(metric(metrics, /^natsgate_mqtt_sessions (\d+)$/m)).toBe(1);
    expect(metric(metrics, /^\S+\{[^}]*protocol="mqtt"[^}]*\} (\d+)$/m)).toBe(1);
  });
});

// The MQTT topic ↔ NATS subject mapping compared with nats-server 2.9.10 (`mqtt { port: -1 }` with
// JetStream): the same publishes from MQTT and from NATS, what the other side sees, on both servers.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as natsConnect } from "@nats-io/transport-node";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import { waitUntil, within } from "../helpers/server.js";

interface Target {
  natsPort: number;
  mqttPort: number;
}

const available = natsServerAvailable();
let ref: NatsServerProcess | null = null;
let refTarget: Target;
let ours: NatsgateServer | null = null;
let oursTarget: Target;
let dir = "";

async function mqttClient(port: number, clientId: string): Promise<MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0, protocolVersion: 4 });
  await within(
    new Promise<void>((resolve, reject) => {
      c.once("connect", () => resolve());
      c.once("error", reject);
    }),
    "MQTT connect",
  );
  return c;
}

/** MQTT publishes `topics`; returns the NATS subjects a `>` subscriber saw (ending at the marker). */
async function mqttToNats(t: Target, topics: string[]): Promise<string[]> {
  const nc = await natsConnect({ servers: `127.0.0.1:${t.natsPort}`, reconnect: false });
  const seen: string[] = [];
  const sub = nc.subscribe(">");
  (async () => {
    for await (const m of sub) if (!/^(\$JS|\$MQTT|\$SYS|_INBOX)\./.test(m.subject)) seen.push(m.subject);
  })();
  await nc.flush();
  const c = await mqttClient(t.mqttPort, "m2n");
  for (const topic of [...topics, "end/marker"]) await c.publishAsync(topic, "x", { qos: 1 });
  await waitUntil(() => seen.includes("end.marker"), "marker over NATS");
  await c.endAsync();
  await nc.close();
  return seen.filter((s) => s !== "end.marker");
}

/** NATS publishes `subjects`; returns the MQTT topics a subscriber on `filters` saw. */
async function natsToMqtt(t: Target, filters: string[], subjects: string[]): Promise<string[]> {
  const c = await mqttClient(t.mqttPort, "n2m");
  const seen: string[] = [];
  // nats-server hands its own `$JS`/`$MQTT` traffic to `#` (MQTT-4.7.2-1 says a wildcard-first filter
  // must not match `$` topics, and natsgate does not): only the test's topics are compared.
  c.on("message", (topic) => {
    if (!topic.startsWith("$")) seen.push(topic);
  });
  await c.subscribeAsync([...filters, "end/marker"], { qos: 0 });
  const nc = await natsConnect({ servers: `127.0.0.1:${t.natsPort}`, reconnect: false });
  for (const s of [...subjects, "end.marker"]) nc.publish(s, "x");
  await nc.flush();
  await waitUntil(() => seen.includes("end/marker"), "marker over MQTT");
  await c.endAsync();
  await nc.close();
  return seen.filter((s) => s !== "end/marker");
}

/** MQTT to MQTT: which of `topics` a subscriber on `filter` receives. */
async function mqttToMqtt(t: Target, filter: string, topics: string[]): Promise<string[]> {
  const sub = await mqttClient(t.mqttPort, "s");
  const seen: string[] = [];
  sub.on("message", (topic) => seen.push(topic));
  await sub.subscribeAsync([filter, "end/marker"], { qos: 0 });
  const pub = await mqttClient(t.mqttPort, "p");
  for (const topic of [...topics, "end/marker"]) await pub.publishAsync(topic, "x", { qos: 1 });
  await waitUntil(() => seen.includes("end/marker"), "marker over MQTT");
  await sub.endAsync();
  await pub.endAsync();
  return seen.filter((s) => s !== "end/marker");
}

describe.skipIf(!available)("MQTT subject mapping vs nats-server 2.9.10", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mqtt-compat-"));
    ref = await startNatsServer([], {
      config: `server_name: ref\njetstream { store_dir: "${join(dir, "ref")}" }\nmqtt { host: 127.0.0.1, port: -1 }\n`,
    });
    const p = ref;
    await waitUntil(
      () => /Listening for MQTT clients on mqtt:\/\/[^:]+:\d+/.test(p.logs()),
      "nats-server MQTT",
    );
    const mqttPort = Number(/Listening for MQTT clients on mqtt:\/\/[^:]+:(\d+)/.exec(p.logs())?.[1]);
    refTarget = { natsPort: p.port, mqttPort };
    ours = await createServer({
      port: 0,
      serverName: "ours",
      jetstream: { storeDir: join(dir, "ours") },
      mqtt: { port: 0 },
    });
    oursTarget = { natsPort: ours.port, mqttPort: ours.mqttPort };
  }, 30_000);

  afterAll(async () => {
    await ref?.stop();
    await ours?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("MQTT topics become the same NATS subjects (leading '/', empty levels, trailing '/')", async () => {
    const topics = ["a/b", "/a/b", "d//e", "a/", "/", "//", "x", "$dev/y"];
    const want = await mqttToNats(refTarget, topics);
    const got = await mqttToNats(oursTarget, topics);
    expect(got).toEqual(want);
    expect(got).toEqual(["a.b", "/.a.b", "d./.e", "a./", "/./", "/././", "x", "$dev.y"]);
  });

  it("NATS subjects become the same MQTT topics", async () => {
    const subjects = ["a.b", "/.a.b", "d./.e", "a./", "q", "a/b.c"];
    const want = await natsToMqtt(refTarget, ["#", "/a/b", "d//e"], subjects);
    const got = await natsToMqtt(oursTarget, ["#", "/a/b", "d//e"], subjects);
    expect(got.slice().sort()).toEqual(want.slice().sort());
    expect(got).toContain("/a/b");
    expect(got).toContain("d//e");
  });

  it("'a/#' also matches 'a'; '+' matches one level, including an empty one", async () => {
    for (const [filter, topics] of [
      ["a/#", ["a", "a/b", "a/b/c", "ab", "b/a"]],
      ["+/x", ["q/x", "q/y/x", "/x", "x"]],
      ["d/+/e", ["d//e", "d/z/e", "d/e"]],
      ["+", ["top", "/", "two/levels"]],
    ] as const) {
      const want = await mqttToMqtt(refTarget, filter, [...topics]);
      const got = await mqttToMqtt(oursTarget, filter, [...topics]);
      expect({ filter, got }).toEqual({ filter, got: want });
    }
  });
});

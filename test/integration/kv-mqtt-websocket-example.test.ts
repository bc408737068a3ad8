// The README's KV example end to end: an MQTT device (MQTT.js) publishes readings, a NATS service keeps
// the latest reading per device in a KV bucket, and a browser-style client watches the bucket over
// WebSocket (nats.js wsconnect), all against one natsgate server.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kvm, type KvWatchEntry } from "@nats-io/kv";
import { type NatsConnection, wsconnect } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import mqtt from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createServer, type NatsgateServer } from "../../src/index.js";

let server: NatsgateServer;
let storeDir: string;
const closers: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  storeDir = mkdtempSync(join(tmpdir(), "natsgate-kv-example-"));
  server = await createServer({
    port: 0,
    websocket: { host: "127.0.0.1", port: 0, noTls: true },
    mqtt: { host: "127.0.0.1", port: 0 },
    jetstream: { storeDir },
  });
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  await server.close();
  rmSync(storeDir, { recursive: true, force: true });
});

/** The service: latest reading per device, from `sensors/<id>/temperature` (NATS `sensors.<id>.temperature`). */
async function startService(nc: NatsConnection): Promise<void> {
  const kv = await new Kvm(nc).create("devices", { history: 1 });
  nc.subscribe("sensors.*.temperature", {
    callback: (err, msg) => {
      if (err) return;
      const device = msg.subject.split(".")[1]!;
      void kv.put(device, msg.data);
    },
  });
  await nc.flush();
}

/** What a browser page does (there with the global WebSocket; Node 20 has none, so `ws` stands in). */
async function browserWatch(wsPort: number, seen: KvWatchEntry[]): Promise<NatsConnection> {
  const nc = await wsconnect({
    servers: `ws://127.0.0.1:${wsPort}`,
    reconnect: false,
    wsFactory: (url: string) => {
      const socket = new WebSocket(url);
      return Promise.resolve({ socket: socket as unknown as globalThis.WebSocket, encrypted: false });
    },
  });
  const kv = await new Kvm(nc).open("devices");
  const watch = await kv.watch();
  void (async () => {
    for await (const e of watch) seen.push(e);
  })();
  return nc;
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("README example: MQTT device → NATS service → KV → browser over WebSocket", () => {
  it("the browser sees each device's latest reading as the device publishes", async () => {
    const serviceNc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
    closers.push(() => serviceNc.close());
    await startService(serviceNc);

    const seen: KvWatchEntry[] = [];
    const browserNc = await browserWatch(server.websocketPort, seen);
    closers.push(() => browserNc.close());

    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, {
      clientId: "thermo-1",
      reconnectPeriod: 0,
    });
    closers.push(() => device.endAsync());
    await device.publishAsync("sensors/dev1/temperature", "21.5", { qos: 1 });
    await device.publishAsync("sensors/dev2/temperature", "19.0", { qos: 0 });
    await until(() => seen.length >= 2, "the first two readings in the browser");
    await device.publishAsync("sensors/dev1/temperature", "22.0", { qos: 1 });
    await until(() => seen.length >= 3, "the third reading in the browser");

    const byKey = seen.map((e) => `${e.key}=${e.string()}`);
    expect(byKey.slice(0, 2).sort()).toEqual(["dev1=21.5", "dev2=19.0"]);
    expect(byKey[2]).toBe("dev1=22.0");
    expect(seen.every((e) => e.operation === "PUT" && e.bucket === "devices")).toBe(true);

    // history 1: the bucket holds only the latest reading per device.
    const kv = await new Kvm(serviceNc).open("devices");
    expect((await kv.get("dev1"))?.string()).toBe("22.0");
    expect((await kv.status()).values).toBe(2);

    // A page opened later starts from the latest values.
    const late: KvWatchEntry[] = [];
    const lateNc = await browserWatch(server.websocketPort, late);
    closers.push(() => lateNc.close());
    await until(() => late.length >= 2, "the late page's initial values");
    expect(late.map((e) => `${e.key}=${e.string()}`).sort()).toEqual(["dev1=22.0", "dev2=19.0"]);
  });
});

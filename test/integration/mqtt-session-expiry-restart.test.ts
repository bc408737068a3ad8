// MQTT 5 session expiry across a restart: the deadline is stored with the session, so after a restart a
// session expires when it would have (not a full interval later), and one that expired while the server
// was down is gone.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll } from "../helpers/mqtt.js";
import { waitUntil, within } from "../helpers/server.js";

const clients: MqttClient[] = [];
const servers: NatsgateServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await closeAll(clients);
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(storeDir: string): Promise<NatsgateServer> {
  const server = await createServer({ port: 0, jetstream: { storeDir }, mqtt: { port: 0 } });
  servers.push(server);
  return server;
}

/** Connects an MQTT 5 client (clean start off) and returns it with CONNACK's session present. */
async function connect(port: number, clientId: string, expiry: number) {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 5,
    clientId,
    clean: false,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: expiry },
  });
  clients.push(client);
  const connack = await within(
    new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      client.once("connect", resolve);
      client.once("error", reject);
    }),
    `CONNACK for ${clientId}`,
  );
  return { client, present: connack.sessionPresent };
}

/** Waits for the wall clock: the server is down or idle meanwhile, there is no event to wait for. */
async function until(epochMs: number): Promise<void> {
  await waitUntil(() => Date.now() >= epochMs, `clock at ${epochMs}`, epochMs - Date.now() + 1000);
}

describe("MQTT session expiry across a restart", () => {
  it("keeps the remaining time, not a fresh interval", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-expiry-"));
    dirs.push(dir);
    const a = await start(dir);
    for (const [id, expiry] of [
      ["short", 3],
      ["long", 60],
      ["gone", 1],
    ] as const) {
      const { client } = await connect(a.mqttPort, id, expiry);
      await client.subscribeAsync("e/#", { qos: 1 });
      await client.endAsync();
    }
    const t0 = Date.now();
    await a.close();
    servers.splice(0);
    await until(t0 + 1500);

    const b = await start(dir);
    // `gone` expired while the server was down: not restored.
    expect((await connect(b.mqttPort, "gone", 0)).present).toBe(false);
    // `short` has ~1.5s left after the restart: still there at t0+3.5s would mean a fresh interval.
    await until(t0 + 3500);
    expect((await connect(b.mqttPort, "short", 0)).present).toBe(false);
    expect((await connect(b.mqttPort, "long", 0)).present).toBe(true);
  }, 20_000);
});

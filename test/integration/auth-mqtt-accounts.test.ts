// MQTT clients log in as configured users and land in their account: messages reach NATS clients of the
// same account only; a bad password is refused with CONNACK "bad user name or password".

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";
import { connectMqtt } from "../helpers/mqtt.js";

describe("MQTT users in accounts", () => {
  let server: NatsgateServer;
  let dir: string;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-acc-"));
    server = await serverFromConfig(`
      server_name: mqtt-auth
      jetstream { store_dir: "${dir}" }
      mqtt { port: -1 }
      accounts {
        A { jetstream: enabled, users [ { user: dev, password: pw }, { user: a, password: a } ] }
        B { jetstream: enabled, users [ { user: b, password: b } ] }
      }`);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers an MQTT publish to NATS subscribers of the same account only", async () => {
    const servers = `127.0.0.1:${server.port}`;
    const a = await connect({ servers, user: "a", pass: "a", reconnect: false });
    const b = await connect({ servers, user: "b", pass: "b", reconnect: false });
    const subA = a.subscribe("sensors.t", { max: 1 });
    const subB = b.subscribe("sensors.t");
    await a.flush();
    await b.flush();
    const dev = await connectMqtt(
      server.mqttPort,
      { username: "dev", password: "pw", clientId: "dev1" },
      clients,
    );
    await dev.publishAsync("sensors/t", "21.5");
    for await (const m of subA) expect(m.string()).toBe("21.5");
    await b.flush();
    expect(subB.getReceived()).toBe(0);
    await a.close();
    await b.close();
  });

  it("refuses a bad password", async () => {
    await expect(
      connectMqtt(server.mqttPort, { username: "dev", password: "nope", clientId: "dev2" }, clients),
    ).rejects.toThrow(/Bad username or password|Not authorized|bad user/i);
  });
});

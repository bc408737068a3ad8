// MQTT state in JetStream: persistent sessions (subscriptions and the QoS 1/2 messages that waited for
// them) and retained messages survive a server restart on the same store dir; clean sessions and
// cleared retained messages stay gone; without JetStream the state is memory only.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, collect, connectMqtt } from "../helpers/mqtt.js";

const clients: MqttClient[] = [];
const servers: NatsgateServer[] = [];
const dirs: string[] = [];

async function start(storeDir: string | null): Promise<NatsgateServer> {
  const server = await createServer({
    port: 0,
    ...(storeDir === null ? {} : { jetstream: { storeDir } }),
    mqtt: { port: 0 },
  });
  servers.push(server);
  return server;
}

function storeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-"));
  dirs.push(dir);
  return dir;
}

async function stop(server: NatsgateServer): Promise<void> {
  await closeAll(clients);
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

afterEach(async () => {
  await closeAll(clients);
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("MQTT state across a restart", () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 4 ? "3.1.1" : "5.0"}: session, queued QoS 1/2 messages and retained survive`, async () => {
      const dir = storeDir();
      const a = await start(dir);
      const persistent =
        protocolVersion === 5
          ? { clean: false, properties: { sessionExpiryInterval: 3600 } }
          : { clean: false };
      const dev = await connectMqtt(
        a.mqttPort,
        { protocolVersion, clientId: "dev.1 ü", ...persistent },
        clients,
      );
      await dev.subscribeAsync("t/#", { qos: 2 });
      await dev.subscribeAsync("q/+", { qos: 1 });
      const pub = await connectMqtt(a.mqttPort, { protocolVersion, clientId: "pub" }, clients);
      await pub.publishAsync("r/x", "kept", { qos: 1, retain: true });
      await pub.publishAsync("r/gone", "soon cleared", { qos: 1, retain: true });
      await pub.publishAsync("r/gone", "", { qos: 1, retain: true });
      await new Promise<void>((r) => dev.end(false, {}, () => r()));
      // Offline: these wait in the session's outbox.
      await pub.publishAsync("t/a", "m1", { qos: 1 });
      await pub.publishAsync("t/b/c", "m2", { qos: 2 });
      await pub.publishAsync("q/z", "m3", { qos: 2 });
      await pub.publishAsync("t/zero", "not kept", { qos: 0 });
      await stop(a);

      const b = await start(dir);
      const back = await connectMqtt(
        b.mqttPort,
        { protocolVersion, clientId: "dev.1 ü", ...persistent },
        clients,
      );
      const got = collect(back);
      // MQTT.js hands QoS 2 messages over at PUBREL, so arrival order is by topic here.
      const ms = (await got.next(3)).slice().sort((x, y) => x.topic.localeCompare(y.topic));
      expect(ms.map((m) => [m.topic, m.payload.toString(), m.packet.qos])).toEqual([
        ["q/z", "m3", 1],
        ["t/a", "m1", 1],
        ["t/b/c", "m2", 2],
      ]);
      // The subscriptions came back too: a new publish reaches the restored session.
      const pub2 = await connectMqtt(b.mqttPort, { protocolVersion, clientId: "pub2" }, clients);
      await pub2.publishAsync("t/new", "m4", { qos: 1 });
      const [m4] = (await got.next(4)).slice(3);
      expect([m4.topic, m4.payload.toString(), m4.packet.qos]).toEqual(["t/new", "m4", 1]);
      // Retained: the kept one is there, the cleared one is not.
      const fresh = await connectMqtt(b.mqttPort, { protocolVersion, clientId: "fresh" }, clients);
      const fgot = collect(fresh);
      await fresh.subscribeAsync("r/#", { qos: 1 });
      const [r] = await fgot.next(1);
      expect([r.topic, r.payload.toString(), r.packet.retain]).toEqual(["r/x", "kept", true]);
      await fresh.publishAsync("r/mark", "end", { qos: 1 });
      const after = await fgot.next(2);
      expect(after.map((m) => m.topic)).toEqual(["r/x", "r/mark"]);
    });
  }

  it("reports session present after a restart, and the queued messages are not sent twice", async () => {
    const dir = storeDir();
    const a = await start(dir);
    const dev = await connectMqtt(a.mqttPort, { clientId: "twice", clean: false }, clients);
    await dev.subscribeAsync("x", { qos: 1 });
    await new Promise<void>((r) => dev.end(false, {}, () => r()));
    const pub = await connectMqtt(a.mqttPort, { clientId: "p" }, clients);
    await pub.publishAsync("x", "once", { qos: 1 });
    await stop(a);

    const b = await start(dir);
    const back = await connectMqtt(b.mqttPort, { clientId: "twice", clean: false }, clients);
    const sessionPresent = await new Promise<boolean>((resolve) => {
      // connectMqtt resolved on CONNACK: read it from the client's last connack.
      resolve(
        (back as unknown as { connackPacket?: { sessionPresent: boolean } }).connackPacket?.sessionPresent ??
          false,
      );
    });
    expect(sessionPresent).toBe(true);
    const [m] = await collect(back).next(1);
    expect(m.payload.toString()).toBe("once");
    await new Promise<void>((r) => back.end(false, {}, () => r()));
    await stop(b);

    // Delivered and acknowledged before the second restart: not delivered again.
    const c = await start(dir);
    const again = await connectMqtt(c.mqttPort, { clientId: "twice", clean: false }, clients);
    const p2 = await connectMqtt(c.mqttPort, { clientId: "p2" }, clients);
    await p2.publishAsync("x", "fresh", { qos: 1 });
    const [first] = await collect(again).next(1);
    expect(first.payload.toString()).toBe("fresh");
  });

  it("a clean session leaves nothing behind across a restart", async () => {
    const dir = storeDir();
    const a = await start(dir);
    const dev = await connectMqtt(a.mqttPort, { clientId: "c1", clean: false }, clients);
    await dev.subscribeAsync("y", { qos: 1 });
    await new Promise<void>((r) => dev.end(false, {}, () => r()));
    // Reconnecting with clean session ends the stored one.
    const clean = await connectMqtt(a.mqttPort, { clientId: "c1", clean: true }, clients);
    await new Promise<void>((r) => clean.end(false, {}, () => r()));
    await stop(a);
    const b = await start(dir);
    const back = await connectMqtt(b.mqttPort, { clientId: "c1", clean: false }, clients);
    expect(
      (back as unknown as { connackPacket: { sessionPresent: boolean } }).connackPacket.sessionPresent,
    ).toBe(false);
    const pub = await connectMqtt(b.mqttPort, { clientId: "p" }, clients);
    const res = await pub.publishAsync("y", "nobody", { qos: 1 });
    expect(res).toBeDefined();
    expect(collect(back).messages).toHaveLength(0);
  });

  it("without JetStream, sessions and retained messages do not survive (memory only)", async () => {
    const a = await start(null);
    const dev = await connectMqtt(a.mqttPort, { clientId: "m1", clean: false }, clients);
    await dev.subscribeAsync("z", { qos: 1 });
    await dev.publishAsync("z/r", "ret", { qos: 1, retain: true });
    await stop(a);
    const b = await start(null);
    const back = await connectMqtt(b.mqttPort, { clientId: "m1", clean: false }, clients);
    expect(
      (back as unknown as { connackPacket: { sessionPresent: boolean } }).connackPacket.sessionPresent,
    ).toBe(false);
    await back.subscribeAsync("z/#", { qos: 1 });
    await back.publishAsync("z/mark", "end", { qos: 1 });
    const [m] = await collect(back).next(1);
    expect(m.topic).toBe("z/mark");
  });
});

// JetStream deliveries across a route in a mixed cluster: the stream on a natsgate node, the client on a
// nats-server 2.9.10 node, so RMSG carries `<ack reply>@<stream subject>` as nats-server expects it.
// (The reverse, nats-server's JetStream in a mixed cluster, runs in clustered mode and needs its raft and
// system-account traffic from JetStream peers, which natsgate nodes do not provide.)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import { CLUSTER_NAME, client, routeUrl, syncInterest, waitRoutes } from "../integration/cluster-support.js";

const available = natsServerAvailable();
const gates: NatsgateServer[] = [];
const procs: NatsServerProcess[] = [];
const clients: NatsConnection[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of gates.splice(0)) await s.close();
  for (const p of procs.splice(0)) await p.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function roundTrip(onStreamNode: NatsConnection, onOther: NatsConnection): Promise<void> {
  await syncInterest(onStreamNode, onOther);
  const jsm = await jetstreamManager(onOther, { timeout: 10_000 });
  await jsm.streams.add({ name: "EVENTS", subjects: ["events.>"] });
  await syncInterest(onStreamNode, onOther);
  for (let i = 0; i < 10; i++)
    expect((await jetstream(onOther).publish(`events.e${i}`, `v${i}`)).seq).toBe(i + 1);
  await jsm.consumers.add("EVENTS", { durable_name: "c1", ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(onOther).consumers.get("EVENTS", "c1");
  const seen: string[] = [];
  for await (const m of await consumer.fetch({ max_messages: 10, expires: 5000 })) {
    seen.push(`${m.subject}=${m.string()}`);
    await m.ackAck();
    if (seen.length === 10) break;
  }
  expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `events.e${i}=v${i}`));
  expect((await jsm.consumers.info("EVENTS", "c1")).num_ack_pending).toBe(0);
}

describe.skipIf(!available)("JetStream across a mixed route", () => {
  it("nats-server client node, natsgate stream node", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "ng-js-"));
    dirs.push(storeDir);
    const g = await createServer({
      port: 0,
      jetstream: { storeDir },
      extra: { cluster: { name: CLUSTER_NAME, listen: "127.0.0.1:-1" } },
    });
    gates.push(g);
    const ns = await startNatsServer([], {
      config: `cluster { name: ${CLUSTER_NAME}, listen: 127.0.0.1:-1, routes: ["${routeUrl(g)}"] }\n`,
    });
    procs.push(ns);
    await waitRoutes(g, 1);
    const onNs = await client(ns.port);
    const onG = await client(g.port);
    clients.push(onNs, onG);
    await roundTrip(onG, onNs);
  });
});

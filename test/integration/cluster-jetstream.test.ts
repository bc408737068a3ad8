// JetStream on one designated node of a natsgate cluster, its API and streams reached over the routes from
// clients on the other nodes (the recipe for one process per core with one JetStream node).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { CLUSTER_NAME, client, routeUrl, startNode, syncInterest, waitRoutes } from "./cluster-support.js";

const servers: NatsgateServer[] = [];
const clients: NatsConnection[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("JetStream on one node of a cluster", () => {
  it("creates a stream, stores and consumes through other nodes", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "natsgate-cluster-js-"));
    dirs.push(storeDir);
    const js = await createServer({
      port: 0,
      jetstream: { storeDir },
      extra: { cluster: { name: CLUSTER_NAME, listen: "127.0.0.1:-1" } },
    });
    servers.push(js);
    const b = await startNode([routeUrl(js)]);
    const c = await startNode([routeUrl(js)]);
    servers.push(b, c);
    for (const s of [js, b, c]) await waitRoutes(s, 2);
    const onJs = await client(js.port);
    const onB = await client(b.port);
    const onC = await client(c.port);
    clients.push(onJs, onB, onC);
    await syncInterest(onJs, onB);
    await syncInterest(onJs, onC);

    const jsm = await jetstreamManager(onB);
    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    await syncInterest(onJs, onC);
    const pub = jetstream(onC);
    for (let i = 0; i < 20; i++) {
      const ack = await pub.publish(`orders.${i % 2 === 0 ? "new" : "paid"}`, `o${i}`);
      expect(ack.seq).toBe(i + 1);
    }
    await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(onB).consumers.get("ORDERS", "worker");
    const seen: string[] = [];
    const batch = await consumer.fetch({ max_messages: 20, expires: 5000 });
    for await (const m of batch) {
      seen.push(m.string());
      m.ack();
      if (seen.length === 20) break;
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `o${i}`));
    const info = await jsm.streams.info("ORDERS");
    expect(info.state.messages).toBe(20);
  });
});

// A natsgate edge with its own JetStream, leaf of a nats-server hub whose JetStream has domain "hub":
// each side's `$JS.API` stays local, and edge clients reach the hub's streams through `$JS.hub.API`.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import { client, syncInterest, waitFor } from "../integration/cluster-support.js";

const available = natsServerAvailable();
const edges: NatsgateServer[] = [];
const hubs: NatsServerProcess[] = [];
const clients: NatsConnection[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of edges.splice(0)) await s.close();
  for (const h of hubs.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function names(nc: NatsConnection, domain?: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc, { domain, timeout: 5000 });
  const out: string[] = [];
  for await (const n of jsm.streams.names()) out.push(n);
  return out.sort();
}

describe.skipIf(!available)("natsgate edge with JetStream under a nats-server hub (domain hub)", () => {
  it("keeps each JetStream API local and reaches the hub's streams through its domain", async () => {
    const hubDir = mkdtempSync(join(tmpdir(), "hub-js-"));
    const edgeDir = mkdtempSync(join(tmpdir(), "edge-js-"));
    dirs.push(hubDir, edgeDir);
    const hub = await startNatsServer(["-m", "-1"], {
      config: `jetstream { store_dir: "${hubDir}", domain: hub }\nleafnodes { listen: 127.0.0.1:-1 }\n`,
    });
    hubs.push(hub);
    const varz = (await (await fetch(`${hub.ports.monitoring![0]}/varz`)).json()) as {
      leaf: { port: number };
    };
    const edge = await createServer({
      port: 0,
      jetstream: { storeDir: edgeDir },
      extra: { leafnodes: { remotes: [{ url: `nats-leaf://127.0.0.1:${varz.leaf.port}` }] } },
    });
    edges.push(edge);
    await waitFor("leaf link up", () => edge.leafNodes!.connectedCount === 1);
    const onHub = await client(hub.port);
    const onEdge = await client(edge.port);
    clients.push(onHub, onEdge);
    await syncInterest(onHub, onEdge);
    await syncInterest(onEdge, onHub);

    await (await jetstreamManager(onHub)).streams.add({ name: "HUBS", subjects: ["hubs.>"] });
    await (await jetstreamManager(onEdge)).streams.add({ name: "EDGES", subjects: ["edges.>"] });
    expect(await names(onHub)).toEqual(["HUBS"]);
    expect(await names(onEdge)).toEqual(["EDGES"]);
    await waitFor("hub domain API reachable from the edge", async () => {
      try {
        return JSON.stringify(await names(onEdge, "hub")) === JSON.stringify(["HUBS"]);
      } catch {
        return false;
      }
    });
    const ack = await jetstream(onEdge, { domain: "hub" }).publish("hubs.from.edge", "x");
    expect(ack).toMatchObject({ stream: "HUBS", seq: 1, domain: "hub" });
    const info = await (await jetstreamManager(onHub)).streams.info("HUBS");
    expect(info.state.messages).toBe(1);
  });
});

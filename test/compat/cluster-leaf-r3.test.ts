// natsgate as a leaf of a 3-node nats-server 2.9.10 cluster running JetStream with an R3 stream: an MQTT device
// on the natsgate edge publishes into the replicated stream; the hub node holding the leaf link is killed; the
// edge fails over to another hub node and nothing stored before the kill is lost.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { closeAll, connectMqtt } from "../helpers/mqtt.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import { client, waitFor } from "../integration/cluster-support.js";

const available = natsServerAvailable();
const edges: NatsgateServer[] = [];
const hubs: NatsServerProcess[] = [];
const clients: NatsConnection[] = [];
const mqttClients: MqttClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await closeAll(mqttClients);
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of edges.splice(0)) await s.close();
  for (const h of hubs.splice(0)) await h.stop().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A port the kernel just handed out (the cluster ports must be known up front for the routes lists). */
function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

interface HubNode {
  proc: NatsServerProcess;
  leafPort: number;
  monitor: string;
}

async function hubCluster(): Promise<HubNode[]> {
  const clusterPorts = await Promise.all([probePort(), probePort(), probePort()]);
  const routes = clusterPorts.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ");
  const procs = await Promise.all(
    clusterPorts.map((port, i) => {
      const dir = mkdtempSync(join(tmpdir(), `hub${i}-`));
      dirs.push(dir);
      const config =
        `server_name: hub${i}\njetstream { store_dir: "${dir}", domain: hub }\n` +
        `cluster { name: hubc, listen: 127.0.0.1:${port}, routes: [${routes}] }\nleafnodes { listen: 127.0.0.1:-1 }\n`;
      return startNatsServer(["-m", "-1"], { config });
    }),
  );
  hubs.push(...procs);
  return Promise.all(
    procs.map(async (proc) => {
      const monitor = proc.ports.monitoring![0]!;
      const varz = (await (await fetch(`${monitor}/varz`)).json()) as { leaf: { port: number } };
      return { proc, leafPort: varz.leaf.port, monitor };
    }),
  );
}

async function leafCount(h: HubNode): Promise<number> {
  try {
    return ((await (await fetch(`${h.monitor}/leafz`)).json()) as { leafnodes: number }).leafnodes;
  } catch {
    return 0;
  }
}

async function storedCount(nc: NatsConnection): Promise<number> {
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2000 });
    return (await jsm.streams.info("SENSORS")).state.messages;
  } catch {
    return -1;
  }
}

describe.skipIf(!available)("natsgate edge leaf of a 3-node nats-server JetStream cluster", () => {
  it("MQTT publishes land in an R3 stream on the hub and survive the loss of the linked hub node", async () => {
    const nodes = await hubCluster();
    const hubClients = await Promise.all(nodes.map((n) => client(n.proc.port)));
    clients.push(...hubClients);
    await waitFor(
      "R3 stream created",
      async () => {
        try {
          const jsm = await jetstreamManager(hubClients[0]!, { timeout: 2000 });
          await jsm.streams.add({ name: "SENSORS", subjects: ["sensors.>"], num_replicas: 3 });
          return true;
        } catch {
          return false;
        }
      },
      60_000,
    );

    const edgeDir = mkdtempSync(join(tmpdir(), "edge-"));
    dirs.push(edgeDir);
    const urls = nodes.map((n) => `nats-leaf://127.0.0.1:${n.leafPort}`);
    const edge = await createServer({
      port: 0,
      jetstream: { storeDir: edgeDir },
      mqtt: { port: 0 },
      extra: { leafnodes: { remotes: [{ urls }] } },
    });
    edges.push(edge);
    await waitFor("leaf link up", () => edge.leafNodes!.connectedCount === 1);
    // The stream's interest reaches the edge over the link before anything is published.
    await waitFor("stream interest on the edge", () =>
      edge.lookupAccount("$G")!.sublist.hasInterest("sensors.t1"),
    );

    const device = await connectMqtt(
      edge.mqttPort,
      { clientId: "device-1", protocolVersion: 4 },
      mqttClients,
    );
    for (let i = 0; i < 50; i++) await device.publishAsync("sensors/t1", `r${i}`, { qos: 1 });
    await waitFor("50 stored on the hub", async () => (await storedCount(hubClients[0]!)) === 50, 30_000);

    const linkedTo = () => [...edge.leafNodes!.links].find((l) => l.registered)?.remoteName;
    const before = linkedTo()!;
    const linked = Number(before.replace("hub", ""));
    expect(await leafCount(nodes[linked]!)).toBe(1);
    process.kill(nodes[linked]!.proc.pid, "SIGKILL");
    const survivor = hubClients[(linked + 1) % 3]!;
    // Core NATS over the link is at most once: publish again only once the edge is linked to another node.
    await waitFor(
      "edge relinked to a surviving hub node",
      () => linkedTo() !== undefined && linkedTo() !== before,
      30_000,
    );
    await waitFor("stream interest back on the edge", () =>
      edge.lookupAccount("$G")!.sublist.hasInterest("sensors.t1"),
    );
    await waitFor("nothing stored was lost", async () => (await storedCount(survivor)) === 50, 30_000);

    for (let i = 50; i < 100; i++) await device.publishAsync("sensors/t1", `r${i}`, { qos: 1 });
    await waitFor("100 stored", async () => (await storedCount(survivor)) === 100, 30_000);

    // After losing a node the meta and stream groups may still be electing: retry the consumer setup.
    let consumer: Awaited<ReturnType<ReturnType<typeof jetstream>["consumers"]["get"]>> | null = null;
    await waitFor(
      "consumer ready",
      async () => {
        try {
          const jsm = await jetstreamManager(survivor, { timeout: 2000 });
          await jsm.consumers.add("SENSORS", { durable_name: "reader", ack_policy: AckPolicy.Explicit });
          consumer = await jetstream(survivor, { timeout: 2000 }).consumers.get("SENSORS", "reader");
          return true;
        } catch {
          return false;
        }
      },
      60_000,
    );
    const seen = new Set<string>();
    const subjects = new Set<string>();
    await waitFor(
      "all 100 consumed",
      async () => {
        try {
          for await (const m of await consumer!.fetch({ max_messages: 100, expires: 3000 })) {
            subjects.add(m.subject);
            seen.add(m.string());
            m.ack();
            if (seen.size === 100) break;
          }
        } catch {
          // The consumer's group may still be settling after the node loss: fetch again.
        }
        return seen.size === 100;
      },
      90_000,
    );
    expect([...subjects]).toEqual(["sensors.t1"]);
    expect([...seen].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`).sort());
  }, 180_000);
});

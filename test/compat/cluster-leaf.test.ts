// natsgate as a leaf node of a nats-server 2.9.10 hub: interest (LS+/LS-) and messages (LMSG/HMSG) both ways,
// request/reply and queue groups across the link, and reconnect when the hub comes back.

import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { leafzOf } from "../../src/cluster/peer-z.js";
import { createServer, type NatsgateServer } from "../../src/index.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import { client, collect, syncInterest, waitFor } from "../integration/cluster-support.js";

const available = natsServerAvailable();
const edges: NatsgateServer[] = [];
const hubs: NatsServerProcess[] = [];
const clients: NatsConnection[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of edges.splice(0)) await s.close();
  for (const h of hubs.splice(0)) await h.stop();
});

interface Hub {
  proc: NatsServerProcess;
  leafPort: number;
  leafCount(): Promise<number>;
}

async function hub(leafListen = "127.0.0.1:-1"): Promise<Hub> {
  const proc = await startNatsServer(["-m", "-1"], { config: `leafnodes { listen: ${leafListen} }\n` });
  hubs.push(proc);
  const monitor = proc.ports.monitoring?.[0];
  if (monitor === undefined) throw new Error(`ports file: ${JSON.stringify(proc.ports)}`);
  // 2.9.10's ports file has no leafnode entry: /varz tells the bound leaf port.
  const varz = (await (await fetch(`${monitor}/varz`)).json()) as { leaf: { port: number } };
  return {
    proc,
    leafPort: varz.leaf.port,
    leafCount: async () =>
      ((await (await fetch(`${monitor}/leafz`)).json()) as { leafnodes: number }).leafnodes,
  };
}

async function edge(h: Hub): Promise<NatsgateServer> {
  const s = await createServer({
    port: 0,
    extra: { leafnodes: { remotes: [{ url: `nats-leaf://127.0.0.1:${h.leafPort}` }] } },
  });
  edges.push(s);
  return s;
}

async function conn(port: number): Promise<NatsConnection> {
  const nc = await client(port);
  clients.push(nc);
  return nc;
}

describe.skipIf(!available)("natsgate leaf node of a nats-server hub", () => {
  it("connects and carries messages, headers and requests both ways", async () => {
    const h = await hub();
    const e = await edge(h);
    await waitFor(
      "leaf link up",
      async () => e.leafNodes!.connectedCount === 1 && (await h.leafCount()) === 1,
    );
    const onHub = await conn(h.proc.port);
    const onEdge = await conn(e.port);

    const atEdge = collect(onEdge, "down.*");
    await syncInterest(onEdge, onHub);
    for (let i = 0; i < 10; i++) onHub.publish("down.x", `d${i}`);
    await onHub.flush();
    await waitFor("hub -> edge", () => atEdge.length === 10);

    const atHub = collect(onHub, "up.>");
    await syncInterest(onHub, onEdge);
    for (let i = 0; i < 10; i++) onEdge.publish("up.a.b", `u${i}`);
    await onEdge.flush();
    await waitFor("edge -> hub", () => atHub.length === 10);
    await onEdge.flush();
    await onHub.flush();
    expect(atEdge).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`));
    expect(atHub).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`));

    onHub.subscribe("svc.hub", {
      callback: (_e, m) => {
        m.respond(`hub:${m.string()}:${m.headers?.get("X-K") ?? ""}`);
      },
    });
    onEdge.subscribe("svc.edge", {
      callback: (_e, m) => {
        m.respond(`edge:${m.string()}`);
      },
    });
    await syncInterest(onHub, onEdge);
    await syncInterest(onEdge, onHub);
    const { headers } = await import("@nats-io/transport-node");
    const hd = headers();
    hd.set("X-K", "v");
    expect((await onEdge.request("svc.hub", "q1", { timeout: 5000, headers: hd })).string()).toBe("hub:q1:v");
    expect((await onHub.request("svc.edge", "q2", { timeout: 5000 })).string()).toBe("edge:q2");
    const lz = leafzOf(e.serverId, e.leafNodes, { subs: true });
    expect(lz).toMatchObject({ leafnodes: 1 });
    const leaf = (lz.leafs as Record<string, unknown>[])[0]!;
    expect(leaf).toMatchObject({ account: "$G", ip: "127.0.0.1", port: h.leafPort });
    expect(leaf.subscriptions_list).toEqual(expect.arrayContaining(["up.>", "svc.hub"]));
  });

  it("spreads a queue group over the link exactly once", async () => {
    const h = await hub();
    const e = await edge(h);
    await waitFor(
      "leaf link up",
      async () => e.leafNodes!.connectedCount === 1 && (await h.leafCount()) === 1,
    );
    const onHub = await conn(h.proc.port);
    const onEdge = await conn(e.port);
    const edgeMembers = collect(onEdge, "jobs", "w");
    await syncInterest(onEdge, onHub);
    const n = 100;
    for (let i = 0; i < n; i++) onHub.publish("jobs", String(i));
    await onHub.flush();
    await waitFor("queue deliveries over the link", () => edgeMembers.length === n);
    // With a member on the hub too, each message is taken once in total.
    const hubMembers = collect(onHub, "jobs", "w");
    await onHub.flush();
    for (let i = 0; i < n; i++) onEdge.publish("jobs", `e${i}`);
    await onEdge.flush();
    await waitFor("edge publishes taken once", () => edgeMembers.length + hubMembers.length === 2 * n);
    await onHub.flush();
    await onEdge.flush();
    expect(edgeMembers.length + hubMembers.length).toBe(2 * n);
    expect(new Set([...edgeMembers, ...hubMembers]).size).toBe(2 * n);
  });

  it("reconnects when the hub comes back, and interest flows again", async () => {
    const h1 = await hub();
    const e = await edge(h1);
    await waitFor("leaf link up", () => e.leafNodes!.connectedCount === 1);
    const onEdge = await conn(e.port);
    const got = collect(onEdge, "again.x");
    await onEdge.flush();
    const port = h1.leafPort;
    await h1.proc.stop();
    hubs.splice(hubs.indexOf(h1.proc), 1);
    await waitFor("link down", () => e.leafNodes!.connectedCount === 0);
    const h2 = await hub(`127.0.0.1:${port}`);
    await waitFor(
      "link back",
      async () => e.leafNodes!.connectedCount === 1 && (await h2.leafCount()) === 1,
      30_000,
    );
    const onHub = await conn(h2.proc.port);
    await syncInterest(onEdge, onHub);
    onHub.publish("again.x", "back");
    await onHub.flush();
    await waitFor("delivery after reconnect", () => got.length === 1);
    expect(got).toEqual(["back"]);
  });

  it("accepts a nats-server leaf node and carries messages and requests both ways", async () => {
    const h = await createServer({ port: 0, extra: { leafnodes: { listen: "127.0.0.1:-1" } } });
    edges.push(h);
    const url = `nats-leaf://127.0.0.1:${h.leafNodes!.port}`;
    const spoke = await startNatsServer(["-m", "-1"], {
      config: `leafnodes { remotes: [ { url: "${url}" } ] }\n`,
    });
    hubs.push(spoke);
    const monitor = spoke.ports.monitoring![0]!;
    const spokeLeafs = async () =>
      ((await (await fetch(`${monitor}/leafz`)).json()) as { leafnodes: number }).leafnodes;
    await waitFor(
      "leaf link up",
      async () => h.leafNodes!.connectedCount === 1 && (await spokeLeafs()) === 1,
    );
    const onHub = await conn(h.port);
    const onSpoke = await conn(spoke.port);
    const atSpoke = collect(onSpoke, "to.spoke.*");
    const atHub = collect(onHub, "to.hub.>");
    await syncInterest(onSpoke, onHub);
    await syncInterest(onHub, onSpoke);
    for (let i = 0; i < 5; i++) {
      onHub.publish("to.spoke.x", `s${i}`);
      onSpoke.publish("to.hub.y.z", `h${i}`);
    }
    await Promise.all([onHub.flush(), onSpoke.flush()]);
    await waitFor("both directions", () => atSpoke.length === 5 && atHub.length === 5);
    expect(atSpoke).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(atHub).toEqual(["h0", "h1", "h2", "h3", "h4"]);
    onSpoke.subscribe("svc.spoke", {
      callback: (_e, m) => {
        m.respond(`spoke:${m.string()}`);
      },
    });
    await syncInterest(onSpoke, onHub);
    expect((await onHub.request("svc.spoke", "r", { timeout: 5000 })).string()).toBe("spoke:r");
  });
});

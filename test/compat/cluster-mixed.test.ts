// Mixed clusters of natsgate and nats-server 2.9.10 over the route protocol: 2 natsgate + 1 nats-server and
// 1 natsgate + 2 nats-server, each meshed by gossip, passing the same cross-node pub/sub, queue and request tests.

import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";
import {
  CLUSTER_NAME,
  client,
  collect,
  hasInterest,
  routeUrl,
  startNode,
  syncInterest,
  waitFor,
  waitRoutes,
} from "../integration/cluster-support.js";

const available = natsServerAvailable();

interface Node {
  port: number;
  routeUrl: string;
  /** Number of routes this node has (natsgate: its registry; nats-server: /routez). */
  routes(): Promise<number>;
  kind: "natsgate" | "nats-server";
}

const gateServers: NatsgateServer[] = [];
const natsServers: NatsServerProcess[] = [];
const clients: NatsConnection[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of gateServers.splice(0)) await s.close();
  for (const p of natsServers.splice(0)) await p.stop();
});

async function gate(routes: string[]): Promise<Node> {
  const s = await startNode(routes);
  gateServers.push(s);
  return {
    port: s.port,
    routeUrl: routeUrl(s),
    routes: async () => s.cluster!.routes.size,
    kind: "natsgate",
  };
}

async function nats(routes: string[]): Promise<Node> {
  const list = routes.map((r) => JSON.stringify(r)).join(", ");
  const config = `cluster {\n  name: ${CLUSTER_NAME}\n  listen: 127.0.0.1:-1\n  routes: [${list}]\n}\n`;
  const p = await startNatsServer(["-m", "-1"], { config });
  natsServers.push(p);
  const cluster = p.ports.cluster?.[0];
  const monitor = p.ports.monitoring?.[0];
  if (cluster === undefined || monitor === undefined)
    throw new Error(`ports file lacks cluster/monitoring: ${JSON.stringify(p.ports)}`);
  const port = Number(/:(\d+)$/.exec(cluster)![1]);
  return {
    port: p.port,
    routeUrl: `nats-route://127.0.0.1:${port}`,
    routes: async () => {
      const r = await fetch(`${monitor}/routez`);
      return ((await r.json()) as { num_routes: number }).num_routes;
    },
    kind: "nats-server",
  };
}

async function conn(n: Node): Promise<NatsConnection> {
  const nc = await client(n.port);
  clients.push(nc);
  return nc;
}

type Start = (routes: string[]) => Promise<Node>;

/** A seed and two nodes that only know the seed; waits for the full mesh. */
async function mesh(seed: Start, second: Start, third: Start): Promise<Node[]> {
  const a = await seed([]);
  const b = await second([a.routeUrl]);
  const c = await third([a.routeUrl]);
  const nodes = [a, b, c];
  for (const n of nodes) await waitFor(`${n.kind} with 2 routes`, async () => (await n.routes()) === 2);
  return nodes;
}

const topologies: [string, Start, Start, Start][] = [
  ["2 natsgate + 1 nats-server (nats-server seed)", nats, gate, gate],
  ["1 natsgate + 2 nats-server (natsgate seed)", gate, nats, nats],
];

describe.skipIf(!available)("mixed cluster natsgate + nats-server 2.9.10", () => {
  for (const [title, s1, s2, s3] of topologies) {
    describe(title, () => {
      it("delivers wildcard and exact subscriptions across every pair of nodes, once each", async () => {
        const nodes = await mesh(s1, s2, s3);
        const ncs = await Promise.all(nodes.map(conn));
        for (let from = 0; from < 3; from++) {
          const to = (from + 1) % 3;
          const subject = `mixed.${from}.${to}`;
          const star = collect(ncs[to]!, `mixed.${from}.*`);
          const full = collect(ncs[to]!, "mixed.>");
          await syncInterest(ncs[to]!, ncs[from]!);
          for (let i = 0; i < 20; i++) ncs[from]!.publish(subject, `${from}-${i}`);
          await ncs[from]!.flush();
          await waitFor(
            `${nodes[from]!.kind} -> ${nodes[to]!.kind}`,
            () => star.length === 20 && full.length === 20,
          );
          await ncs[to]!.flush();
          const expected = Array.from({ length: 20 }, (_, i) => `${from}-${i}`);
          expect(star).toEqual(expected);
          expect(full).toEqual(expected);
        }
      });

      it("answers requests across nodes, with headers", async () => {
        const nodes = await mesh(s1, s2, s3);
        const ncs = await Promise.all(nodes.map(conn));
        const { headers } = await import("@nats-io/transport-node");
        for (let from = 0; from < 3; from++) {
          const to = (from + 2) % 3;
          const subject = `svc.${from}`;
          const sub = ncs[to]!.subscribe(subject, {
            callback: (_e, m) => {
              m.respond(`${to}:${m.string()}:${m.headers?.get("X-N") ?? ""}`);
            },
          });
          await syncInterest(ncs[to]!, ncs[from]!);
          const h = headers();
          h.set("X-N", String(from));
          const answer = await ncs[from]!.request(subject, "ping", { timeout: 5000, headers: h });
          expect(answer.string()).toBe(`${to}:ping:${from}`);
          sub.unsubscribe();
        }
      });

      it("delivers each queue message exactly once across nodes", async () => {
        const nodes = await mesh(s1, s2, s3);
        const ncs = await Promise.all(nodes.map(conn));
        // Members on the second and third node only; publishers on every node.
        const members = [collect(ncs[1]!, "jobs", "workers"), collect(ncs[2]!, "jobs", "workers")];
        await syncInterest(ncs[1]!, ncs[0]!);
        await syncInterest(ncs[2]!, ncs[0]!);
        await syncInterest(ncs[1]!, ncs[2]!);
        await syncInterest(ncs[2]!, ncs[1]!);
        const n = 300;
        for (let i = 0; i < n; i++) ncs[i % 3]!.publish("jobs", String(i));
        await Promise.all(ncs.map((nc) => nc.flush()));
        await waitFor("queue deliveries", () => members.flat().length === n);
        await Promise.all(ncs.map((nc) => nc.flush()));
        expect(members.flat().length).toBe(n);
        expect(new Set(members.flat()).size).toBe(n);
        // The group on the first node had no member: its messages reached the others through routes.
        expect(members[0]!.length).toBeGreaterThan(0);
        expect(members[1]!.length).toBeGreaterThan(0);
      });
    });
  }

  it("a natsgate node that restarts rejoins a nats-server seed and gets traffic again", async () => {
    const seed = await nats([]);
    const g = await startNode([seed.routeUrl]);
    gateServers.push(g);
    await waitRoutes(g, 1);
    await g.close();
    gateServers.splice(gateServers.indexOf(g), 1);
    await waitFor("seed drops the route", async () => (await seed.routes()) === 0);
    const g2 = await startNode([seed.routeUrl]);
    gateServers.push(g2);
    await waitRoutes(g2, 1);
    const pub = await conn(seed);
    const sub = await client(g2.port);
    clients.push(sub);
    const got = collect(sub, "rejoin.x");
    await syncInterest(sub, pub);
    pub.publish("rejoin.x", "again");
    await pub.flush();
    await waitFor("delivery after rejoin", () => got.length === 1);
    expect(got).toEqual(["again"]);
  });

  it("keeps accounts apart across the cluster (RS+/RMSG carry the account)", async () => {
    const accounts = `accounts {
  A { users [ { user: a, password: a } ] }
  B { users [ { user: b, password: b } ] }
}
`;
    const seed = await startNatsServer(["-m", "-1"], {
      config: `${accounts}cluster { name: ${CLUSTER_NAME}, listen: 127.0.0.1:-1 }\n`,
    });
    natsServers.push(seed);
    const seedRoute = `nats-route://127.0.0.1:${/:(\d+)$/.exec(seed.ports.cluster![0]!)![1]}`;
    const g = await serverFromConfig(
      `${accounts}cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:-1", routes: ["${seedRoute}"] }\n`,
    );
    gateServers.push(g);
    await waitRoutes(g, 1);
    const login = async (port: number, user: string) => {
      const nc = await client(port, { user, pass: user });
      clients.push(nc);
      return nc;
    };
    const aOnGate = await login(g.port, "a");
    const bOnGate = await login(g.port, "b");
    const aOnSeed = await login(seed.port, "a");
    const bOnSeed = await login(seed.port, "b");
    const gotA = collect(aOnGate, "shared.subject");
    const gotB = collect(bOnGate, "shared.subject");
    await syncInterest(aOnGate, aOnSeed);
    await syncInterest(bOnGate, bOnSeed);
    aOnSeed.publish("shared.subject", "for-a");
    bOnSeed.publish("shared.subject", "for-b");
    await Promise.all([aOnSeed.flush(), bOnSeed.flush()]);
    await waitFor("one message per account", () => gotA.length === 1 && gotB.length === 1);
    await Promise.all([aOnGate.flush(), bOnGate.flush()]);
    expect(gotA).toEqual(["for-a"]);
    expect(gotB).toEqual(["for-b"]);
  });

  it("drops a killed nats-server node's interest; its queue share moves to the survivors", async () => {
    const nodes = await mesh(gate, nats, nats);
    const [g, n1, n2] = nodes as [Node, Node, Node];
    const pub = await conn(g);
    const c1 = await conn(n1);
    const c2 = await conn(n2);
    const on1 = collect(c1, "kill.q", "w");
    const on2 = collect(c2, "kill.q", "w");
    c1.subscribe("only.on.n1");
    await syncInterest(c1, pub);
    await syncInterest(c2, pub);
    const gs = gateServers[0]!;
    expect(hasInterest(gs, "only.on.n1")).toBe(true);
    const victim = natsServers[0]!;
    process.kill(victim.pid, "SIGKILL");
    await waitRoutes(gs, 1);
    expect(hasInterest(gs, "only.on.n1")).toBe(false);
    const before = on1.length;
    for (let i = 0; i < 50; i++) pub.publish("kill.q", String(i));
    await pub.flush();
    await waitFor("survivor takes every message", () => on2.length === 50);
    await c2.flush();
    expect(on2.length).toBe(50);
    expect(on1.length).toBe(before);
  });
});

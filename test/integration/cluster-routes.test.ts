// A 3-node natsgate cluster on loopback: mesh by gossip, pub/sub, wildcards, queue groups and request/reply
// across nodes, interest withdrawal, a node closed and restarted, and clients failing over via connect_urls.

import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import {
  client,
  collect,
  hasInterest,
  routeUrl,
  startNode,
  syncInterest,
  waitFor,
  waitRoutes,
} from "./cluster-support.js";

const servers: NatsgateServer[] = [];
const clients: NatsConnection[] = [];

afterEach(async () => {
  for (const nc of clients.splice(0)) await nc.close().catch(() => {});
  for (const s of servers.splice(0)) await s.close();
});

async function node(routes: string[] = []): Promise<NatsgateServer> {
  const s = await startNode(routes);
  servers.push(s);
  return s;
}

async function conn(s: NatsgateServer, opts: Record<string, unknown> = {}): Promise<NatsConnection> {
  const nc = await client(s.port, opts);
  clients.push(nc);
  return nc;
}

/** A seed and two nodes that only know the seed: the full mesh comes from gossip. */
async function threeNodes(): Promise<[NatsgateServer, NatsgateServer, NatsgateServer]> {
  const a = await node();
  const b = await node([routeUrl(a)]);
  const c = await node([routeUrl(a)]);
  for (const s of [a, b, c]) await waitRoutes(s, 2);
  return [a, b, c];
}

describe("natsgate cluster (routes)", () => {
  it("forms a full mesh through gossip and delivers across nodes with wildcards, once per subscription", async () => {
    const [a, b, c] = await threeNodes();
    const ids = new Set([a, b, c].flatMap((s) => [...s.cluster!.routes.keys()]));
    expect(ids).toEqual(new Set([a.serverId, b.serverId, c.serverId]));
    const pa = await conn(a);
    const nb = await conn(b);
    const nc = await conn(c);
    const star = collect(nc, "orders.*");
    const exact = collect(nc, "orders.new");
    const full = collect(nb, "orders.>");
    await syncInterest(nc, pa);
    await syncInterest(nb, pa);
    for (let i = 0; i < 10; i++) pa.publish("orders.new", `m${i}`);
    pa.publish("orders.x.y", "deep");
    await pa.flush();
    const expected = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await waitFor("deliveries", () => star.length === 10 && exact.length === 10 && full.length === 11);
    expect(star).toEqual(expected);
    expect(exact).toEqual(expected);
    expect(full).toEqual([...expected, "deep"]);
    // Nothing more arrives: the message crossed each route once (no route-to-route forwarding).
    await nc.flush();
    await nb.flush();
    expect(star.length + exact.length + full.length).toBe(31);
  });

  it("carries headers and request/reply across nodes", async () => {
    const [a, , c] = await threeNodes();
    const req = await conn(a);
    const rep = await conn(c);
    rep.subscribe("svc.echo", {
      callback: (_e, m) => {
        m.respond(`echo:${m.string()}:${m.headers?.get("X-Id") ?? ""}`);
      },
    });
    await syncInterest(rep, req);
    const { headers } = await import("@nats-io/transport-node");
    const h = headers();
    h.set("X-Id", "42");
    const answer = await req.request("svc.echo", "hi", { timeout: 5000, headers: h });
    expect(answer.string()).toBe("echo:hi:42");
  });

  it("spreads a queue group across nodes, exactly once, and prefers local members", async () => {
    const [a, b, c] = await threeNodes();
    const pa = await conn(a);
    const nb = await conn(b);
    const nc = await conn(c);
    const onB = [collect(nb, "work", "q"), collect(nb, "work", "q")];
    const onC = [collect(nc, "work", "q")];
    await syncInterest(nb, pa);
    await syncInterest(nc, pa);
    const n = 200;
    for (let i = 0; i < n; i++) pa.publish("work", String(i));
    await pa.flush();
    const all = () => [...onB, ...onC].flat();
    await waitFor("queue deliveries", () => all().length === n);
    await nb.flush();
    await nc.flush();
    expect(all().length).toBe(n);
    expect(new Set(all()).size).toBe(n);
    expect(onB.flat().length).toBeGreaterThan(0);
    expect(onC.flat().length).toBeGreaterThan(0);
    // A local member on A takes everything published on A.
    const onA = collect(pa, "work", "q");
    await pa.flush();
    const before = all().length;
    for (let i = 0; i < 50; i++) pa.publish("work", `local${i}`);
    await pa.flush();
    await waitFor("local queue deliveries", () => onA.length === 50);
    await nb.flush();
    await nc.flush();
    expect(all().length).toBe(before);
  });

  it("withdraws interest on unsubscribe and when a node goes away; a restarted node rejoins", async () => {
    const [a, b, c] = await threeNodes();
    const nb = await conn(b);
    const sub = nb.subscribe("gone.soon");
    await nb.flush();
    await waitFor("interest on A and C", () => hasInterest(a, "gone.soon") && hasInterest(c, "gone.soon"));
    sub.unsubscribe();
    await nb.flush();
    await waitFor("interest withdrawn", () => !hasInterest(a, "gone.soon") && !hasInterest(c, "gone.soon"));

    nb.subscribe("on.b");
    await nb.flush();
    await waitFor("interest on A", () => hasInterest(a, "on.b"));
    await b.close();
    servers.splice(servers.indexOf(b), 1);
    await waitRoutes(a, 1);
    await waitRoutes(c, 1);
    expect(hasInterest(a, "on.b")).toBe(false);

    // A new B knowing only C: A learns of it through C's gossip.
    const b2 = await node([routeUrl(c)]);
    for (const s of [a, b2, c]) await waitRoutes(s, 2);
    const pa = await conn(a);
    const nb2 = await conn(b2);
    const got = collect(nb2, "after.restart");
    await syncInterest(nb2, pa);
    pa.publish("after.restart", "back");
    await pa.flush();
    await waitFor("delivery to restarted node", () => got.length === 1);
    expect(got).toEqual(["back"]);
  });

  it("redials a seed that restarts on the same cluster port, and the mesh heals", async () => {
    const [a, b, c] = await threeNodes();
    const seedPort = a.cluster!.port;
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    await waitRoutes(b, 1);
    await waitRoutes(c, 1);
    const a2 = await startNode([], { listen: `127.0.0.1:${seedPort}` });
    servers.push(a2);
    // b and c have explicit routes to the seed's address and redial it every second.
    for (const s of [a2, b, c]) await waitRoutes(s, 2);
    expect(new Set(a2.cluster!.routes.keys())).toEqual(new Set([b.serverId, c.serverId]));
    const pb = await conn(b);
    const na = await conn(a2);
    const got = collect(na, "healed");
    await syncInterest(na, pb);
    pb.publish("healed", "yes");
    await pb.flush();
    await waitFor("delivery to the restarted seed", () => got.length === 1);
    expect(got).toEqual(["yes"]);
  });

  it("advertises connect_urls to clients and they fail over to another node", async () => {
    const [a, b, c] = await threeNodes();
    const expected = [a, b, c].map((s) => `127.0.0.1:${s.port}`).sort();
    const nc = await conn(a, { reconnect: true, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    await waitFor("connect_urls in INFO", () => {
      const urls = (nc.info?.connect_urls ?? []).slice().sort();
      return JSON.stringify(urls) === JSON.stringify(expected);
    });
    const reconnected = (async () => {
      for await (const s of nc.status()) if (s.type === "reconnect") return s;
      return null;
    })();
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const status = await reconnected;
    expect(status?.type).toBe("reconnect");
    const other = await conn(b);
    const got = collect(other, "failover.check");
    await syncInterest(other, nc);
    nc.publish("failover.check", "ok");
    await nc.flush();
    await waitFor("message after failover", () => got.length === 1);
    expect([b.serverId, c.serverId]).toContain(nc.info?.server_id);
  });
});

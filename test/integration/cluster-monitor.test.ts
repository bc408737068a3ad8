// /routez and /leafz bodies for live peers: nats-server's field names, counts and subscriptions.

import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { leafzOf, routezOf } from "../../src/cluster/peer-z.js";
import type { NatsgateServer } from "../../src/index.js";
import {
  client,
  collect,
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

describe("routez / leafz", () => {
  it("describes each route with nats-server's fields and live counters", async () => {
    const a = await startNode();
    servers.push(a);
    const b = await startNode([routeUrl(a)]);
    servers.push(b);
    await waitRoutes(a, 1);
    await waitRoutes(b, 1);
    const na = await client(a.port);
    const nb = await client(b.port);
    clients.push(na, nb);
    const got = collect(nb, "mon.x");
    nb.subscribe("mon.q", { queue: "grp" });
    await syncInterest(nb, na);
    na.publish("mon.x", "12345");
    await na.flush();
    await waitFor("delivery", () => got.length === 1);
    const z = routezOf(a.serverId, a.cluster, { subs: true });
    expect(z).toMatchObject({ server_id: a.serverId, num_routes: 1 });
    const r = (z.routes as Record<string, unknown>[])[0]!;
    expect(r).toMatchObject({
      remote_id: b.serverId,
      did_solicit: false,
      is_configured: false,
      ip: "127.0.0.1",
    });
    expect(r.out_msgs).toBeGreaterThanOrEqual(2); // probe(s) and the message
    expect(r.subscriptions_list).toEqual(expect.arrayContaining(["mon.x", "mon.q grp"]));
    const zb = (routezOf(b.serverId, b.cluster).routes as Record<string, unknown>[])[0]!;
    expect(zb).toMatchObject({ remote_id: a.serverId, did_solicit: true, is_configured: true });
    expect(zb.subscriptions_list).toBeUndefined();
    expect(leafzOf(a.serverId, null)).toMatchObject({ leafnodes: 0, leafs: null });
    // The monitoring endpoints serve these bodies (not the empty shape) once routes run.
    expect(a.monitoring.routez()).toMatchObject({ server_id: a.serverId, num_routes: 1 });
    expect(b.monitoring.routez()).toMatchObject({ num_routes: 1 });
  });
});

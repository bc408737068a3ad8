// /connz over fake connections: sorting, paging, filters, the closed ring and nats-server's errors.

import { describe, expect, it } from "vitest";
import { ClosedConnections, MAX_SAVED_SUBS } from "../../../src/monitor/closed-connections.js";
import { connz } from "../../../src/monitor/connz.js";
import type { MonitoredConnection, MonitoredSubscription } from "../../../src/monitor/monitor-source.js";

const T0 = Date.UTC(2024, 0, 1);

function conn(
  cid: number,
  over: Partial<MonitoredConnection> & { subjects?: string[] } = {},
): MonitoredConnection {
  const subs = new Map<string, MonitoredSubscription>();
  (over.subjects ?? []).forEach((subject, i) => {
    subs.set(String(i + 1), {
      subject,
      queue: null,
      sid: String(i + 1),
      delivered: i,
      max: 0,
      client: { cid },
    });
  });
  return {
    cid,
    kind: "client",
    start: new Date(T0 + cid * 1000),
    lastActivity: T0 + cid * 1000 + 500,
    remoteAddress: "127.0.0.1",
    remotePort: 40000 + cid,
    rtt: 2,
    inMsgs: 0,
    outMsgs: 0,
    inBytes: 0,
    outBytes: 0,
    pendingBytes: 0,
    subs,
    opts: { name: `c${cid}`, lang: "test", version: "1" },
    user: undefined,
    account: { name: "$G" },
    ...over,
  };
}

const input = (connections: MonitoredConnection[], closed = new ClosedConnections()) => ({
  serverId: "SID",
  connections,
  closed: closed.list(),
  accountExists: (n: string) => n === "$G" || n === "A",
  now: T0 + 100_000,
});

const cids = (r: Record<string, unknown>) => (r.connections as { cid: number }[]).map((c) => c.cid);

describe("connz", () => {
  it("fills ConnInfo in nats-server's field order with Go time and duration spellings", () => {
    const r = connz(input([conn(3, { subjects: ["a", "b"] })]), { subs: true });
    const ci = (r.connections as Record<string, unknown>[])[0]!;
    expect(Object.keys(ci)).toEqual([
      "cid",
      "kind",
      "type",
      "ip",
      "port",
      "start",
      "last_activity",
      "rtt",
      "uptime",
      "idle",
      "pending_bytes",
      "in_msgs",
      "out_msgs",
      "in_bytes",
      "out_bytes",
      "subscriptions",
      "name",
      "lang",
      "version",
      "subscriptions_list",
    ]);
    expect(ci).toMatchObject({ kind: "Client", type: "nats", rtt: "2ms", uptime: "1m37s", idle: "1m36s" });
    expect(ci.start).toBe("2024-01-01T00:00:03Z");
  });

  it("sorts descending by counters, ascending by cid, and pages with offset and limit", () => {
    const list = [
      conn(1, { outMsgs: 5 }),
      conn(2, { outMsgs: 9 }),
      conn(3, { outMsgs: 1, subjects: ["x", "y", "z"] }),
    ];
    expect(cids(connz(input(list), { sort: "msgs_to" }))).toEqual([2, 1, 3]);
    expect(cids(connz(input(list), { sort: "subs" }))).toEqual([3, 1, 2]);
    expect(cids(connz(input([...list].reverse())))).toEqual([1, 2, 3]);
    const page = connz(input(list), { offset: 1, limit: 1 });
    expect(page).toMatchObject({ num_connections: 1, total: 3, offset: 1, limit: 1 });
    expect(cids(page)).toEqual([2]);
    expect(cids(connz(input(list), { offset: 10 }))).toEqual([]);
  });

  it("finds one connection by cid and filters by account and user", () => {
    const list = [conn(1, { user: "bob" }), conn(2, { account: { name: "A" } })];
    expect(cids(connz(input(list), { cid: 2 }))).toEqual([2]);
    expect(connz(input(list), { cid: 2 }).limit).toBe(1);
    expect(cids(connz(input(list), { acc: "A", auth: true }))).toEqual([2]);
    expect(
      (connz(input(list), { acc: "A", auth: true }).connections as { account?: string }[])[0]!.account,
    ).toBe("A");
    expect(cids(connz(input(list), { user: "bob", auth: true }))).toEqual([1]);
    // nats-server answers an unknown account before it fills in its id.
    expect(connz(input(list), { acc: "nope" })).toMatchObject({ server_id: "", connections: null });
  });

  it("reports closed connections with stop and reason, sortable by both", () => {
    const ring = new ClosedConnections(10);
    ring.record(conn(7, { subjects: ["s"] }), "Client Closed", T0 + 20_000);
    ring.record(conn(8), "Stale Connection", T0 + 30_000);
    const r = connz(input([conn(1)], ring), { state: "closed", sort: "stop", subs: true });
    expect(cids(r)).toEqual([8, 7]);
    const seven = (r.connections as Record<string, unknown>[])[1]!;
    expect(seven).toMatchObject({
      reason: "Client Closed",
      stop: "2024-01-01T00:00:20Z",
      uptime: "13s",
      subscriptions_list: ["s"],
    });
    expect(cids(connz(input([conn(1)], ring), { state: "closed", sort: "reason" }))).toEqual([7, 8]);
    expect(cids(connz(input([conn(1)], ring), { state: "all" }))).toEqual([1, 7, 8]);
  });

  it("refuses invalid sorts with nats-server's texts", () => {
    expect(() => connz(input([]), { sort: "bogus" })).toThrow("invalid sorting option: bogus");
    expect(() => connz(input([]), { sort: "reason" })).toThrow(
      "sort by reason only valid on closed connections",
    );
  });
});

describe("ClosedConnections", () => {
  it("keeps the newest `capacity` entries, oldest first", () => {
    const ring = new ClosedConnections(3);
    for (let cid = 1; cid <= 5; cid++) ring.record(conn(cid), "Client Closed", T0 + cid);
    expect(ring.list().map((c) => c.cid)).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
  });

  it("bounds the subscriptions it keeps per connection, and records nothing with capacity 0", () => {
    const many = Array.from({ length: MAX_SAVED_SUBS + 10 }, (_, i) => `s.${i}`);
    const ring = new ClosedConnections(2);
    ring.record(conn(1, { subjects: many }), "Client Closed");
    expect(ring.list()[0]!.subs).toHaveLength(MAX_SAVED_SUBS);
    expect(ring.list()[0]!.numSubs).toBe(MAX_SAVED_SUBS + 10);
    const off = new ClosedConnections(0);
    off.record(conn(1), "Client Closed");
    expect(off.list()).toEqual([]);
  });
});

// Queue groups, request/reply, no responders, headers, drain and auto-unsubscribe through nats.js.

import { headers, type Msg, type NatsConnection, RequestError } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { useServer, waitUntil } from "../helpers/server.js";

describe("queue groups", () => {
  const t = useServer();

  it("gives each message to exactly one member of each group, spread over the members", async () => {
    const n = 1000;
    const members = await Promise.all(Array.from({ length: 6 }, () => t.connect()));
    // Group "workers": 4 members on 4 connections; group "audit": 2 members; plus one plain subscriber.
    const workers = members.slice(0, 4).map((nc) => collectIds(nc, "jobs.*", "workers"));
    const audit = members.slice(4).map((nc) => collectIds(nc, "jobs.>", "audit"));
    const plain = collectIds(members[0], "jobs.*");
    await Promise.all(members.map((nc) => nc.flush()));

    const pub = await t.connect();
    for (let i = 0; i < n; i++) pub.publish(`jobs.${i % 10}`, String(i));
    await pub.flush();
    await Promise.all(members.map((nc) => nc.flush()));

    const all = Array.from({ length: n }, (_, i) => i);
    const union = (ids: number[][]) => ids.flat().sort((a, b) => a - b);
    expect(union(workers)).toEqual(all);
    expect(union(audit)).toEqual(all);
    expect(plain).toEqual(all);
    // 250 expected per worker (binomial sd ~14): 150 is far outside chance, and catches "all to one member".
    for (const ids of workers) expect(ids.length).toBeGreaterThan(150);
    for (const ids of audit) expect(ids.length).toBeGreaterThan(380);
  });

  it("keeps delivering to the remaining members when one leaves", async () => {
    const a = await t.connect();
    const b = await t.connect();
    const gotA = collectIds(a, "q", "g");
    const gotB = collectIds(b, "q", "g");
    await a.flush();
    await b.flush();
    await a.close();
    const pub = await t.connect();
    for (let i = 0; i < 50; i++) pub.publish("q", String(i));
    await pub.flush();
    await b.flush();
    expect(gotA.length + gotB.length).toBe(50);
    expect(gotB).toHaveLength(50);
  });
});

describe("request and reply", () => {
  const t = useServer();

  it("answers requests through a responder on another connection, concurrently", async () => {
    const svc = await t.connect();
    svc.subscribe("svc.upper", {
      callback: (_e, m) => {
        m.respond(m.string().toUpperCase());
      },
    });
    await svc.flush();
    const client = await t.connect();
    const replies = await Promise.all(
      ["alpha", "beta", "gamma"].map((w) => client.request("svc.upper", w, { timeout: 2000 })),
    );
    expect(replies.map((m) => m.string())).toEqual(["ALPHA", "BETA", "GAMMA"]);
  });

  it("reports no responders at once when nobody listens", async () => {
    const client = await t.connect();
    const started = Date.now();
    const err = await client.request("nobody.home", "?", { timeout: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).isNoResponders()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("round-trips headers, multi-valued keys and a status line", async () => {
    const nc = await t.connect();
    const received: Msg[] = [];
    nc.subscribe("hdr", {
      callback: (_e, m) => {
        received.push(m);
      },
    });
    const h = headers();
    h.append("X-Multi", "one");
    h.append("X-Multi", "two");
    h.set("X-Single", "value with spaces");
    nc.publish("hdr", "body", { headers: h });
    const status = headers(408, "Request Timeout");
    status.set("X-Why", "test");
    nc.publish("hdr", "", { headers: status });
    await nc.flush();

    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect(first.string()).toBe("body");
    expect(first.headers?.values("X-Multi")).toEqual(["one", "two"]);
    expect(first.headers?.get("X-Single")).toBe("value with spaces");
    expect(second.headers?.code).toBe(408);
    expect(second.headers?.description).toBe("Request Timeout");
    expect(second.headers?.get("X-Why")).toBe("test");
    expect(second.data.length).toBe(0);
  });

  it("passes headers on requests and replies", async () => {
    const svc = await t.connect();
    svc.subscribe("svc.echo", {
      callback: (_e, m) => {
        const h = headers();
        h.set("X-Seen", m.headers?.get("X-Trace") ?? "none");
        m.respond("ok", { headers: h });
      },
    });
    await svc.flush();
    const client = await t.connect();
    const h = headers();
    h.set("X-Trace", "abc-123");
    const reply = await client.request("svc.echo", "", { timeout: 2000, headers: h });
    expect(reply.headers?.get("X-Seen")).toBe("abc-123");
  });
});

describe("drain and auto-unsubscribe", () => {
  const t = useServer();

  it("drains a subscription: everything published before is processed, then it closes", async () => {
    const subC = await t.connect();
    const pubC = await t.connect();
    let processed = 0;
    const sub = subC.subscribe("drain.me", {
      callback: () => {
        processed++;
      },
    });
    await subC.flush();
    for (let i = 0; i < 500; i++) pubC.publish("drain.me", "x");
    await pubC.flush();
    await sub.drain();
    expect(processed).toBe(500);
    expect(sub.isClosed()).toBe(true);
    pubC.publish("drain.me", "late");
    await pubC.flush();
    await subC.flush();
    expect(processed).toBe(500);
  });

  it("drains a connection: pending messages are handled and the server drops the client", async () => {
    const subC = await t.connect();
    let processed = 0;
    subC.subscribe("bye", {
      callback: () => {
        processed++;
      },
    });
    await subC.flush();
    const pubC = await t.connect();
    for (let i = 0; i < 100; i++) pubC.publish("bye", "x");
    await pubC.flush();
    await subC.drain();
    expect(processed).toBe(100);
    expect(subC.isClosed()).toBe(true);
    await waitUntil(() => t.server.clients.size === 1, "the server to drop the drained client");
  });

  it("auto-unsubscribes after max messages, on the server too", async () => {
    const nc = await t.connect();
    const sub = collectIds(nc, "limited", undefined, 3);
    for (let i = 0; i < 10; i++) nc.publish("limited", String(i));
    await nc.flush();
    expect(sub).toEqual([0, 1, 2]);
    // The server itself stopped at 3 (nats.js would also drop extras, so count what the server sent).
    expect(t.server.stats.outMsgs).toBe(3);
    expect(serverSubs(t.server.clients)).toBe(0);
  });

  it("unsubscribe(max) after some deliveries counts those already delivered", async () => {
    const nc = await t.connect();
    const ids: number[] = [];
    const sub = nc.subscribe("later", {
      callback: (_e, m) => {
        ids.push(Number(m.string()));
      },
    });
    nc.publish("later", "0");
    nc.publish("later", "1");
    await nc.flush();
    sub.unsubscribe(5);
    for (let i = 2; i < 10; i++) nc.publish("later", String(i));
    await nc.flush();
    expect(ids).toEqual([0, 1, 2, 3, 4]);
    expect(t.server.stats.outMsgs).toBe(5);
    expect(serverSubs(t.server.clients)).toBe(0);
  });
});

/** Subscribes and returns the live list of message payloads as numbers. */
function collectIds(nc: NatsConnection, subject: string, queue?: string, max?: number): number[] {
  const ids: number[] = [];
  nc.subscribe(subject, {
    queue,
    max,
    callback: (_e, m) => {
      ids.push(Number(m.string()));
    },
  });
  return ids;
}

function serverSubs(clients: Map<number, { subs: Map<string, unknown> }>): number {
  let n = 0;
  for (const c of clients.values()) n += c.subs.size;
  return n;
}

// Core publish/subscribe through the official nats.js client: delivery, wildcards, echo, flush, ordering and
// fan-out to many connections.

import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { useServer, within } from "../helpers/server.js";

/** Subscribes with a callback that records subject and text of each message. */
function record(nc: NatsConnection, subject: string, opts: { queue?: string; max?: number } = {}) {
  const got: { subject: string; data: string }[] = [];
  const sub = nc.subscribe(subject, {
    ...opts,
    callback: (_err, m: Msg) => {
      got.push({ subject: m.subject, data: m.string() });
    },
  });
  return { sub, got };
}

describe("publish and subscribe", () => {
  const t = useServer();

  it("delivers published messages to a subscriber on another connection", async () => {
    const subC = await t.connect();
    const pubC = await t.connect();
    const { got } = record(subC, "greet");
    await subC.flush();
    for (const w of ["a", "b", "c"]) pubC.publish("greet", w);
    await pubC.flush();
    await subC.flush();
    expect(got).toEqual([
      { subject: "greet", data: "a" },
      { subject: "greet", data: "b" },
      { subject: "greet", data: "c" },
    ]);
  });

  it("matches `*` to exactly one token and `>` to one or more", async () => {
    const nc = await t.connect();
    const star = record(nc, "a.*");
    const tail = record(nc, "a.>");
    const lead = record(nc, "*.b");
    const all = record(nc, ">");
    const mid = record(nc, "a.*.c");
    for (const s of ["a", "a.b", "a.b.c", "x.b", "a.bb.c", "b.a"]) nc.publish(s, s);
    await nc.flush();
    const subjects = (r: { got: { subject: string }[] }) => r.got.map((m) => m.subject);
    expect(subjects(star)).toEqual(["a.b"]);
    expect(subjects(tail)).toEqual(["a.b", "a.b.c", "a.bb.c"]);
    expect(subjects(lead)).toEqual(["a.b", "x.b"]);
    expect(subjects(all)).toEqual(["a", "a.b", "a.b.c", "x.b", "a.bb.c", "b.a"]);
    expect(subjects(mid)).toEqual(["a.b.c", "a.bb.c"]);
  });

  it("stops delivering after unsubscribe", async () => {
    const nc = await t.connect();
    const r = record(nc, "u");
    nc.publish("u", "1");
    await nc.flush();
    r.sub.unsubscribe();
    nc.publish("u", "2");
    await nc.flush();
    expect(r.got.map((m) => m.data)).toEqual(["1"]);
    expect([...t.server.clients.values()][0].subs.size).toBe(0);
  });

  it("does not echo a noEcho client's own messages back to it, but delivers them to others", async () => {
    const quiet = await t.connect({ noEcho: true });
    const other = await t.connect();
    const own = record(quiet, "echo");
    const seen = record(other, "echo");
    await quiet.flush();
    await other.flush();
    quiet.publish("echo", "from-quiet");
    await quiet.flush();
    other.publish("echo", "from-other");
    await other.flush();
    await quiet.flush();
    expect(own.got.map((m) => m.data)).toEqual(["from-other"]);
    expect(seen.got.map((m) => m.data)).toEqual(["from-quiet", "from-other"]);
  });

  it("echoes to the publisher's own subscription by default", async () => {
    const nc = await t.connect();
    const r = record(nc, "self");
    nc.publish("self", "me");
    await nc.flush();
    expect(r.got.map((m) => m.data)).toEqual(["me"]);
  });

  it("flush resolves only after the server has processed everything published before it", async () => {
    const nc = await t.connect();
    const before = t.server.stats.inMsgs;
    for (let i = 0; i < 1000; i++) nc.publish("nobody.listens", "x");
    await nc.flush();
    expect(t.server.stats.inMsgs - before).toBe(1000);
  });

  it("keeps the order of 10,000 messages from one publisher", async () => {
    const subC = await t.connect();
    const pubC = await t.connect();
    const n = 10_000;
    const seen: number[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    subC.subscribe("seq", {
      callback: (_e, m) => {
        seen.push(Number(m.string()));
        if (seen.length === n) resolveDone();
      },
    });
    await subC.flush();
    for (let i = 0; i < n; i++) pubC.publish("seq", String(i));
    await pubC.flush();
    await within(done, "10,000 messages", 10_000);
    const outOfOrder = seen.findIndex((v, i) => v !== i);
    expect(outOfOrder).toBe(-1);
    expect(seen.length).toBe(n);
  });

  it("fans out every message to many subscribing connections", async () => {
    const subscribers = await Promise.all(Array.from({ length: 25 }, () => t.connect()));
    const records = subscribers.map((nc) => record(nc, "fan.*"));
    await Promise.all(subscribers.map((nc) => nc.flush()));
    const pubC = await t.connect();
    for (let i = 0; i < 200; i++) pubC.publish(`fan.${i % 3}`, String(i));
    await pubC.flush();
    await Promise.all(subscribers.map((nc) => nc.flush()));
    const expected = Array.from({ length: 200 }, (_, i) => String(i));
    for (const r of records) expect(r.got.map((m) => m.data)).toEqual(expected);
    expect(t.server.stats.outMsgs).toBe(25 * 200);
  });

  it("carries binary payloads unchanged", async () => {
    const nc = await t.connect();
    const payload = new Uint8Array(70_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 13) & 0xff;
    let got: Uint8Array | null = null;
    nc.subscribe("bin", {
      callback: (_e, m) => {
        got = m.data;
      },
    });
    nc.publish("bin", payload);
    await nc.flush();
    expect(got).not.toBeNull();
    expect(Buffer.from(got!).equals(Buffer.from(payload))).toBe(true);
  });
});

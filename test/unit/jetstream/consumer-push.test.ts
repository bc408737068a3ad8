// Push consumers: delivery to the deliver subject, queue groups, flow control, idle heartbeats, the rate
// limit, max_ack_pending, interest (waiting for a subscriber, ephemerals deleted when it goes), updates.

import { afterEach, describe, expect, it } from "vitest";
import {
  ackInfo,
  createHarness,
  type Harness,
  removeHarnessDir,
  settle,
  waitFor,
} from "./consumer-harness.js";

let h: Harness;
afterEach(() => {
  h?.close();
  if (h) removeHarnessDir(h);
});

function stream(extra: Record<string, unknown> = {}): void {
  h = createHarness();
  const r = h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage: "memory", ...extra });
  expect(r.error).toBeUndefined();
}

function consumer(config: Record<string, unknown>, name = "P"): Record<string, unknown> {
  const durable =
    config.durable_name === undefined && config.name === undefined ? { durable_name: name } : {};
  return h.api(`$JS.API.CONSUMER.CREATE.S.${name}`, { stream_name: "S", config: { ...durable, ...config } });
}

describe("push delivery", () => {
  it("delivers to the deliver subject with the message subject and ack reply", async () => {
    stream();
    const d = h.collect("deliver.p");
    consumer({ deliver_subject: "deliver.p", ack_policy: "explicit" });
    h.pub("s.a", "one");
    h.pub("s.b", "two");
    await waitFor(() => d.msgs.length === 2);
    expect(d.msgs.map((m) => [m.subject, m.payload.toString(), ackInfo(m.reply).sseq])).toEqual([
      ["s.a", "one", 1],
      ["s.b", "two", 2],
    ]);
    const i = h.api("$JS.API.CONSUMER.INFO.S.P") as { push_bound?: boolean; num_ack_pending: number };
    expect(i.push_bound).toBe(true);
    expect(i.num_ack_pending).toBe(2);
  });

  it("deliver_group: each message goes to one member of the queue group", async () => {
    stream();
    const a = h.collect("deliver.q", "workers");
    const b = h.collect("deliver.q", "workers");
    consumer({ deliver_subject: "deliver.q", deliver_group: "workers", ack_policy: "explicit" });
    for (let i = 0; i < 40; i++) h.pub("s.a", `m${i}`);
    await waitFor(() => a.msgs.length + b.msgs.length === 40);
    const seen = [...a.msgs, ...b.msgs].map((m) => ackInfo(m.reply).sseq).sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(a.msgs.length).toBeGreaterThan(0);
    expect(b.msgs.length).toBeGreaterThan(0);
  });

  it("waits for a subscriber on the deliver subject, then delivers what is there", async () => {
    stream();
    consumer({ deliver_subject: "deliver.late", ack_policy: "explicit" });
    h.pub("s.a", "x");
    await settle();
    expect((h.api("$JS.API.CONSUMER.INFO.S.P") as { push_bound?: boolean }).push_bound).toBeUndefined();
    const d = h.collect("deliver.late");
    await waitFor(() => d.msgs.length === 1, 1000);
    expect(d.msgs[0]!.payload.toString()).toBe("x");
  });

  it("an ephemeral is deleted once its subscriber is gone for inactive_threshold", async () => {
    stream();
    const d = h.collect("deliver.e");
    const adv = h.collect("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.E");
    const r = h.api("$JS.API.CONSUMER.CREATE.S.E", {
      stream_name: "S",
      config: {
        name: "E",
        deliver_subject: "deliver.e",
        ack_policy: "none",
        inactive_threshold: 200_000_000,
      },
    });
    expect(r.error).toBeUndefined();
    h.pub("s.a", "x");
    await waitFor(() => d.msgs.length === 1);
    const gone = Date.now();
    d.unsubscribe();
    await waitFor(() => h.jsa.lookupStream("S")!.consumers.size === 0, 2000, "deletion");
    expect(Date.now() - gone).toBeGreaterThanOrEqual(190);
    expect(adv.msgs.length).toBe(1);
  });

  it("an ephemeral whose subscriber comes back in time is kept", async () => {
    stream();
    let d = h.collect("deliver.k");
    h.api("$JS.API.CONSUMER.CREATE.S.K", {
      stream_name: "S",
      config: {
        name: "K",
        deliver_subject: "deliver.k",
        ack_policy: "none",
        inactive_threshold: 300_000_000,
      },
    });
    d.unsubscribe();
    await new Promise((r) => setTimeout(r, 100));
    d = h.collect("deliver.k");
    await new Promise((r) => setTimeout(r, 500));
    expect(h.jsa.lookupStream("S")!.consumers.has("K")).toBe(true);
    h.pub("s.a", "still here");
    await waitFor(() => d.msgs.length === 1);
  });

  it("max_ack_pending pauses push delivery and acks resume it", async () => {
    stream();
    const d = h.collect("deliver.m");
    consumer({ deliver_subject: "deliver.m", ack_policy: "explicit", max_ack_pending: 3 });
    for (let i = 0; i < 6; i++) h.pub("s.a", `m${i}`);
    await waitFor(() => d.msgs.length === 3);
    await settle();
    expect(d.msgs.length).toBe(3);
    h.client.publish(d.msgs[0]!.reply!, null, null, Buffer.from("+ACK"));
    await waitFor(() => d.msgs.length === 4);
    for (const m of d.msgs.slice(1)) h.client.publish(m.reply!, null, null, Buffer.from("+ACK"));
    await waitFor(() => d.msgs.length === 6);
  });

  it("a new deliver subject on update redelivers what was not acknowledged", async () => {
    stream();
    const first = h.collect("deliver.one");
    consumer({ deliver_subject: "deliver.one", ack_policy: "explicit" });
    h.pub("s.a", "x");
    await waitFor(() => first.msgs.length === 1);
    first.unsubscribe();
    const second = h.collect("deliver.two");
    const r = consumer({ deliver_subject: "deliver.two", ack_policy: "explicit" });
    expect(r.error).toBeUndefined();
    await waitFor(() => second.msgs.length === 1);
    expect(ackInfo(second.msgs[0]!.reply)).toMatchObject({ sseq: 1, dc: 2 });
  });
});

describe("flow control and heartbeats", () => {
  it("sends idle heartbeats with the last sequences when nothing is delivered", async () => {
    stream();
    const d = h.collect("deliver.hb");
    consumer({ deliver_subject: "deliver.hb", ack_policy: "none", idle_heartbeat: 100_000_000 });
    h.pub("s.a", "x");
    await waitFor(() => d.statuses().length >= 2, 2000);
    const hb = d.statuses()[0]!;
    expect([hb.status, hb.description]).toEqual([100, "Idle Heartbeat"]);
    expect(hb.hdr).toEqual({ "Nats-Last-Consumer": "1", "Nats-Last-Stream": "1" });
    expect(hb.at - d.data()[0]!.at).toBeGreaterThanOrEqual(90);
  });

  it("asks for flow control past half the window and stops at the window until answered", async () => {
    stream();
    const d = h.collect("deliver.fc");
    consumer({
      deliver_subject: "deliver.fc",
      ack_policy: "none",
      flow_control: true,
      idle_heartbeat: 1_000_000_000,
    });
    const payload = Buffer.alloc(64 * 1024, 120);
    // 48 x 64 KiB = 3 MiB, more than the first 2 MiB window.
    for (let i = 0; i < 48; i++) h.pub("s.a", payload);
    await waitFor(() => d.statuses().length >= 1);
    await settle();
    const fc = d.statuses()[0]!;
    expect([fc.status, fc.description]).toEqual([100, "FlowControl Request"]);
    expect(fc.reply).toMatch(/^\$JS\.FC\.S\.P\.[0-9A-Za-z]{4}$/);
    const before = d.data().length;
    expect(before).toBeGreaterThan(16);
    expect(before).toBeLessThan(48);
    h.client.publish(fc.reply!, null, null, Buffer.alloc(0));
    await waitFor(() => d.data().length === 48, 2000);
  });

  it("the rate limit spaces deliveries (bits per second)", async () => {
    stream({ max_msg_size: 2000 });
    const d = h.collect("deliver.rl");
    // 80 000 bits/s = 10 000 bytes/s with a burst of one 2000-byte message.
    consumer({ deliver_subject: "deliver.rl", ack_policy: "none", rate_limit_bps: 80_000 });
    const start = Date.now();
    for (let i = 0; i < 6; i++) h.pub("s.a", Buffer.alloc(1000, 97));
    await waitFor(() => d.msgs.length === 6, 3000);
    // ~1050 bytes each: about 6300 bytes, 2000 of them free.
    expect(d.msgs[5]!.at - start).toBeGreaterThanOrEqual(350);
  });
});

describe("a durable push consumer whose subscriber leaves", () => {
  it("keeps new messages (ack none) for when a subscriber comes back", async () => {
    stream();
    let d = h.collect("deliver.d");
    consumer({ deliver_subject: "deliver.d", ack_policy: "none" });
    h.pub("s.a", "one");
    await waitFor(() => d.msgs.length === 1);
    d.unsubscribe();
    expect((h.api("$JS.API.CONSUMER.INFO.S.P") as { push_bound?: boolean }).push_bound).toBeUndefined();
    h.pub("s.a", "two");
    await settle();
    d = h.collect("deliver.d");
    await waitFor(() => d.msgs.length === 1, 1000);
    expect(d.msgs[0]!.payload.toString()).toBe("two");
    expect(ackInfo(d.msgs[0]!.reply)).toMatchObject({ sseq: 2, dseq: 2 });
  });
});

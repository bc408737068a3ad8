// Pull consumers: batches, no_wait, expires, idle heartbeats, max_bytes, max_waiting, request limits,
// round-robin between requests, max_ack_pending back-pressure, requests dropped when nobody listens.

import { afterEach, describe, expect, it } from "vitest";
import { parseNextRequest, WaitQueue } from "../../../src/jetstream/consumer-pull.js";
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

function setup(config: Record<string, unknown> = {}, messages = 0): void {
  h = createHarness();
  h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage: "memory" });
  for (let i = 0; i < messages; i++) h.pub("s.a", `m${i}`);
  const r = h.api("$JS.API.CONSUMER.CREATE.S.C", {
    stream_name: "S",
    config: { durable_name: "C", ack_policy: "explicit", ...config },
  });
  expect(r.error).toBeUndefined();
}

function pull(inbox: string, body: unknown): void {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  h.client.publish("$JS.API.CONSUMER.MSG.NEXT.S.C", inbox, null, Buffer.from(payload));
}

describe("pull requests", () => {
  it("delivers a batch to the request's reply with the message's own subject", async () => {
    setup({}, 5);
    const c = h.collect("in.1");
    pull("in.1", { batch: 3 });
    await waitFor(() => c.msgs.length === 3);
    expect(c.msgs.map((m) => m.subject)).toEqual(["s.a", "s.a", "s.a"]);
    expect(c.msgs.map((m) => m.payload.toString())).toEqual(["m0", "m1", "m2"]);
    expect(c.msgs.map((m) => ackInfo(m.reply))).toMatchObject([
      { dc: 1, sseq: 1, dseq: 1, pending: 4 },
      { dc: 1, sseq: 2, dseq: 2, pending: 3 },
      { dc: 1, sseq: 3, dseq: 3, pending: 2 },
    ]);
  });

  it("an empty request and a plain number are batches of one and of n", async () => {
    setup({}, 5);
    const c = h.collect("in.*");
    pull("in.1", "");
    pull("in.2", "2");
    await waitFor(() => c.msgs.length === 3);
    expect(c.msgs.map((m) => `${m.subject === "s.a" ? "" : "?"}${ackInfo(m.reply).sseq}`)).toEqual([
      "1",
      "2",
      "3",
    ]);
  });

  it("no_wait: 404 when nothing is there, 408 with what is left after a partial batch", async () => {
    setup({}, 2);
    const c = h.collect("in.*");
    pull("in.1", { batch: 5, no_wait: true });
    await waitFor(() => c.msgs.length === 3);
    const last = c.msgs[2]!;
    expect([last.status, last.description]).toEqual([408, "Request Timeout"]);
    expect(last.hdr).toEqual({ "Nats-Pending-Messages": "3", "Nats-Pending-Bytes": "0" });
    pull("in.2", { batch: 5, no_wait: true });
    await waitFor(() => c.msgs.length === 4);
    expect([c.msgs[3]!.status, c.msgs[3]!.description, c.msgs[3]!.subject]).toEqual([
      404,
      "No Messages",
      "in.2",
    ]);
  });

  it("no_wait behind other waiting requests gets 408 Requests Pending", async () => {
    setup({ max_ack_pending: 1 }, 3);
    const c = h.collect("in.*");
    pull("in.1", { batch: 10 });
    await waitFor(() => c.data().length === 1);
    pull("in.2", { batch: 1, no_wait: true });
    await waitFor(() => c.statuses().length === 1);
    expect(c.statuses()[0]).toMatchObject({ subject: "in.2", status: 408, description: "Requests Pending" });
  });

  it("expires: 408 Request Timeout with the pending counts when time runs out", async () => {
    setup({}, 1);
    const c = h.collect("in.1");
    const start = Date.now();
    pull("in.1", { batch: 4, expires: 150_000_000 });
    await waitFor(() => c.msgs.length === 2);
    expect(c.msgs[0]!.payload.toString()).toBe("m0");
    expect(c.msgs[1]).toMatchObject({
      status: 408,
      hdr: { "Nats-Pending-Messages": "3", "Nats-Pending-Bytes": "0" },
    });
    expect(c.msgs[1]!.at - start).toBeGreaterThanOrEqual(140);
  });

  it("sends 100 Idle Heartbeat with the last sequences while a request waits", async () => {
    setup({}, 2);
    const c = h.collect("in.*");
    pull("in.0", { batch: 2 });
    await waitFor(() => c.msgs.length === 2);
    pull("in.1", { batch: 1, expires: 500_000_000, idle_heartbeat: 100_000_000 });
    await waitFor(() => c.msgs.filter((m) => m.status === 100).length >= 2, 2000, "two heartbeats");
    const hb = c.msgs.find((m) => m.status === 100)!;
    expect(hb.description).toBe("Idle Heartbeat");
    expect(hb.hdr).toEqual({ "Nats-Last-Consumer": "2", "Nats-Last-Stream": "2" });
    h.pub("s.a", "late");
    await waitFor(() => c.data().length === 3);
    expect(c.data()[2]!.payload.toString()).toBe("late");
  });

  it("answers bad requests with 400 and limits with 409, as nats-server words them", async () => {
    setup({ max_batch: 5, max_expires: 1_000_000_000, max_bytes: 100 });
    const c = h.collect("in.*");
    pull("in.1", { batch: 6 });
    pull("in.2", { batch: 1, expires: 2_000_000_000 });
    pull("in.3", { batch: 1, max_bytes: 200 });
    pull("in.4", { batch: 1, idle_heartbeat: 1_000_000_000, expires: 1_500_000_000 });
    pull("in.5", { batch: "x" });
    await waitFor(() => c.msgs.length === 5);
    const text = (s: string) => {
      const m = c.msgs.find((x) => x.subject === s)!;
      return `${m.status} ${m.description}`;
    };
    expect(text("in.1")).toBe("409 Exceeded MaxRequestBatch of 5");
    expect(text("in.2")).toBe("409 Exceeded MaxRequestExpires of 1s");
    expect(text("in.3")).toBe("409 Exceeded MaxRequestMaxBytes of 100");
    expect(text("in.4")).toBe("400 Bad Request - heartbeat value too large");
    expect(text("in.5")).toBe(
      "400 Bad Request - json: cannot unmarshal string into Go struct field JSApiConsumerGetNextRequest.batch of type int",
    );
  });

  it("max_bytes: a message that does not fit ends the request with 409", async () => {
    setup({}, 0);
    h.pub("s.a", "x".repeat(100));
    const c = h.collect("in.1");
    pull("in.1", { batch: 3, max_bytes: 50, expires: 2_000_000_000 });
    await waitFor(() => c.msgs.length === 1);
    expect(c.msgs[0]).toMatchObject({
      status: 409,
      description: "Message Size Exceeds MaxBytes",
      hdr: { "Nats-Pending-Messages": "3", "Nats-Pending-Bytes": "50" },
    });
    // The message was not consumed: the next request gets it.
    const d = h.collect("in.2");
    pull("in.2", { batch: 1 });
    await waitFor(() => d.msgs.length === 1);
    expect(ackInfo(d.msgs[0]!.reply)).toMatchObject({ sseq: 1, dseq: 1, dc: 1 });
  });

  it("max_bytes: stops after the message that uses the budget up", async () => {
    setup({}, 3);
    const c = h.collect("in.1");
    // Each delivery counts subject + ack reply + payload bytes.
    pull("in.1", { batch: 10, max_bytes: 100, no_wait: true });
    await waitFor(() => c.msgs.length >= 3);
    expect(c.data().length).toBe(2);
    expect(c.msgs[2]).toMatchObject({ status: 409, description: "Message Size Exceeds MaxBytes" });
  });

  it("max_waiting: the request past the limit gets 409 Exceeded MaxWaiting", async () => {
    setup({ max_waiting: 2 });
    const c = h.collect("in.*");
    pull("in.1", { batch: 1, expires: 5_000_000_000 });
    pull("in.2", { batch: 1, expires: 5_000_000_000 });
    pull("in.3", { batch: 1, expires: 5_000_000_000 });
    await waitFor(() => c.msgs.length === 1);
    expect(c.msgs[0]).toMatchObject({ subject: "in.3", status: 409, description: "Exceeded MaxWaiting" });
    expect((h.api("$JS.API.CONSUMER.INFO.S.C") as { num_waiting: number }).num_waiting).toBe(2);
  });

  it("shares messages round-robin between waiting requests", async () => {
    setup({}, 0);
    const c = h.collect("in.*");
    pull("in.1", { batch: 3, expires: 5_000_000_000 });
    pull("in.2", { batch: 3, expires: 5_000_000_000 });
    for (let i = 0; i < 4; i++) h.pub("s.a", `n${i}`);
    await waitFor(() => c.data().length === 4);
    expect(c.data().map((m) => m.subject === "s.a" && m.payload.toString())).toEqual([
      "n0",
      "n1",
      "n2",
      "n3",
    ]);
  });

  it("forgets a request when its reply subject loses interest", async () => {
    setup({}, 0);
    const c = h.collect("in.1");
    pull("in.1", { batch: 2, expires: 5_000_000_000 });
    await settle();
    expect((h.api("$JS.API.CONSUMER.INFO.S.C") as { num_waiting: number }).num_waiting).toBe(1);
    c.unsubscribe();
    expect((h.api("$JS.API.CONSUMER.INFO.S.C") as { num_waiting: number }).num_waiting).toBe(0);
    // Nothing was delivered into the void: the message is still the first for the next request.
    h.pub("s.a", "kept");
    const d = h.collect("in.2");
    pull("in.2", { batch: 1 });
    await waitFor(() => d.msgs.length === 1);
    expect(d.msgs[0]!.payload.toString()).toBe("kept");
    expect(ackInfo(d.msgs[0]!.reply).dseq).toBe(1);
  });

  it("max_ack_pending stalls pull delivery until acks come in", async () => {
    setup({ max_ack_pending: 2 }, 5);
    const c = h.collect("in.1");
    pull("in.1", { batch: 5, expires: 5_000_000_000 });
    await waitFor(() => c.data().length === 2);
    await settle();
    expect(c.data().length).toBe(2);
    h.client.publish(c.data()[0]!.reply!, null, null, Buffer.from("+ACK"));
    await waitFor(() => c.data().length === 3);
    h.client.publish(c.data()[1]!.reply!, null, null, Buffer.from("+ACK"));
    h.client.publish(c.data()[2]!.reply!, null, null, Buffer.from("+ACK"));
    await waitFor(() => c.data().length === 5);
    expect(c.data().map((m) => ackInfo(m.reply).sseq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a push consumer answers pull requests with 409 Consumer is push based", async () => {
    h = createHarness();
    h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage: "memory" });
    h.api("$JS.API.CONSUMER.CREATE.S.P", {
      stream_name: "S",
      config: { durable_name: "P", ack_policy: "explicit", deliver_subject: "push.p" },
    });
    const c = h.collect("in.1");
    h.client.publish("$JS.API.CONSUMER.MSG.NEXT.S.P", "in.1", null, Buffer.alloc(0));
    await waitFor(() => c.msgs.length === 1);
    expect(c.msgs[0]).toMatchObject({ status: 409, description: "Consumer is push based" });
  });

  it("deleting the consumer releases waiting requests with 409 Consumer Deleted", async () => {
    setup({}, 0);
    const c = h.collect("in.*");
    pull("in.1", { batch: 1, expires: 5_000_000_000 });
    pull("in.2", { batch: 1 });
    await settle();
    expect((h.api("$JS.API.CONSUMER.DELETE.S.C") as { success: boolean }).success).toBe(true);
    expect(c.msgs.map((m) => `${m.subject} ${m.status} ${m.description}`)).toEqual([
      "in.1 409 Consumer Deleted",
      "in.2 409 Consumer Deleted",
    ]);
  });

  it("a request for an unknown consumer is not answered (as nats-server)", async () => {
    setup({}, 1);
    const c = h.collect("in.1");
    h.client.publish("$JS.API.CONSUMER.MSG.NEXT.S.nope", "in.1", null, Buffer.alloc(0));
    h.client.publish("$JS.API.CONSUMER.MSG.NEXT.T.C", "in.1", null, Buffer.alloc(0));
    await settle();
    expect(c.msgs).toEqual([]);
  });
});

describe("request parsing and the wait queue", () => {
  it("parses JSON requests with expiry and heartbeat in milliseconds", () => {
    const r = parseNextRequest(
      Buffer.from(
        '{"batch":5,"expires":2000000000,"idle_heartbeat":500000000,"no_wait":true,"max_bytes":10}',
      ),
      1000,
    );
    expect(r).toEqual({
      ok: true,
      batch: 5,
      maxBytes: 10,
      noWait: true,
      expires: 3000,
      heartbeat: 500,
      expiresNanos: 2e9,
    });
    expect(parseNextRequest(Buffer.from("  "), 0)).toMatchObject({ ok: true, batch: 1 });
    expect(parseNextRequest(Buffer.from("abc"), 0)).toMatchObject({ ok: true, batch: 1 });
    expect(parseNextRequest(Buffer.from('{"idle_heartbeat":1}'), 0)).toEqual({
      ok: false,
      error: "heartbeat value too large",
    });
  });

  it("moves a request that wants more to the back; drops it when done", () => {
    const q = new WaitQueue(3, 0);
    const req = (reply: string, n: number) => ({
      reply,
      n,
      d: 0,
      b: 0,
      expires: 0,
      received: 0,
      hb: 0,
      hbt: 0,
      noWait: false,
    });
    expect(q.add(req("a", 2))).toBe(true);
    expect(q.add(req("b", 1))).toBe(true);
    expect(q.add(req("c", 1))).toBe(true);
    expect(q.add(req("d", 1))).toBe(false);
    expect([q.pop()!.reply, q.pop()!.reply, q.pop()!.reply, q.pop()!.reply]).toEqual(["a", "b", "c", "a"]);
    expect(q.length).toBe(0);
    expect(q.pop()).toBeNull();
  });
});

// Acknowledgements: each ack kind, ack floors, ack all, double acks, +NXT, ack_wait redelivery with one
// timer, backoff, NAK delays, max_deliver with its advisory, terminate, malformed and forged acks.

import { afterEach, describe, expect, it } from "vitest";
import {
  ackInfo,
  createHarness,
  type Harness,
  type Received,
  removeHarnessDir,
  settle,
  waitFor,
} from "./consumer-harness.js";

let h: Harness;
afterEach(() => {
  h?.close();
  if (h) removeHarnessDir(h);
});

interface Info {
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number };
  num_ack_pending: number;
  num_redelivered: number;
  num_pending: number;
  num_waiting: number;
}

function setup(config: Record<string, unknown>, messages: number, retention = "limits"): void {
  h = createHarness();
  h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage: "memory", retention });
  for (let i = 0; i < messages; i++) h.pub("s.a", `m${i}`);
  const r = h.api("$JS.API.CONSUMER.CREATE.S.C", {
    stream_name: "S",
    config: { durable_name: "C", ...config },
  });
  expect(r.error).toBeUndefined();
}

const info = () => h.api("$JS.API.CONSUMER.INFO.S.C") as unknown as Info;
/** The sequence pair of delivered / ack_floor without last_active. */
const seqs = (p: { consumer_seq: number; stream_seq: number }) => ({
  consumer_seq: p.consumer_seq,
  stream_seq: p.stream_seq,
});

async function fetch(n: number, inbox = "in.f"): Promise<Received[]> {
  const c = h.collect(inbox);
  h.client.publish(
    "$JS.API.CONSUMER.MSG.NEXT.S.C",
    inbox,
    null,
    Buffer.from(JSON.stringify({ batch: n, no_wait: true })),
  );
  await waitFor(() => c.msgs.length >= n || c.statuses().length > 0);
  c.unsubscribe();
  return c.data();
}

function ack(m: Received, body = "+ACK", reply: string | null = null): void {
  h.client.publish(m.reply!, reply, null, Buffer.from(body));
}

describe("explicit acks", () => {
  it("moves the ack floor only over contiguous acks and counts pending", async () => {
    setup({ ack_policy: "explicit" }, 4);
    const msgs = await fetch(4);
    ack(msgs[1]!);
    let i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 0, stream_seq: 0 });
    expect(i.num_ack_pending).toBe(3);
    ack(msgs[0]!);
    i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 2, stream_seq: 2 });
    ack(msgs[3]!);
    ack(msgs[2]!);
    i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 4, stream_seq: 4 });
    expect(seqs(i.delivered)).toEqual({ consumer_seq: 4, stream_seq: 4 });
    expect(i.num_ack_pending).toBe(0);
    expect(i.num_pending).toBe(0);
  });

  it("answers an ack that has a reply subject (double ack), for every kind", async () => {
    setup({ ack_policy: "explicit" }, 3);
    const msgs = await fetch(3);
    const confirm = h.collect("confirm.*");
    ack(msgs[0]!, "+ACK", "confirm.1");
    ack(msgs[1]!, "-NAK", "confirm.2");
    ack(msgs[2]!, "+WPI", "confirm.3");
    expect(confirm.msgs.map((m) => [m.subject, m.payload.length])).toEqual([
      ["confirm.1", 0],
      ["confirm.2", 0],
      ["confirm.3", 0],
    ]);
  });

  it("+NXT acks and sends the next message to the ack's reply", async () => {
    setup({ ack_policy: "explicit" }, 3);
    const [first] = await fetch(1);
    const next = h.collect("next.1");
    ack(first!, "+NXT", "next.1");
    await waitFor(() => next.msgs.length === 1);
    expect(ackInfo(next.msgs[0]!.reply)).toMatchObject({ sseq: 2, dseq: 2 });
    expect(info().ack_floor.stream_seq).toBe(1);
    const more = h.collect("next.2");
    ack(next.msgs[0]!, '+NXT {"batch":2}', "next.2");
    await waitFor(() => more.msgs.length === 1);
    expect(ackInfo(more.msgs[0]!.reply).sseq).toBe(3);
  });

  it("-NAK redelivers at once with a higher delivery count", async () => {
    setup({ ack_policy: "explicit" }, 2);
    const msgs = await fetch(2);
    ack(msgs[0]!, "-NAK");
    const again = await fetch(1, "in.2");
    expect(ackInfo(again[0]!.reply)).toMatchObject({ dc: 2, sseq: 1, dseq: 3 });
    expect(info().num_redelivered).toBe(1);
  });

  it("-NAK with a delay redelivers after the delay, not before", async () => {
    setup({ ack_policy: "explicit", ack_wait: 5_000_000_000 }, 1);
    const [m] = await fetch(1);
    const start = Date.now();
    ack(m!, '-NAK {"delay": 200000000}');
    const c = h.collect("in.w");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.w",
      null,
      Buffer.from('{"batch":1,"expires":3000000000}'),
    );
    await waitFor(() => c.data().length === 1, 2000);
    const waited = c.data()[0]!.at - start;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1500);
    expect(ackInfo(c.data()[0]!.reply).dc).toBe(2);
  });

  it("+WPI restarts the ack wait", async () => {
    setup({ ack_policy: "explicit", ack_wait: 300_000_000 }, 1);
    const [m] = await fetch(1);
    const c = h.collect("in.w");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.w",
      null,
      Buffer.from('{"batch":1,"expires":3000000000}'),
    );
    const start = Date.now();
    let lastProgress = start;
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (Date.now() - start > 500) {
          clearInterval(t);
          resolve();
        } else {
          ack(m!, "+WPI");
          lastProgress = Date.now();
        }
      }, 100);
    });
    // Without the progress acks it would have come back after 300ms.
    expect(c.data()).toEqual([]);
    await waitFor(() => c.data().length === 1, 2000);
    expect(c.data()[0]!.at - lastProgress).toBeGreaterThanOrEqual(290);
  });

  it("+TERM stops redelivery and publishes the terminated advisory", async () => {
    setup({ ack_policy: "explicit", ack_wait: 100_000_000 }, 1);
    const adv = h.collect("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C");
    const [m] = await fetch(1);
    ack(m!, "+TERM");
    expect(adv.msgs.length).toBe(1);
    expect(JSON.parse(adv.msgs[0]!.payload.toString())).toMatchObject({
      type: "io.nats.jetstream.advisory.v1.terminated",
      stream: "S",
      consumer: "C",
      consumer_seq: 1,
      stream_seq: 1,
      deliveries: 1,
    });
    const c = h.collect("in.w");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.w",
      null,
      Buffer.from('{"batch":1,"expires":400000000}'),
    );
    await waitFor(() => c.msgs.length === 1, 2000);
    expect(c.msgs[0]!.status).toBe(408);
    expect(info().num_ack_pending).toBe(0);
  });

  it("ignores malformed and forged acks without changing anything", async () => {
    setup({ ack_policy: "explicit" }, 3, "workqueue");
    const msgs = await fetch(1);
    h.client.publish("$JS.ACK.S.C.1.x.1.0.0", null, null, Buffer.from("+ACK"));
    h.client.publish("$JS.ACK.S.C.1.2", null, null, Buffer.from("+ACK"));
    h.client.publish(msgs[0]!.reply!, null, null, Buffer.from("+BOGUS"));
    // Message 3 was never delivered: an ack for it must not let the workqueue drop it.
    h.client.publish("$JS.ACK.S.C.1.3.9.0.0", null, null, Buffer.from("+ACK"));
    await settle();
    expect(info().num_ack_pending).toBe(1);
    const stream = h.api("$JS.API.STREAM.INFO.S") as { state: { messages: number } };
    expect(stream.state.messages).toBe(3);
  });
});

describe("ack all and ack none", () => {
  it("ack all acknowledges everything up to the acked message", async () => {
    setup({ ack_policy: "all" }, 5);
    const msgs = await fetch(5);
    ack(msgs[2]!);
    let i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 3, stream_seq: 3 });
    expect(i.num_ack_pending).toBe(2);
    ack(msgs[1]!);
    expect(info().ack_floor.stream_seq).toBe(3);
    ack(msgs[4]!);
    i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 5, stream_seq: 5 });
    expect(i.num_ack_pending).toBe(0);
  });

  it("ack none counts deliveries as acknowledged and keeps nothing pending", async () => {
    setup({ ack_policy: "none" }, 3);
    await fetch(3);
    const i = info();
    expect(seqs(i.ack_floor)).toEqual({ consumer_seq: 3, stream_seq: 3 });
    expect(i.num_ack_pending).toBe(0);
  });
});

describe("redelivery", () => {
  it("redelivers after ack_wait with one timer for all pending messages", async () => {
    setup({ ack_policy: "explicit", ack_wait: 150_000_000 }, 3);
    const start = Date.now();
    const first = await fetch(3);
    ack(first[1]!);
    const c = h.collect("in.r");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.r",
      null,
      Buffer.from('{"batch":5,"expires":2000000000}'),
    );
    await waitFor(() => c.data().length === 2, 2000);
    expect(c.data().map((m) => ackInfo(m.reply))).toMatchObject([
      { dc: 2, sseq: 1, dseq: 4 },
      { dc: 2, sseq: 3, dseq: 5 },
    ]);
    expect(c.data()[0]!.at - start).toBeGreaterThanOrEqual(140);
    const i = info();
    expect(i.num_redelivered).toBe(2);
    expect(i.num_ack_pending).toBe(2);
  });

  it("follows the backoff list per delivery count", async () => {
    setup({ ack_policy: "explicit", backoff: [100_000_000, 400_000_000], max_deliver: 4 }, 1);
    expect((h.api("$JS.API.CONSUMER.INFO.S.C") as { config: { ack_wait: number } }).config.ack_wait).toBe(
      100_000_000,
    );
    const c = h.collect("in.b");
    const start = Date.now();
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.b",
      null,
      Buffer.from('{"batch":3,"expires":3000000000}'),
    );
    await waitFor(() => c.data().length === 3, 3000);
    const at = c.data().map((m) => m.at - start);
    // First redelivery after ~100ms, the next after a further ~400ms.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(90);
    expect(at[1]! - at[0]!).toBeLessThan(350);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(380);
  });

  it("stops at max_deliver and publishes the max deliveries advisory once", async () => {
    setup({ ack_policy: "explicit", ack_wait: 50_000_000, max_deliver: 2 }, 1);
    const adv = h.collect("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C");
    const c = h.collect("in.m");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.C",
      "in.m",
      null,
      Buffer.from('{"batch":5,"expires":600000000}'),
    );
    await waitFor(() => c.statuses().length === 1, 3000);
    expect(c.data().map((m) => ackInfo(m.reply).dc)).toEqual([1, 2]);
    expect(adv.msgs.length).toBe(1);
    expect(JSON.parse(adv.msgs[0]!.payload.toString())).toMatchObject({
      type: "io.nats.jetstream.advisory.v1.max_deliver",
      stream: "S",
      consumer: "C",
      stream_seq: 1,
      deliveries: 2,
    });
    expect(info().num_ack_pending).toBe(0);
  });
});

describe("interest and workqueue retention", () => {
  it("a workqueue stream drops a message when its consumer acks it", async () => {
    setup({ ack_policy: "explicit" }, 3, "workqueue");
    const msgs = await fetch(3);
    ack(msgs[0]!);
    ack(msgs[2]!);
    const st = (h.api("$JS.API.STREAM.INFO.S") as { state: { messages: number; first_seq: number } }).state;
    expect(st.messages).toBe(1);
    expect(st.first_seq).toBe(2);
  });

  it("an interest stream keeps a message until every consumer acked it", async () => {
    h = createHarness();
    h.api("$JS.API.STREAM.CREATE.S", {
      name: "S",
      subjects: ["s.*"],
      storage: "memory",
      retention: "interest",
    });
    for (const n of ["A", "B"]) {
      h.api(`$JS.API.CONSUMER.CREATE.S.${n}`, {
        stream_name: "S",
        config: { durable_name: n, ack_policy: "explicit" },
      });
    }
    h.pub("s.a", "x");
    const take = async (name: string) => {
      const c = h.collect(`in.${name}`);
      h.client.publish(`$JS.API.CONSUMER.MSG.NEXT.S.${name}`, `in.${name}`, null, Buffer.from("1"));
      await waitFor(() => c.msgs.length === 1);
      return c.msgs[0]!;
    };
    const a = await take("A");
    const b = await take("B");
    const messages = () => (h.api("$JS.API.STREAM.INFO.S") as { state: { messages: number } }).state.messages;
    ack(a);
    expect(messages()).toBe(1);
    ack(b);
    expect(messages()).toBe(0);
  });

  it("deleting a consumer of an interest stream releases what only it needed", async () => {
    h = createHarness();
    h.api("$JS.API.STREAM.CREATE.S", {
      name: "S",
      subjects: ["s.*"],
      storage: "memory",
      retention: "interest",
    });
    h.api("$JS.API.CONSUMER.CREATE.S.A", {
      stream_name: "S",
      config: { durable_name: "A", ack_policy: "explicit" },
    });
    h.pub("s.a", "x");
    h.pub("s.a", "y");
    expect((h.api("$JS.API.STREAM.INFO.S") as { state: { messages: number } }).state.messages).toBe(2);
    h.api("$JS.API.CONSUMER.DELETE.S.A");
    expect((h.api("$JS.API.STREAM.INFO.S") as { state: { messages: number } }).state.messages).toBe(0);
  });
});

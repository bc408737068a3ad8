// Pull consumers with the official @nats-io/jetstream client against natsgate: fetch, consume, next,
// ordered consumers, every ack kind, redelivery, max_deliver, max_ack_pending, info counters.

import { AckPolicy, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { useJetStream } from "./jetstream-stream-fixture.js";

const t = useJetStream();

async function streamWith(n: number, subjects = ["orders.>"], subject = "orders.new"): Promise<void> {
  await t.jsm.streams.add({ name: "ORDERS", subjects });
  for (let i = 0; i < n; i++) await t.js.publish(subject, `o${i}`);
}

async function durable(name: string, config: Record<string, unknown> = {}) {
  await t.jsm.consumers.add("ORDERS", { durable_name: name, ack_policy: AckPolicy.Explicit, ...config });
  return t.js.consumers.get("ORDERS", name);
}

async function collect(
  iter: AsyncIterable<JsMsg>,
  n: number,
  onMsg: (m: JsMsg) => void | Promise<void> = (m) => m.ack(),
) {
  const got: JsMsg[] = [];
  for await (const m of iter) {
    got.push(m);
    await onMsg(m);
    if (got.length >= n) break;
  }
  return got;
}

describe("pull consumers with the official client", () => {
  it("fetch returns a batch, next returns one, consume streams the rest", async () => {
    await streamWith(10);
    const c = await durable("worker");
    const batch = await collect(await c.fetch({ max_messages: 3, expires: 2000 }), 3);
    expect(batch.map((m) => m.string())).toEqual(["o0", "o1", "o2"]);
    expect(batch.map((m) => m.info.streamSequence)).toEqual([1, 2, 3]);
    expect(batch[0]!.info.pending).toBe(9);
    const one = await c.next({ expires: 2000 });
    expect(one?.string()).toBe("o3");
    one?.ack();
    const rest = await collect(await c.consume({ max_messages: 4 }), 6);
    expect(rest.map((m) => m.string())).toEqual(["o4", "o5", "o6", "o7", "o8", "o9"]);
    const info = await c.info();
    expect(info.delivered.stream_seq).toBe(10);
    expect(info.num_pending).toBe(0);
  });

  it("fetch on an empty consumer ends after expires with nothing", async () => {
    await streamWith(0);
    const c = await durable("idle");
    const start = Date.now();
    const got = await collect(await c.fetch({ max_messages: 5, expires: 1000 }), 5);
    expect(got).toEqual([]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
  });

  it("ordered pull consumer reads everything in order from a chosen start", async () => {
    await streamWith(20);
    const oc = await t.js.consumers.get("ORDERS", { opt_start_seq: 5 });
    const got = await collect(await oc.consume(), 16, () => {});
    expect(got.map((m) => m.info.streamSequence)).toEqual(Array.from({ length: 16 }, (_, i) => i + 5));
    expect(got.map((m) => m.info.deliverySequence)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it("ordered pull consumer with deliver last per subject", async () => {
    await t.jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    for (const s of ["a", "b", "a", "c", "b"]) await t.js.publish(`orders.${s}`, s);
    const oc = await t.js.consumers.get("ORDERS", { deliver_policy: DeliverPolicy.LastPerSubject });
    const got = await collect(await oc.consume(), 3, () => {});
    expect(got.map((m) => `${m.subject}@${m.info.streamSequence}`)).toEqual([
      "orders.a@3",
      "orders.c@4",
      "orders.b@5",
    ]);
  });

  it("each ack kind: ack, ackAck, nak, nak with delay, working, term", async () => {
    await streamWith(4);
    const c = await durable("acks", { ack_wait: 2_000_000_000 });
    const [a, b, n, tm] = await collect(await c.fetch({ max_messages: 4, expires: 2000 }), 4, () => {});
    a!.ack();
    expect(await b!.ackAck()).toBe(true);
    const delayed = Date.now();
    n!.nak(300);
    tm!.term();
    const again = await c.next({ expires: 3000 });
    expect(again?.string()).toBe("o2");
    expect(again?.info.deliveryCount).toBe(2);
    expect(Date.now() - delayed).toBeGreaterThanOrEqual(280);
    again!.working();
    again!.nak();
    const third = await c.next({ expires: 2000 });
    expect(third?.info.deliveryCount).toBe(3);
    await third!.ackAck();
    const info = await c.info();
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(4);
    expect(info.num_redelivered).toBe(0);
  });

  it("redelivers after ack_wait and stops at max_deliver with an advisory", async () => {
    await streamWith(1);
    const advisories = t.nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.redo");
    const c = await durable("redo", { ack_wait: 200_000_000, max_deliver: 3 });
    const got = await collect(await c.consume({ max_messages: 10, expires: 1000 }), 3, () => {});
    expect(got.map((m) => m.info.deliveryCount)).toEqual([1, 2, 3]);
    expect(got.map((m) => m.info.streamSequence)).toEqual([1, 1, 1]);
    // The limit is noticed when the next delivery would be made: a waiting request gets nothing.
    const none = await collect(await c.fetch({ max_messages: 1, expires: 1000 }), 1);
    expect(none).toEqual([]);
    for await (const m of advisories) {
      expect(m.json()).toMatchObject({
        type: "io.nats.jetstream.advisory.v1.max_deliver",
        stream_seq: 1,
        deliveries: 3,
      });
      break;
    }
    const info = await c.info();
    expect(info.num_redelivered).toBe(1);
    expect(info.num_ack_pending).toBe(0);
  });

  it("max_ack_pending holds delivery until messages are acked", async () => {
    await streamWith(10);
    const c = await durable("bounded", { max_ack_pending: 3 });
    const held = await collect(await c.fetch({ max_messages: 10, expires: 1000 }), 10, () => {});
    expect(held.map((m) => m.string())).toEqual(["o0", "o1", "o2"]);
    expect((await c.info()).num_ack_pending).toBe(3);
    for (const m of held) m.ack();
    const rest = await collect(await c.fetch({ max_messages: 10, expires: 1000 }), 10, () => {});
    expect(rest.map((m) => m.string())).toEqual(["o3", "o4", "o5"]);
  });

  it("consumer info counts pending, ack pending, redelivered and waiting", async () => {
    await streamWith(6);
    const c = await durable("counts", { ack_wait: 5_000_000_000 });
    const msgs = await collect(await c.fetch({ max_messages: 4, expires: 1000 }), 4, () => {});
    msgs[0]!.ack();
    msgs[1]!.nak();
    const redo = await c.next({ expires: 1000 });
    expect(redo?.info.deliveryCount).toBe(2);
    // A request that waits: counted in num_waiting.
    const waiting = t.nc.subscribe("waiting.inbox");
    t.nc.publish(
      "$JS.API.CONSUMER.MSG.NEXT.ORDERS.counts",
      JSON.stringify({ batch: 10, expires: 5_000_000_000 }),
      {
        reply: "waiting.inbox",
      },
    );
    await t.nc.flush();
    let info = await c.info();
    // The waiting request took the last two messages but still wants more.
    expect(info.num_waiting).toBe(1);
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(5);
    expect(info.num_redelivered).toBe(1);
    expect(info.delivered).toMatchObject({ consumer_seq: 7, stream_seq: 6 });
    expect(info.ack_floor).toMatchObject({ consumer_seq: 1, stream_seq: 1 });
    waiting.unsubscribe();
    info = await c.info();
    expect(info.num_waiting).toBe(0);
  });
});

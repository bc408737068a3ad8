// A durable consumer across a server restart (clean shutdown, same store directory): delivery resumes
// where it stopped, acknowledged messages never come back, unacknowledged ones are redelivered.

import { AckPolicy, type JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { useJetStream } from "./jetstream-stream-fixture.js";

const t = useJetStream();

describe("durable consumers across a restart", () => {
  it("a pull durable continues mid-stream with no acked message redelivered and none lost", async () => {
    await t.jsm.streams.add({ name: "LOG", subjects: ["log.>"] });
    for (let i = 1; i <= 20; i++) await t.js.publish("log.line", `l${i}`);
    await t.jsm.consumers.add("LOG", {
      durable_name: "reader",
      ack_policy: AckPolicy.Explicit,
      ack_wait: 1_000_000_000,
    });
    let c = await t.js.consumers.get("LOG", "reader");
    const first: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 10, expires: 1000 })) first.push(m);
    expect(first.length).toBe(10);
    const acked = new Set<number>();
    for (const m of first) {
      // Leave 3, 6 and 9 unacknowledged.
      if (m.info.streamSequence % 3 === 0) continue;
      await m.ackAck();
      acked.add(m.info.streamSequence);
    }
    const before = await c.info();

    await t.restart();

    c = await t.js.consumers.get("LOG", "reader");
    const after = await c.info();
    expect(after.delivered).toEqual(expect.objectContaining({ consumer_seq: 10, stream_seq: 10 }));
    expect(after.ack_floor).toEqual(expect.objectContaining({ consumer_seq: 2, stream_seq: 2 }));
    expect(after.num_ack_pending).toBe(before.num_ack_pending);
    expect(after.num_pending).toBe(10);
    const seen = new Map<number, number>();
    const it = await c.consume({ max_messages: 5 });
    for await (const m of it) {
      seen.set(m.info.streamSequence, m.info.deliveryCount);
      m.ack();
      if (seen.size === 13) break;
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([
      3,
      6,
      9,
      ...Array.from({ length: 10 }, (_, i) => i + 11),
    ]);
    for (const seq of acked) expect(seen.has(seq)).toBe(false);
    expect(seen.get(3)).toBe(2);
    expect(seen.get(11)).toBe(1);
  });

  it("a push durable bound again after restart gets the rest of the stream", async () => {
    await t.jsm.streams.add({ name: "EVT", subjects: ["evt"] });
    for (let i = 1; i <= 6; i++) await t.js.publish("evt", `e${i}`);
    await t.jsm.consumers.add("EVT", {
      durable_name: "pusher",
      ack_policy: AckPolicy.Explicit,
      deliver_subject: "deliver.evt",
      ack_wait: 1_000_000_000,
    });
    let pc = await t.js.consumers.getPushConsumer("EVT", "pusher");
    let it = await pc.consume();
    for await (const m of it) {
      await m.ackAck();
      if (m.info.streamSequence === 3) break;
    }
    it.stop();
    await t.restart();
    for (let i = 7; i <= 8; i++) await t.js.publish("evt", `e${i}`);
    pc = await t.js.consumers.getPushConsumer("EVT", "pusher");
    it = await pc.consume();
    const rest = new Map<number, number>();
    for await (const m of it) {
      rest.set(m.info.streamSequence, m.info.deliveryCount);
      m.ack();
      if (rest.size === 5) break;
    }
    it.stop();
    // 4..6 reached the old subscriber unacknowledged: they come back after ack_wait; 7 and 8 are new.
    expect([...rest.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    expect(rest.get(7)).toBe(1);
    expect(rest.get(4)).toBe(2);
  });
});

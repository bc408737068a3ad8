// Push consumers and delivery options with the official @nats-io/jetstream client against natsgate:
// queue groups, ordered push consumers (flow control, heartbeats), deliver and replay policies, filters,
// headers_only.

import { AckPolicy, DeliverPolicy, type JsMsg, ReplayPolicy } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { useJetStream } from "./jetstream-stream-fixture.js";

const t = useJetStream();

async function take(iter: AsyncIterable<JsMsg>, n: number, ack = true): Promise<JsMsg[]> {
  const got: JsMsg[] = [];
  if (n === 0) return got;
  for await (const m of iter) {
    got.push(m);
    if (ack) m.ack();
    if (got.length >= n) break;
  }
  return got;
}

/** Drains an ephemeral pull consumer with `config`; returns what it delivered. */
async function drain(stream: string, config: Record<string, unknown>, max = 100): Promise<JsMsg[]> {
  const ci = await t.jsm.consumers.add(stream, { ack_policy: AckPolicy.None, ...config });
  const c = await t.js.consumers.get(stream, ci.name);
  const got: JsMsg[] = [];
  for await (const m of await c.fetch({ max_messages: max, expires: 1000 })) got.push(m);
  return got;
}

describe("push consumers with the official client", () => {
  it("a queue group shares the messages of a push consumer", async () => {
    await t.jsm.streams.add({ name: "JOBS", subjects: ["jobs.*"] });
    await t.jsm.consumers.add("JOBS", {
      durable_name: "team",
      ack_policy: AckPolicy.Explicit,
      deliver_subject: "deliver.team",
      deliver_group: "workers",
    });
    const workers = [
      await t.js.consumers.getPushConsumer("JOBS", "team"),
      await t.js.consumers.getPushConsumer("JOBS", "team"),
    ];
    const seen: number[][] = [[], []];
    const iters = await Promise.all(workers.map((w) => w.consume()));
    const loops = iters.map(async (it, i) => {
      for await (const m of it) {
        seen[i]!.push(m.info.streamSequence);
        m.ack();
        if (seen[0]!.length + seen[1]!.length >= 50) break;
      }
    });
    await t.nc.flush();
    for (let i = 0; i < 50; i++) await t.js.publish("jobs.run", `j${i}`);
    await Promise.race(loops);
    for (const it of iters) it.stop();
    const all = [...seen[0]!, ...seen[1]!].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seen[0]!.length).toBeGreaterThan(0);
    expect(seen[1]!.length).toBeGreaterThan(0);
    const info = await t.jsm.consumers.info("JOBS", "team");
    expect(info.push_bound).toBe(true);
  });

  it("an ordered push consumer gets a large stream through flow control", async () => {
    await t.jsm.streams.add({ name: "BIG", subjects: ["big"] });
    const payload = new Uint8Array(32 * 1024).fill(7);
    const n = 160;
    for (let i = 0; i < n; i++) await t.js.publish("big", payload);
    const pc = await t.js.consumers.getPushConsumer("BIG");
    const it = await pc.consume();
    const flow: string[] = [];
    (async () => {
      for await (const s of it.status()) if (s.type === "flow_control") flow.push(s.type);
    })().catch(() => {});
    const got = await take(it, n, false);
    it.stop();
    expect(got.map((m) => m.info.streamSequence)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(got.every((m) => m.data.length === payload.length)).toBe(true);
    // 5 MiB through a 2 MiB first window: the client had to answer flow control.
    expect(flow.length).toBeGreaterThan(0);
  });

  it("deliver policies: all, last, new, by start sequence, by start time, last per subject", async () => {
    await t.jsm.streams.add({ name: "P", subjects: ["p.*"] });
    for (const s of ["a", "b", "a"]) await t.js.publish(`p.${s}`, s);
    await new Promise((r) => setTimeout(r, 20));
    const time = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await t.js.publish("p.c", "c");
    const seqs = (ms: JsMsg[]) => ms.map((m) => m.info.streamSequence);
    // Asking for exactly what is expected lets each fetch end as soon as it is complete.
    expect(seqs(await drain("P", { deliver_policy: DeliverPolicy.All }, 4))).toEqual([1, 2, 3, 4]);
    expect(seqs(await drain("P", { deliver_policy: DeliverPolicy.Last }, 1))).toEqual([4]);
    expect(seqs(await drain("P", { deliver_policy: DeliverPolicy.New }, 1))).toEqual([]);
    expect(
      seqs(await drain("P", { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 3 }, 2)),
    ).toEqual([3, 4]);
    expect(
      seqs(await drain("P", { deliver_policy: DeliverPolicy.StartTime, opt_start_time: time }, 1)),
    ).toEqual([4]);
    const lastPer = { deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: "p.*" };
    expect(seqs(await drain("P", lastPer, 3))).toEqual([2, 3, 4]);
    // And nothing beyond: a second look at each finds no extra message.
    expect(
      seqs(await drain("P", { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 3 }, 5)),
    ).toEqual([3, 4]);
  });

  it("replay original keeps the publish spacing; instant does not", async () => {
    await t.jsm.streams.add({ name: "R", subjects: ["r"] });
    await t.js.publish("r", "0");
    await new Promise((r) => setTimeout(r, 250));
    await t.js.publish("r", "1");
    const timed = async (replay: ReplayPolicy) => {
      const pc = await t.js.consumers.getPushConsumer("R", { replay_policy: replay });
      const it = await pc.consume();
      const at: number[] = [];
      for await (const _m of it) {
        at.push(Date.now());
        if (at.length === 2) break;
      }
      it.stop();
      return at[1]! - at[0]!;
    };
    const original = await timed(ReplayPolicy.Original);
    expect(original).toBeGreaterThanOrEqual(220);
    expect(original).toBeLessThan(1000);
    expect(await timed(ReplayPolicy.Instant)).toBeLessThan(150);
  });

  it("filter subjects select messages; headers_only drops payloads and adds Nats-Msg-Size", async () => {
    await t.jsm.streams.add({ name: "F", subjects: ["f.>"] });
    const h = headers();
    h.set("X-Id", "42");
    await t.js.publish("f.a.1", "alpha", { headers: h });
    await t.js.publish("f.b.1", "beta!");
    await t.js.publish("f.a.2", "gamma");
    const filtered = await drain("F", { filter_subject: "f.a.*" });
    expect(filtered.map((m) => m.subject)).toEqual(["f.a.1", "f.a.2"]);
    const several = await t.api("$JS.API.CONSUMER.CREATE.F.multi", {
      stream_name: "F",
      config: { name: "multi", ack_policy: "none", filter_subjects: ["f.a.2", "f.b.>"] },
    });
    expect((several.config as { filter_subjects: string[] }).filter_subjects).toEqual(["f.a.2", "f.b.>"]);
    const multi = await t.js.consumers.get("F", "multi");
    const got: JsMsg[] = [];
    for await (const m of await multi.fetch({ max_messages: 10, expires: 1000 })) got.push(m);
    expect(got.map((m) => m.subject)).toEqual(["f.b.1", "f.a.2"]);
    const heads = await drain("F", { headers_only: true });
    expect(
      heads.map((m) => [m.subject, m.data.length, m.headers?.get("Nats-Msg-Size"), m.headers?.get("X-Id")]),
    ).toEqual([
      ["f.a.1", 0, "5", "42"],
      ["f.b.1", 0, "5", ""],
      ["f.a.2", 0, "5", ""],
    ]);
  });
});

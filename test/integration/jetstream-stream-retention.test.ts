// Stream behaviour seen through the consumer seam (contracts.ts): workqueue and interest retention
// on acks, listeners, consumer stop on delete; and the durability policy's ordering of fsync and ack.

import { StorageType } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import type { ConsumerView, StreamListener } from "../../src/jetstream/contracts.js";
import type { Stream } from "../../src/jetstream/stream.js";
import { STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

/** A consumer that needs every message matching its filter until it acks it. */
class FakeConsumer implements ConsumerView {
  readonly acked = new Set<number>();
  stopped: boolean | null = null;
  constructor(
    readonly name: string,
    readonly config: { filter_subject?: string } = {},
  ) {}
  needsAck(seq: number, subject: string): boolean {
    const f = this.config.filter_subject;
    if (f !== undefined && f !== subject) return false;
    return !this.acked.has(seq);
  }
  ack(stream: Stream, seq: number): void {
    this.acked.add(seq);
    stream.consumerAcked(this.name, seq);
  }
  stop(deleteState: boolean): void {
    this.stopped = deleteState;
  }
}

describe.each(STORAGES)("retention through the consumer seam on %s storage", (storage) => {
  const t = useJetStream();
  const st = storage === "memory" ? StorageType.Memory : StorageType.File;
  const stream = (name: string) => {
    const s = t.account().lookupStream(name);
    if (s === null) throw new Error(`no stream ${name}`);
    return s;
  };

  it("workqueue: removes a message once its consumer acks it", async () => {
    await t.jsm.streams.add({ name: "WQ", subjects: ["wq"], retention: "workqueue", storage: st });
    const c = new FakeConsumer("worker");
    stream("WQ").consumers.set(c.name, c);
    for (let i = 0; i < 3; i++) await t.js.publish("wq", `job${i}`);
    c.ack(stream("WQ"), 2);
    const si = await t.jsm.streams.info("WQ", { deleted_details: true });
    expect(si.state).toMatchObject({ messages: 2, first_seq: 1, last_seq: 3, num_deleted: 1, deleted: [2] });
    expect(si.state.consumer_count).toBe(1);
  });

  it("interest: keeps a message until every interested consumer acked it", async () => {
    await t.jsm.streams.add({ name: "IN", subjects: ["in.*"], retention: "interest", storage: st });
    const all = new FakeConsumer("all");
    const onlyA = new FakeConsumer("only-a", { filter_subject: "in.a" });
    stream("IN").consumers.set(all.name, all);
    stream("IN").consumers.set(onlyA.name, onlyA);
    await t.js.publish("in.a", "1");
    await t.js.publish("in.b", "2");
    all.ack(stream("IN"), 1);
    expect((await t.jsm.streams.info("IN")).state.messages).toBe(2);
    onlyA.ack(stream("IN"), 1);
    all.ack(stream("IN"), 2);
    expect((await t.jsm.streams.info("IN")).state).toMatchObject({ messages: 0, last_seq: 2 });
  });

  it("interest: skips messages no consumer's filter matches", async () => {
    await t.jsm.streams.add({ name: "IF", subjects: ["if.*"], retention: "interest", storage: st });
    stream("IF").consumers.set("a", new FakeConsumer("a", { filter_subject: "if.a" }));
    expect((await t.js.publish("if.b", "nobody")).seq).toBe(1);
    expect((await t.js.publish("if.a", "someone")).seq).toBe(2);
    const si = await t.jsm.streams.info("IF");
    expect(si.state).toMatchObject({ messages: 1, first_seq: 2, last_seq: 2 });
  });

  it("tells listeners about stored and purged messages and stops consumers on delete", async () => {
    await t.jsm.streams.add({ name: "LS", subjects: ["ls.*"], storage: st });
    const seen: string[] = [];
    const listener: StreamListener = {
      messageStored: (seq, subject) => seen.push(`stored ${seq} ${subject}`),
      messagesRemoved: (first, filter) => seen.push(`removed ${first} ${filter ?? "*"}`),
    };
    stream("LS").addListener(listener);
    const c = new FakeConsumer("c");
    stream("LS").consumers.set(c.name, c);
    await t.js.publish("ls.a", "1");
    await t.js.publish("ls.b", "2");
    await t.js.publish("ls.a", "3");
    await t.jsm.streams.purge("LS", { filter: "ls.a" });
    await t.jsm.streams.purge("LS");
    expect(seen).toEqual([
      "stored 1 ls.a",
      "stored 2 ls.b",
      "stored 3 ls.a",
      "removed 0 ls.a",
      "removed 4 *",
    ]);
    await t.jsm.streams.delete("LS");
    expect(c.stopped).toBe(true);
  });

  it("stops consumers without deleting their state at shutdown", async () => {
    await t.jsm.streams.add({ name: "SD", subjects: ["sd"], storage: st });
    const c = new FakeConsumer("c");
    stream("SD").consumers.set(c.name, c);
    await t.restart();
    expect(c.stopped).toBe(false);
  });
});

/** Records the order of store writes, fsyncs and acks for one stream. */
function traceStream(s: Stream, events: string[]): void {
  const store = s.store;
  const origStore = store.store.bind(store);
  const origSync = store.sync.bind(store);
  const origSyncAsync = store.syncAsync.bind(store);
  let round = 0;
  store.store = (...args) => {
    const r = origStore(...args);
    events.push(`store ${r.seq}`);
    return r;
  };
  // A sync covers what was stored before it started and counts once it finished: trace both ends.
  store.sync = () => {
    const id = round++;
    events.push(`sync-start ${id}`);
    origSync();
    events.push(`sync-done ${id}`);
  };
  store.syncAsync = () => {
    const id = round++;
    events.push(`sync-start ${id}`);
    return origSyncAsync().then(() => {
      events.push(`sync-done ${id}`);
    });
  };
  const client = s.client;
  const origPublish = client.publish.bind(client);
  client.publish = (subject, reply, headers, payload) => {
    if (subject.startsWith("_INBOX.")) events.push(`ack ${JSON.parse(payload.toString()).seq}`);
    return origPublish(subject, reply, headers, payload);
  };
}

describe("durable acks (default sync policy)", () => {
  const t = useJetStream();

  it("sends a file stream's PubAck only after an fsync covering it, one fsync per burst", async () => {
    await t.jsm.streams.add({ name: "DUR", subjects: ["dur"], storage: StorageType.File });
    const s = t.account().lookupStream("DUR");
    if (s === null) throw new Error("no stream");
    expect(t.server.jetstream?.commit.policy.durable).toBe(true);
    const events: string[] = [];
    traceStream(s, events);
    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => t.js.publish("dur", `m${i}`)));
    expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (let seq = 1; seq <= 50; seq++) {
      const stored = events.indexOf(`store ${seq}`);
      const acked = events.indexOf(`ack ${seq}`);
      expect(stored).toBeGreaterThanOrEqual(0);
      expect(acked).toBeGreaterThan(stored);
      // Some sync started after the record was stored and finished before its ack went out.
      const covered = events
        .slice(stored, acked)
        .filter((e) => e.startsWith("sync-start "))
        .some((e) => {
          const done = events.indexOf(`sync-done ${e.slice(11)}`);
          return done >= 0 && done < acked;
        });
      expect(covered, `seq ${seq}: ${events.join(", ")}`).toBe(true);
    }
    // Group commit: far fewer fsyncs than messages.
    expect(events.filter((e) => e.startsWith("sync-done")).length).toBeLessThan(50);
  });

  it("does not fsync memory streams", async () => {
    await t.jsm.streams.add({ name: "MEM", subjects: ["mem"], storage: StorageType.Memory });
    const before = t.server.jetstream?.commit.syncs;
    await t.js.publish("mem", "x");
    expect(t.server.jetstream?.commit.syncs).toBe(before);
  });
});

describe("lazy acks (sync_interval set)", () => {
  const t = useJetStream({ syncInterval: 60_000 });

  it("acks before any fsync, as nats-server does", async () => {
    await t.jsm.streams.add({ name: "LAZY", subjects: ["lazy"], storage: StorageType.File });
    const s = t.account().lookupStream("LAZY");
    if (s === null) throw new Error("no stream");
    expect(t.server.jetstream?.commit.policy).toEqual({ durable: false, intervalMs: 60_000 });
    const events: string[] = [];
    traceStream(s, events);
    await t.js.publish("lazy", "x");
    expect(events).toEqual(["store 1", "ack 1"]);
  });
});

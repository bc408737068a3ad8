// Publishing into streams through the official JetStream client: PubAcks, Nats-Msg-Id dedupe,
// expectation headers, rollups, limits with discard old/new, max_age, no_ack, direct get.

import { type PubAck, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/server.js";
import { apiErrorOf, STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

describe.each(STORAGES)("publishing on %s storage", (storage) => {
  const t = useJetStream();
  const st = storage === "memory" ? StorageType.Memory : StorageType.File;
  const add = (cfg: Partial<StreamConfig> & { name: string }) => t.jsm.streams.add({ storage: st, ...cfg });

  it("acks every publish with the stream and its sequence", async () => {
    await add({ name: "ACK", subjects: ["ack.*"] });
    const acks: PubAck[] = [];
    for (let i = 0; i < 5; i++) acks.push(await t.js.publish(`ack.${i}`, `m${i}`));
    expect(acks.map((a) => [a.stream, a.seq, a.duplicate])).toEqual(
      [1, 2, 3, 4, 5].map((s) => ["ACK", s, false]),
    );
    const raw = await t.raw("ack.x", "raw");
    expect(raw.data).toBe('{"stream":"ACK", "seq":6}');
  });

  it("stores every message of an async burst intact", async () => {
    await add({ name: "BURST", subjects: ["burst"] });
    const payloads = Array.from({ length: 500 }, (_, i) => `payload-${i}-${"x".repeat(i % 37)}`);
    const acks = await Promise.all(payloads.map((p) => t.js.publish("burst", p)));
    expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual(payloads.map((_, i) => i + 1));
    for (const [i, p] of payloads.entries()) {
      const m = await t.jsm.streams.getMessage("BURST", { seq: i + 1 });
      expect(m?.string()).toBe(p);
    }
  });

  it("drops duplicates by Nats-Msg-Id inside duplicate_window and accepts the id again after it", async () => {
    await add({ name: "DUP", subjects: ["dup"], duplicate_window: 200_000_000 });
    const first = await t.js.publish("dup", "a", { msgID: "id-1" });
    const again = await t.js.publish("dup", "b", { msgID: "id-1" });
    expect(again).toMatchObject({ stream: "DUP", seq: first.seq, duplicate: true });
    const dupHeaders = headers();
    dupHeaders.set("Nats-Msg-Id", "id-1");
    expect((await t.raw("dup", "c", dupHeaders)).data).toBe(
      `{"stream":"DUP", "seq":${first.seq},"duplicate": true}`,
    );
    const started = Date.now();
    let later: PubAck | null = null;
    while (later === null || later.duplicate) {
      if (Date.now() - started > 3000) throw new Error("msg id never left the window");
      later = await t.js.publish("dup", "c", { msgID: "id-1" });
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(later.seq).toBe(2);
    expect((await t.jsm.streams.info("DUP")).state.messages).toBe(2);
  });

  it("checks expectation headers with nats-server's errors", async () => {
    await add({ name: "EXP", subjects: ["exp.*"] });
    await t.js.publish("exp.a", "1", { msgID: "m1" });
    await t.js.publish("exp.b", "2", { msgID: "m2" });
    expect(await apiErrorOf(t.js.publish("exp.a", "x", { expect: { streamName: "OTHER" } }))).toEqual({
      code: 400,
      err_code: 10060,
      description: "expected stream does not match",
    });
    expect(await apiErrorOf(t.js.publish("exp.a", "x", { expect: { lastSequence: 1 } }))).toEqual({
      code: 400,
      err_code: 10071,
      description: "wrong last sequence: 2",
    });
    expect(
      await apiErrorOf(t.js.publish("exp.a", "x", { expect: { lastSubjectSequence: 2 } })),
    ).toMatchObject({
      err_code: 10071,
      description: "wrong last sequence: 1",
    });
    expect(
      await apiErrorOf(t.js.publish("exp.c", "x", { expect: { lastSubjectSequence: 1 } })),
    ).toMatchObject({
      description: "wrong last sequence: 0",
    });
    expect(await apiErrorOf(t.js.publish("exp.a", "x", { expect: { lastMsgID: "m1" } }))).toEqual({
      code: 400,
      err_code: 10070,
      description: "wrong last msg ID: m2",
    });
    const ok = await t.js.publish("exp.a", "3", {
      expect: { streamName: "EXP", lastSequence: 2, lastSubjectSequence: 1, lastMsgID: "m2" },
    });
    expect(ok.seq).toBe(3);
    expect((await t.js.publish("exp.new", "4", { expect: { lastSubjectSequence: 0 } })).seq).toBe(4);
  });

  it("rolls up a subject or the whole stream with Nats-Rollup, only when allowed", async () => {
    await add({ name: "RU", subjects: ["ru.*"], allow_rollup_hdrs: true });
    for (const s of ["ru.a", "ru.a", "ru.b", "ru.a"]) await t.js.publish(s, "v");
    const sub = headers();
    sub.set("Nats-Rollup", "sub");
    await t.js.publish("ru.a", "latest", { headers: sub });
    let si = await t.jsm.streams.info("RU", { subjects_filter: ">" });
    expect(si.state.subjects).toEqual({ "ru.a": 1, "ru.b": 1 });
    const all = headers();
    all.set("Nats-Rollup", "all");
    const ack = await t.js.publish("ru.c", "everything", { headers: all });
    si = await t.jsm.streams.info("RU");
    expect(si.state).toMatchObject({ messages: 1, first_seq: ack.seq, last_seq: ack.seq });
    await add({ name: "NORU", subjects: ["noru"] });
    expect(await apiErrorOf(t.js.publish("noru", "x", { headers: sub }))).toEqual({
      code: 500,
      err_code: 10111,
      description: "rollup not permitted",
    });
  });

  it("refuses messages above max_msg_size", async () => {
    await add({ name: "SIZE", subjects: ["size"], max_msg_size: 8 });
    expect((await t.js.publish("size", "12345678")).seq).toBe(1);
    expect(await apiErrorOf(t.js.publish("size", "123456789"))).toEqual({
      code: 400,
      err_code: 10054,
      description: "message size exceeds maximum allowed",
    });
  });

  it("discards old messages at max_msgs, max_bytes and max_msgs_per_subject", async () => {
    await add({ name: "OLD", subjects: ["old.*"], max_msgs: 3 });
    for (let i = 1; i <= 5; i++) await t.js.publish("old.a", `${i}`);
    expect((await t.jsm.streams.info("OLD")).state).toMatchObject({ messages: 3, first_seq: 3, last_seq: 5 });
    await add({ name: "PER", subjects: ["per.*"], max_msgs_per_subject: 2 });
    for (const s of ["per.a", "per.a", "per.a", "per.b"]) await t.js.publish(s, "x");
    const per = await t.jsm.streams.info("PER", { subjects_filter: ">" });
    expect(per.state.subjects).toEqual({ "per.a": 2, "per.b": 1 });
    await add({ name: "BYTES", subjects: ["bytes"], max_bytes: 200 });
    for (let i = 0; i < 10; i++) await t.js.publish("bytes", "y".repeat(40));
    const bytes = (await t.jsm.streams.info("BYTES")).state;
    expect(bytes.bytes).toBeLessThanOrEqual(200);
    expect(bytes.last_seq).toBe(10);
    expect(bytes.messages).toBeGreaterThan(0);
  });

  it("refuses new messages with discard new", async () => {
    await add({ name: "NEW", subjects: ["new"], max_msgs: 2, discard: "new" });
    await t.js.publish("new", "1");
    await t.js.publish("new", "2");
    expect(await apiErrorOf(t.js.publish("new", "3"))).toEqual({
      code: 503,
      err_code: 10077,
      description: "maximum messages exceeded",
    });
    await add({
      name: "NEWPER",
      subjects: ["np.*"],
      max_msgs_per_subject: 1,
      discard: "new",
      discard_new_per_subject: true,
    });
    await t.js.publish("np.a", "1");
    expect(await apiErrorOf(t.js.publish("np.a", "2"))).toMatchObject({
      err_code: 10077,
      description: "maximum messages per subject exceeded",
    });
    expect((await t.js.publish("np.b", "1")).seq).toBe(2);
    await add({ name: "NEWB", subjects: ["nb"], max_bytes: 100, discard: "new" });
    await t.js.publish("nb", "z".repeat(40));
    expect(await apiErrorOf(t.js.publish("nb", "z".repeat(60)))).toMatchObject({
      err_code: 10077,
      description: "maximum bytes exceeded",
    });
  });

  it("expires messages after max_age", async () => {
    await add({ name: "AGE", subjects: ["age"], max_age: 150_000_000 });
    await t.js.publish("age", "old");
    expect((await t.jsm.streams.info("AGE")).state.messages).toBe(1);
    let messages = 1;
    const poll = async () => {
      messages = (await t.jsm.streams.info("AGE")).state.messages;
    };
    const deadline = Date.now() + 3000;
    while (messages > 0 && Date.now() < deadline) await poll();
    expect(messages).toBe(0);
    expect((await t.jsm.streams.info("AGE")).state.last_seq).toBe(1);
  });

  it("stores but does not ack on a no_ack stream", async () => {
    await add({ name: "NOACK", subjects: ["noack"], no_ack: true });
    await expect(t.nc.request("noack", "x", { timeout: 300 })).rejects.toThrow(/timeout/i);
    t.nc.publish("noack", "y");
    await t.nc.flush();
    await waitUntil(() => t.account().lookupStream("NOACK")?.store.state().msgs === 2, "two stored messages");
  });

  it("answers direct gets when allow_direct is set, with Nats-* headers and 404s", async () => {
    await add({ name: "DG", subjects: ["dg.*"], allow_direct: true });
    const h = headers();
    h.set("Custom", "1");
    await t.js.publish("dg.a", "first", { headers: h });
    await t.js.publish("dg.b", "second");
    await t.js.publish("dg.a", "third");
    const bySeq = await t.jsm.direct.getMessage("DG", { seq: 1 });
    expect(bySeq?.string()).toBe("first");
    expect(bySeq?.header.get("Custom")).toBe("1");
    expect(bySeq?.header.get("Nats-Stream")).toBe("DG");
    expect(bySeq?.header.get("Nats-Subject")).toBe("dg.a");
    expect(bySeq?.header.get("Nats-Sequence")).toBe("1");
    expect(Date.parse(bySeq?.header.get("Nats-Time-Stamp") ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect((await t.jsm.direct.getMessage("DG", { last_by_subj: "dg.a" }))?.seq).toBe(3);
    const lastBySubject = await t.raw("$JS.API.DIRECT.GET.DG.dg.b");
    expect(lastBySubject.data).toBe("second");
    expect(lastBySubject.headers?.get("Nats-Sequence")).toBe("2");
    const missing = await t.raw("$JS.API.DIRECT.GET.DG", JSON.stringify({ seq: 99 }));
    expect(missing.headers?.code).toBe(404);
    expect(missing.headers?.description).toBe("Message Not Found");
    const empty = await t.raw("$JS.API.DIRECT.GET.DG", "");
    expect(empty.headers?.code).toBe(408);
    await add({ name: "NODG", subjects: ["nodg"] });
    await expect(
      t.raw("$JS.API.DIRECT.GET.NODG", JSON.stringify({ seq: 1 }), undefined, 300),
    ).rejects.toThrow(/timeout/i);
  });

  it("keeps nothing on an interest stream without consumers but uses up the sequence", async () => {
    await add({ name: "INT", subjects: ["int"], retention: "interest" });
    expect((await t.js.publish("int", "a")).seq).toBe(1);
    expect((await t.js.publish("int", "b")).seq).toBe(2);
    expect((await t.jsm.streams.info("INT")).state).toMatchObject({ messages: 0, first_seq: 3, last_seq: 2 });
  });
});

describe("publishing with a JetStream domain", () => {
  const t = useJetStream({ domain: "hub" });

  it("puts the domain in PubAcks, stream info and account info", async () => {
    await t.jsm.streams.add({ name: "DOM", subjects: ["dom"] });
    expect((await t.raw("dom", "x")).data).toBe('{"stream":"DOM", "domain":"hub", "seq":1}');
    expect(await t.js.publish("dom", "y")).toMatchObject({ stream: "DOM", seq: 2, domain: "hub" });
    expect(await t.api("$JS.API.STREAM.INFO.DOM")).toMatchObject({ domain: "hub" });
    expect(await t.jsm.getAccountInfo()).toMatchObject({ domain: "hub" });
  });
});

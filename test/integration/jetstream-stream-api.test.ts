// The stream management API through the official JetStreamManager (and raw requests where the client
// hides the wire): create/update/info/list/names/delete/purge, message get/delete, on both storages.

import { StorageType, type StreamConfig } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { apiErrorOf, STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

describe.each(STORAGES)("stream API on %s storage", (storage) => {
  const t = useJetStream();
  const st = storage === "memory" ? StorageType.Memory : StorageType.File;
  const add = (cfg: Partial<StreamConfig> & { name: string }) => t.jsm.streams.add({ storage: st, ...cfg });

  it("creates a stream with nats-server's defaults and reports it", async () => {
    const si = await add({ name: "ORDERS", subjects: ["orders.>"] });
    expect(si.config).toMatchObject({
      name: "ORDERS",
      subjects: ["orders.>"],
      retention: "limits",
      max_consumers: -1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      max_msg_size: -1,
      discard: "old",
      storage,
      num_replicas: 1,
      duplicate_window: 120_000_000_000,
      allow_direct: false,
      sealed: false,
      deny_delete: false,
      deny_purge: false,
      allow_rollup_hdrs: false,
    });
    expect(si.state).toMatchObject({ messages: 0, bytes: 0, first_seq: 0, last_seq: 0, consumer_count: 0 });
    const info = await t.jsm.streams.info("ORDERS");
    expect(info.created).toBe(si.created);
    expect(Date.parse(info.created)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("takes the name as subject when none is given and caps duplicate_window at max_age", async () => {
    const si = await add({ name: "EVENTS", max_age: 1_000_000_000 });
    expect(si.config.subjects).toEqual(["EVENTS"]);
    expect(si.config.duplicate_window).toBe(1_000_000_000);
  });

  it("returns the existing stream for an identical create and refuses a different one", async () => {
    await add({ name: "S", subjects: ["s.*"] });
    const again = await t.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage });
    expect(again.did_create).toBe(true);
    const err = await apiErrorOf(add({ name: "S", subjects: ["s.x"] }));
    expect(err).toEqual({
      code: 400,
      err_code: 10058,
      description: "stream name already in use with a different configuration",
    });
  });

  it("refuses subjects overlapping another stream's and overlapping each other", async () => {
    await add({ name: "A", subjects: ["a.>"] });
    expect(await apiErrorOf(add({ name: "B", subjects: ["a.b"] }))).toEqual({
      code: 400,
      err_code: 10065,
      description: "subjects overlap with an existing stream",
    });
    expect(await apiErrorOf(add({ name: "C", subjects: ["c.*", "c.x"] }))).toEqual({
      code: 500,
      err_code: 10052,
      description: 'subject "c.*" overlaps with "c.x"',
    });
  });

  it("refuses num_replicas > 1, negative replicas and bad windows with nats-server's errors", async () => {
    expect(await t.api("$JS.API.STREAM.CREATE.R", { name: "R", num_replicas: 3, storage })).toMatchObject({
      error: { code: 500, err_code: 10074, description: "replicas > 1 not supported in non-clustered mode" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.R", { name: "R", num_replicas: -1, storage })).toMatchObject({
      error: { code: 400, err_code: 10133, description: "replicas count cannot be negative" },
    });
    expect(
      await t.api("$JS.API.STREAM.CREATE.R", { name: "R", duplicate_window: -5, storage }),
    ).toMatchObject({
      error: { code: 500, err_code: 10052, description: "duplicates window can not be negative" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.R", { name: "R", max_age: 1000, storage })).toMatchObject({
      error: { err_code: 10052, description: "max age needs to be >= 100ms" },
    });
    expect(
      await t.api("$JS.API.STREAM.CREATE.R", { name: "R", deny_purge: true, allow_rollup_hdrs: true }),
    ).toMatchObject({ error: { err_code: 10052, description: "roll-ups require the purge permission" } });
  });

  it("answers bad input with nats-server's JSON errors and keeps running", async () => {
    expect(await t.api("$JS.API.STREAM.CREATE.X", "{nope")).toEqual({
      type: "io.nats.jetstream.api.v1.stream_create_response",
      error: { code: 400, err_code: 10025, description: "invalid JSON" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.X", { name: "X", max_msgs: "ten" })).toMatchObject({
      error: { err_code: 10025 },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.X", { name: "Y" })).toMatchObject({
      error: { code: 400, err_code: 10056, description: "stream name in subject does not match request" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.X", { name: "X", subjects: ["a..b"] })).toMatchObject({
      error: { err_code: 10052, description: "invalid subject" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.X", { name: "X", subjects: ["$JS.API.x"] })).toMatchObject({
      error: { err_code: 10052, description: "subjects overlap with jetstream api" },
    });
    expect(await t.api("$JS.API.STREAM.CREATE.X", { name: "X", sealed: true })).toMatchObject({
      error: { err_code: 10052, description: "stream configuration for create can not be sealed" },
    });
    // A name with '.' makes a subject no handler matches: nats-server does not answer either.
    await expect(t.api("$JS.API.STREAM.CREATE.a.b", { name: "a.b" }, 300)).rejects.toThrow(/timeout/i);
    expect((await t.jsm.getAccountInfo()).streams).toBe(0);
  });

  it("updates a stream: subjects, limits, and refuses what may not change", async () => {
    await add({ name: "U", subjects: ["u.a"] });
    for (let i = 0; i < 3; i++) await t.js.publish("u.a", `m${i}`);
    const updated = await t.jsm.streams.update("U", { subjects: ["u.b"], max_msgs: 1 });
    expect(updated.config.subjects).toEqual(["u.b"]);
    expect(updated.state.messages).toBe(1);
    await expect(t.nc.request("u.a", "x", { timeout: 1000 })).rejects.toThrow(/no responders/i);
    expect((await t.js.publish("u.b", "y")).seq).toBe(4);
    const bad = await t.api("$JS.API.STREAM.UPDATE.U", {
      name: "U",
      subjects: ["u.b"],
      storage: storage === "file" ? "memory" : "file",
    });
    expect(bad).toMatchObject({
      error: {
        code: 500,
        err_code: 10052,
        description: "stream configuration update can not change storage type",
      },
    });
    expect(await apiErrorOf(t.jsm.streams.update("NOPE", { subjects: ["n"] }))).toMatchObject({
      err_code: 10059,
    });
  });

  it("seals a stream: no publishes, deletes or purges, and it cannot be unsealed", async () => {
    await add({ name: "SEAL", subjects: ["seal"], allow_rollup_hdrs: true });
    await t.js.publish("seal", "1");
    const si = await t.api("$JS.API.STREAM.UPDATE.SEAL", {
      name: "SEAL",
      subjects: ["seal"],
      storage,
      sealed: true,
    });
    expect(si.config).toMatchObject({
      sealed: true,
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
    });
    expect(await apiErrorOf(t.js.publish("seal", "2"))).toMatchObject({ err_code: 10109 });
    expect(await apiErrorOf(t.jsm.streams.purge("SEAL"))).toMatchObject({
      code: 400,
      err_code: 10109,
      description: "invalid operation on sealed stream",
    });
    expect(await apiErrorOf(t.jsm.streams.deleteMessage("SEAL", 1))).toMatchObject({ err_code: 10109 });
    const unseal = await t.api("$JS.API.STREAM.UPDATE.SEAL", { name: "SEAL", subjects: ["seal"], storage });
    expect(unseal).toMatchObject({
      error: { description: "stream configuration update can not unseal a sealed stream" },
    });
  });

  it("lists and names streams with paging and subject filter", async () => {
    for (const n of ["C1", "A1", "B1"]) await add({ name: n, subjects: [`${n.toLowerCase()}.>`] });
    const names = await t.api("$JS.API.STREAM.NAMES");
    expect(names).toEqual({
      type: "io.nats.jetstream.api.v1.stream_names_response",
      total: 3,
      offset: 0,
      limit: 1024,
      streams: ["A1", "B1", "C1"],
    });
    expect(await t.api("$JS.API.STREAM.NAMES", { subject: "b1.x" })).toMatchObject({
      total: 1,
      streams: ["B1"],
    });
    expect(await t.api("$JS.API.STREAM.NAMES", { subject: "zz" })).toMatchObject({ total: 0, streams: null });
    const page = await t.api("$JS.API.STREAM.LIST", { offset: 1 });
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 256 });
    expect((page.streams as { config: { name: string } }[]).map((s) => s.config.name)).toEqual(["B1", "C1"]);
    const viaClient: string[] = [];
    for await (const n of t.jsm.streams.names()) viaClient.push(n);
    expect(viaClient.sort()).toEqual(["A1", "B1", "C1"]);
  });

  it("deletes a stream and reports a missing one", async () => {
    await add({ name: "D", subjects: ["d"] });
    await t.js.publish("d", "x");
    expect(await t.jsm.streams.delete("D")).toBe(true);
    expect(await apiErrorOf(t.jsm.streams.info("D"))).toEqual({
      code: 404,
      err_code: 10059,
      description: "stream not found",
    });
    expect(await t.api("$JS.API.STREAM.DELETE.D", { x: 1 })).toMatchObject({
      error: { code: 400, err_code: 10038, description: "expected an empty request payload" },
    });
    await expect(t.nc.request("d", "x", { timeout: 1000 })).rejects.toThrow(/no responders/i);
  });

  it("purges all, by subject, keeping some, and up to a sequence", async () => {
    await add({ name: "P", subjects: ["p.*"] });
    for (let i = 1; i <= 10; i++) await t.js.publish(i % 2 === 0 ? "p.even" : "p.odd", `${i}`);
    expect(await t.jsm.streams.purge("P", { filter: "p.odd", keep: 2 })).toMatchObject({
      success: true,
      purged: 3,
    });
    expect(await t.jsm.streams.purge("P", { seq: 5 })).toMatchObject({ success: true, purged: 2 });
    let si = await t.jsm.streams.info("P", { subjects_filter: ">" });
    expect(si.state.subjects).toEqual({ "p.even": 3, "p.odd": 2 });
    expect(si.state.first_seq).toBe(6);
    expect(await t.api("$JS.API.STREAM.PURGE.P", { seq: 3, keep: 1 })).toMatchObject({
      error: { code: 400, err_code: 10003, description: "bad request" },
      purged: 0,
    });
    expect(await t.jsm.streams.purge("P")).toMatchObject({ success: true, purged: 5 });
    si = await t.jsm.streams.info("P");
    expect(si.state).toMatchObject({ messages: 0, first_seq: 11, last_seq: 10 });
  });

  it("gets messages by sequence, last and next by subject, and deletes with and without erase", async () => {
    await add({ name: "G", subjects: ["g.*"] });
    const h = headers();
    h.set("X-Trace", "abc");
    await t.js.publish("g.a", "one", { headers: h });
    await t.js.publish("g.b", "two");
    await t.js.publish("g.a", "three");
    const first = await t.jsm.streams.getMessage("G", { seq: 1 });
    expect(first?.subject).toBe("g.a");
    expect(first?.string()).toBe("one");
    expect(first?.header.get("X-Trace")).toBe("abc");
    expect((await t.jsm.streams.getMessage("G", { last_by_subj: "g.a" }))?.seq).toBe(3);
    const next = await t.api("$JS.API.STREAM.MSG.GET.G", { next_by_subj: "g.b", seq: 1 });
    expect(next.message).toMatchObject({
      subject: "g.b",
      seq: 2,
      data: Buffer.from("two").toString("base64"),
    });
    expect(await t.api("$JS.API.STREAM.MSG.GET.G", { seq: 99 })).toMatchObject({
      error: { code: 404, err_code: 10037, description: "no message found" },
    });
    expect(await t.jsm.streams.deleteMessage("G", 2, false)).toBe(true);
    expect(await t.jsm.streams.deleteMessage("G", 1, true)).toBe(true);
    const si = await t.jsm.streams.info("G", { deleted_details: true });
    expect(si.state).toMatchObject({ messages: 1, first_seq: 3, last_seq: 3 });
    expect(await t.api("$JS.API.STREAM.MSG.GET.G", { seq: 2 })).toMatchObject({ error: { err_code: 10037 } });
    const again = await t.api("$JS.API.STREAM.MSG.DELETE.G", { seq: 2 });
    expect(again.error).toEqual(
      storage === "memory"
        ? { code: 400, err_code: 10043, description: "sequence 2 not found" }
        : { code: 500, err_code: 10057, description: "no message found" },
    );
  });

  it("reports deleted sequences and per-subject counts on request", async () => {
    await add({ name: "DD", subjects: ["dd.*"] });
    for (let i = 0; i < 5; i++) await t.js.publish(`dd.${i % 2}`, "x");
    await t.jsm.streams.deleteMessage("DD", 2);
    await t.jsm.streams.deleteMessage("DD", 4);
    const si = await t.api("$JS.API.STREAM.INFO.DD", { deleted_details: true, subjects_filter: "dd.*" });
    expect(si).toMatchObject({ total: 1, offset: 0, limit: 100000 });
    expect(si.state).toMatchObject({
      messages: 3,
      num_subjects: 1,
      subjects: { "dd.0": 3 },
      num_deleted: 2,
      deleted: [2, 4],
    });
  });

  it("keeps description, metadata and placement; counts account usage", async () => {
    const r = await t.api("$JS.API.STREAM.CREATE.META", {
      name: "META",
      storage,
      description: "orders from the web shop",
      metadata: { owner: "team-a" },
      placement: { cluster: "east", tags: ["ssd"] },
    });
    expect(r.config).toMatchObject({
      description: "orders from the web shop",
      metadata: { owner: "team-a" },
      placement: { cluster: "east", tags: ["ssd"] },
    });
    await t.js.publish("META", "hello");
    const ai = await t.jsm.getAccountInfo();
    expect(ai.streams).toBe(1);
    expect(storage === "memory" ? ai.memory : ai.storage).toBeGreaterThan(0);
    expect(storage === "memory" ? ai.storage : ai.memory).toBe(0);
    expect(ai.api.total).toBeGreaterThanOrEqual(2);
  });
});

describe("stream API without a matching handler", () => {
  const t = useJetStream();

  it("answers a publish to a subject without a stream with no responders", async () => {
    await expect(t.js.publish("no.stream.here", "x")).rejects.toThrow();
    await expect(t.nc.request("no.stream.here", "x", { timeout: 1000 })).rejects.toThrow(/no responders/i);
  });

  it("answers cluster-only requests with nats-server's error", async () => {
    await t.jsm.streams.add({ name: "L", subjects: ["l"] });
    expect(await t.api("$JS.API.STREAM.LEADER.STEPDOWN.L")).toMatchObject({
      error: { code: 503, err_code: 10010, description: "JetStream clustering support required" },
    });
  });
});

// KV buckets (ADR-8) through the official @nats-io/kv client against natsgate: bucket options, put/get by
// revision, create/update compare-and-set, delete and purge markers, history, keys, TTL, status, list, destroy.

import { JetStreamApiError } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import { STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

/** The JetStream API error code a KV call failed with. */
async function errCodeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JetStreamApiError) return err.code;
    throw err;
  }
  throw new Error("expected the KV call to fail");
}

describe.each(STORAGES)("KV bucket (%s storage)", (storage) => {
  const h = useJetStream();
  const open = (name: string, opts = {}): Promise<KV> => new Kvm(h.nc).create(name, { storage, ...opts });

  it("creates the KV_ stream with the bucket's limits", async () => {
    await open("cfg", {
      history: 5,
      ttl: 60_000,
      maxValueSize: 1024,
      max_bytes: 1 << 20,
      description: "readings",
      replicas: 1,
    });
    const si = await h.jsm.streams.info("KV_cfg");
    expect(si.config).toMatchObject({
      name: "KV_cfg",
      subjects: ["$KV.cfg.>"],
      retention: "limits",
      max_msgs_per_subject: 5,
      max_age: 60_000 * 1_000_000,
      max_msg_size: 1024,
      max_bytes: 1 << 20,
      description: "readings",
      num_replicas: 1,
      storage,
      discard: "new",
      allow_rollup_hdrs: true,
      allow_direct: true,
      duplicate_window: 60_000 * 1_000_000,
    });
  });

  it("puts and gets the latest value and any revision", async () => {
    const kv = await open("pg", { history: 10 });
    expect(await kv.put("a", "1")).toBe(1);
    expect(await kv.put("b", "x")).toBe(2);
    expect(await kv.put("a", "2")).toBe(3);
    const latest = await kv.get("a");
    expect(latest?.string()).toBe("2");
    expect(latest?.revision).toBe(3);
    expect(latest?.operation).toBe("PUT");
    expect(latest?.key).toBe("a");
    expect(latest?.bucket).toBe("pg");
    expect(latest?.length).toBe(1);
    expect(latest?.created.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await kv.get("a", { revision: 1 }))?.string()).toBe("1");
    // A revision that holds another key is not this key's value.
    expect(await kv.get("a", { revision: 2 })).toBeNull();
    expect(await kv.get("missing")).toBeNull();
    expect(await kv.get("a", { revision: 99 })).toBeNull();
  });

  it("create fails while the key exists and succeeds again after delete or purge", async () => {
    const kv = await open("cr");
    expect(await kv.create("k", "v1")).toBe(1);
    // nats-server: 10071 "wrong last sequence: 1"
    await expect(kv.create("k", "v2")).rejects.toThrow("wrong last sequence: 1");
    expect(await errCodeOf(kv.create("k", "v2"))).toBe(10071);
    await kv.delete("k");
    expect(await kv.create("k", "v3")).toBe(3);
    await kv.purge("k");
    expect(await kv.create("k", "v4")).toBe(5);
    expect((await kv.get("k"))?.string()).toBe("v4");
  });

  it("update is compare-and-set on the key's last revision", async () => {
    const kv = await open("up", { history: 5 });
    const r1 = await kv.put("k", "a");
    await kv.put("other", "o");
    const r2 = await kv.update("k", "b", r1);
    expect(r2).toBe(3);
    await expect(kv.update("k", "c", r1)).rejects.toThrow(`wrong last sequence: ${r2}`);
    expect(await errCodeOf(kv.update("k", "c", r1))).toBe(10071);
    expect(await kv.update("k", "c", r2)).toBe(4);
    // Updating a key that never existed names sequence 0 as the last one.
    await expect(kv.update("never", "x", 3)).rejects.toThrow("wrong last sequence: 0");
    expect((await kv.get("k"))?.string()).toBe("c");
  });

  it("delete leaves a DEL marker, purge a PURGE marker that rolls up the key's history", async () => {
    const kv = await open("dp", { history: 10 });
    await kv.put("d", "1");
    await kv.put("d", "2");
    await kv.put("p", "1");
    await kv.put("p", "2");
    await kv.delete("d");
    const del = await kv.get("d");
    expect(del?.operation).toBe("DEL");
    expect(del?.revision).toBe(5);
    expect(del?.length).toBe(0);
    await kv.purge("p");
    const pur = await kv.get("p");
    expect(pur?.operation).toBe("PURGE");
    expect(pur?.revision).toBe(6);
    const st = await kv.status();
    // d: 1, 2, DEL; p: only the PURGE marker is left.
    expect(st.values).toBe(4);
    const hist = await collect(await kv.history({ key: "p" }));
    expect(hist.map((e) => [e.operation, e.revision])).toEqual([["PURGE", 6]]);
    // Delete with an expected revision is compare-and-set too.
    await kv.put("c", "1");
    await expect(kv.delete("c", { previousSeq: 1 })).rejects.toThrow("wrong last sequence: 7");
    await kv.delete("c", { previousSeq: 7 });
    expect((await kv.get("c"))?.operation).toBe("DEL");
  });

  it("keeps history up to the bucket's limit", async () => {
    const kv = await open("hi", { history: 3 });
    for (let i = 1; i <= 5; i++) await kv.put("k", `v${i}`);
    await kv.put("j", "x");
    await kv.delete("j");
    const hist = await collect(await kv.history({ key: "k" }));
    expect(hist.map((e) => [e.string(), e.revision, e.operation])).toEqual([
      ["v3", 3, "PUT"],
      ["v4", 4, "PUT"],
      ["v5", 5, "PUT"],
    ]);
    const all = await collect(await kv.history());
    expect(all.map((e) => `${e.key}@${e.revision}:${e.operation}`)).toEqual([
      "k@3:PUT",
      "k@4:PUT",
      "k@5:PUT",
      "j@6:PUT",
      "j@7:DEL",
    ]);
    expect(await collect(await kv.history({ key: "none" }))).toEqual([]);
  });

  it("lists keys, skipping deleted ones, with subject filters", async () => {
    const kv = await open("ks");
    const keys = ["dev.a.temp", "dev.b.temp", "dev.a.hum", "x-y_z", "a=b", "p/q/r", "gone"];
    for (const k of keys) await kv.put(k, k);
    await kv.delete("gone");
    expect((await collect(await kv.keys())).sort()).toEqual(keys.filter((k) => k !== "gone").sort());
    expect((await collect(await kv.keys("dev.*.temp"))).sort()).toEqual(["dev.a.temp", "dev.b.temp"]);
    expect((await collect(await kv.keys("dev.a.>"))).sort()).toEqual(["dev.a.hum", "dev.a.temp"]);
    // A list of filters needs filter_subjects, which the client only sends to 2.10+ servers.
    await expect(kv.keys(["a=b", "p/q/r"])).rejects.toThrow("'filter_subjects' requires server 2.10.0");
    expect(await collect(await kv.keys("nothing.>"))).toEqual([]);
    for (const k of keys.slice(0, 6)) expect((await kv.get(k))?.string()).toBe(k);
  });

  it("rejects keys the client does not allow", async () => {
    const kv = await open("bad");
    await expect(kv.put(".a", "x")).rejects.toThrow(/invalid key/);
    await expect(kv.put("a b", "x")).rejects.toThrow(/invalid key/);
    await expect(kv.put("a*", "x")).rejects.toThrow(/invalid key/);
  });

  it("enforces the maximum value size and the bucket's byte limit", async () => {
    const kv = await open("lim", { maxValueSize: 16, max_bytes: 1000 });
    expect(await kv.put("ok", "0123456789abcdef")).toBe(1);
    await expect(kv.put("big", "0123456789abcdefX")).rejects.toThrow("message size exceeds maximum allowed");
    // discard new: a put is refused when stored bytes plus its raw size reach max_bytes. Stored sizes
    // count subject and overhead while the check counts the raw size, so (as on nats-server 2.9.10, see
    // the compat test) a put can still overshoot and push out the oldest value before one is refused.
    let failed: unknown = null;
    for (let i = 0; i < 200 && failed === null; i++) {
      await kv.put(`k${i}`, "0123456789abcdef").catch((e: unknown) => {
        failed = e;
      });
    }
    expect(String(failed)).toContain("maximum bytes exceeded");
    const st = await kv.status();
    expect(st.size).toBeLessThanOrEqual(1000);
    expect(st.size + 16).toBeGreaterThanOrEqual(1000);
  });

  it("expires values after the bucket's TTL", async () => {
    const kv = await open("ttl", { ttl: 300 });
    await kv.put("k", "v");
    expect((await kv.get("k"))?.string()).toBe("v");
    const deadline = Date.now() + 5000;
    while ((await kv.get("k")) !== null) {
      if (Date.now() > deadline) throw new Error("value did not expire within 5 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await kv.status()).values).toBe(0);
    expect(await collect(await kv.keys())).toEqual([]);
  });

  it("reports status, lists buckets and destroys them", async () => {
    const kvm = new Kvm(h.nc);
    const kv = await open("st", { history: 4, ttl: 10_000, description: "d" });
    await kv.put("a", "12345");
    await kv.put("b", "1");
    const st = await kv.status();
    expect(st.bucket).toBe("st");
    expect(st.values).toBe(2);
    expect(st.history).toBe(4);
    expect(st.ttl).toBe(10_000);
    expect(st.description).toBe("d");
    expect(st.streamInfo.config.name).toBe("KV_st");
    expect(st.storage).toBe(storage);
    expect(st.replicas).toBe(1);
    expect(st.size).toBeGreaterThan(6);
    await open("other");
    await h.jsm.streams.add({ name: "NOTKV", subjects: ["n.>"] });
    const listed = (await collect(kvm.list())).map((s) => s.bucket).sort();
    expect(listed).toEqual(["other", "st"]);
    expect(await kv.destroy()).toBe(true);
    expect((await collect(kvm.list())).map((s) => s.bucket)).toEqual(["other"]);
    await expect(kvm.open("st").then((b) => b.status())).rejects.toThrow("stream not found");
  });

  it("reopens an existing bucket, and one made with compression by a 2.10-aware tool", async () => {
    // The client refuses compression against a 2.9 server; nats-server 2.9.10 ignores the field.
    await expect(open("cz", { compression: true })).rejects.toThrow(
      "stream 'compression' requires server 2.10.0",
    );
    const made = await h.api("$JS.API.STREAM.CREATE.KV_re", {
      name: "KV_re",
      subjects: ["$KV.re.>"],
      max_msgs_per_subject: 1,
      discard: "new",
      allow_rollup_hdrs: true,
      allow_direct: true,
      storage,
      compression: "s2",
    });
    expect(made.error).toBeUndefined();
    const kv = await open("re");
    await kv.put("k", "v");
    const again = await new Kvm(h.nc).open("re");
    expect((await again.get("k"))?.string()).toBe("v");
    const created = await open("re");
    expect((await created.get("k"))?.string()).toBe("v");
  });
});

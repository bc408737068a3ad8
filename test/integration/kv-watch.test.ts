// KV watch (ADR-8) through @nats-io/kv against natsgate: an ordered push consumer per watcher delivering
// last-per-subject (or all, or new) values, then live updates; includeHistory, ignoreDeletes, updatesOnly.

import { type KV, Kvm, type KvWatchEntry, KvWatchInclude } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import { STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

/** Reads entries from a watch iterator into an array; `next(n)` waits (with a timeout) for n of them. */
function reader(iter: AsyncIterable<KvWatchEntry>) {
  const seen: KvWatchEntry[] = [];
  void (async () => {
    for await (const e of iter) seen.push(e);
  })();
  return {
    seen,
    async next(n: number, timeoutMs = 10_000): Promise<KvWatchEntry[]> {
      const deadline = Date.now() + timeoutMs;
      while (seen.length < n) {
        if (Date.now() > deadline) throw new Error(`watch saw ${seen.length} entries, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return seen.slice(0, n);
    },
  };
}

const show = (e: KvWatchEntry) =>
  `${e.key}=${e.operation === "PUT" ? e.string() : e.operation}@${e.revision}${e.isUpdate ? "+" : ""}`;

describe.each(STORAGES)("KV watch (%s storage)", (storage) => {
  const h = useJetStream();
  const open = (name: string, history = 5): Promise<KV> => new Kvm(h.nc).create(name, { storage, history });

  it("delivers the latest value per key, then updates as they happen", async () => {
    const kv = await open("w1");
    await kv.put("a", "1");
    await kv.put("b", "1");
    await kv.put("a", "2");
    const iter = await kv.watch();
    const r = reader(iter);
    await r.next(2);
    await kv.put("c", "1");
    await kv.delete("b");
    await kv.put("a", "3");
    const got = await r.next(5);
    expect(got.map(show)).toEqual(["b=1@2", "a=2@3+", "c=1@4+", "b=DEL@5+", "a=3@6+"]);
    iter.stop();
  });

  it("filters by key pattern", async () => {
    const kv = await open("w2");
    await kv.put("dev.1.t", "x");
    await kv.put("dev.2.t", "y");
    await kv.put("other", "z");
    const iter = await kv.watch({ key: "dev.*.t" });
    const r = reader(iter);
    await r.next(2);
    await kv.put("other", "zz");
    await kv.put("dev.3.t", "w");
    const got = await r.next(3);
    expect(got.map(show)).toEqual(["dev.1.t=x@1", "dev.2.t=y@2+", "dev.3.t=w@5+"]);
    iter.stop();
  });

  it("includeHistory delivers every kept revision first", async () => {
    const kv = await open("w3", 3);
    for (let i = 1; i <= 4; i++) await kv.put("k", `${i}`);
    await kv.put("j", "x");
    const iter = await kv.watch({ include: KvWatchInclude.AllHistory });
    const r = reader(iter);
    await r.next(4);
    await kv.put("k", "5");
    const got = await r.next(5);
    expect(got.map(show)).toEqual(["k=2@2", "k=3@3", "k=4@4", "j=x@5+", "k=5@6+"]);
    iter.stop();
  });

  it("ignoreDeletes hides DEL markers", async () => {
    const kv = await open("w4");
    await kv.put("a", "1");
    await kv.put("b", "1");
    await kv.delete("b");
    const iter = await kv.watch({ ignoreDeletes: true });
    const r = reader(iter);
    await r.next(1);
    await kv.delete("a");
    await kv.put("c", "1");
    await kv.purge("c");
    await kv.put("d", "1");
    const got = await r.next(3);
    // ignoreDeletes drops DEL only; a PURGE marker still arrives.
    expect(got.map((e) => `${e.key}:${e.operation}@${e.revision}`)).toEqual([
      "a:PUT@1",
      "c:PUT@5",
      "c:PURGE@6",
    ]);
    expect((await r.next(4))[3]?.key).toBe("d");
    iter.stop();
  });

  it("updatesOnly starts after the current values", async () => {
    const kv = await open("w5");
    await kv.put("a", "1");
    await kv.put("b", "1");
    const iter = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
    const r = reader(iter);
    await kv.put("a", "2");
    await kv.put("c", "1");
    const got = await r.next(2);
    expect(got.map(show)).toEqual(["a=2@3+", "c=1@4+"]);
    iter.stop();
  });

  it("resumes from a revision", async () => {
    const kv = await open("w6");
    for (const k of ["a", "b", "c", "d"]) await kv.put(k, k);
    const iter = await kv.watch({ resumeFromRevision: 3 });
    const r = reader(iter);
    const got = await r.next(2);
    expect(got.map((e) => `${e.key}@${e.revision}`)).toEqual(["c@3", "d@4"]);
    iter.stop();
  });

  it("an empty bucket's watcher sees only updates, and many watchers see the same stream", async () => {
    // History 10 keeps all 50 values (at most 8 per key): a value the history limit removes before the
    // watcher's consumer reaches it is skipped, on nats-server too.
    const kv = await open("w7", 10);
    const iters = await Promise.all([kv.watch(), kv.watch(), kv.watch()]);
    const rs = iters.map((it) => reader(it));
    for (let i = 0; i < 50; i++) await kv.put(`k${i % 7}`, `${i}`);
    for (const r of rs) {
      const got = await r.next(50);
      expect(got.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(got.every((e) => e.isUpdate)).toBe(true);
    }
    for (const it of iters) it.stop();
  });
});

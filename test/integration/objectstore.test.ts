// Object store (ADR-20) through @nats-io/obj against natsgate: chunked puts from a stream with the SHA-256
// digest checked on get, info, list, delete, meta update, links, watch, seal, status, bucket list/destroy.

import { createHash } from "node:crypto";
import { type ObjectInfo, type ObjectStore, type ObjectWatchInfo, Objm } from "@nats-io/obj";
import { describe, expect, it } from "vitest";
import { STORAGES, useJetStream } from "./jetstream-stream-fixture.js";

const enc = new TextEncoder();

/** Deterministic pseudo-random bytes, so a wrong chunk order or a lost chunk changes the digest. */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A ReadableStream that hands out `data` in pieces of `piece` bytes (not aligned with chunks). */
function streamOf(data: Uint8Array, piece = 100_003): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(ctl) {
      if (off >= data.length) {
        ctl.close();
        return;
      }
      ctl.enqueue(data.subarray(off, off + piece));
      off += piece;
    },
  });
}

async function readAll(rs: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = rs.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** ADR-20's digest: `SHA-256=` and the padded base64url SHA-256 of the content. */
const sha256 = (d: Uint8Array) =>
  `SHA-256=${createHash("sha256").update(d).digest("base64").replaceAll("+", "-").replaceAll("/", "_")}`;

describe.each(STORAGES)("object store (%s storage)", (storage) => {
  const h = useJetStream();
  const open = (name: string, opts = {}): Promise<ObjectStore> =>
    new Objm(h.nc).create(name, { storage, ...opts });

  it("puts a 20 MB object from a stream in 128 KiB chunks and gets it back with its digest", async () => {
    const os = await open("big");
    const data = bytes(20 * 1024 * 1024, 7);
    const info = await os.put({ name: "blob.bin", description: "twenty" }, streamOf(data));
    expect(info.size).toBe(data.length);
    expect(info.chunks).toBe(160);
    expect(info.digest).toBe(sha256(data));
    expect(info.bucket).toBe("big");
    expect(info.description).toBe("twenty");
    const si = await h.jsm.streams.info("OBJ_big");
    expect(si.config.subjects).toEqual(["$O.big.C.>", "$O.big.M.>"]);
    expect(si.state.messages).toBe(161);
    const got = await os.get("blob.bin");
    expect(got).not.toBeNull();
    const back = await readAll(got!.data);
    expect((await got!.error) ?? null).toBeNull();
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(info.digest);
  }, 60_000);

  it("gets, lists, updates meta and deletes objects", async () => {
    const os = await open("ops", { description: "docs" });
    await os.putBlob({ name: "a.txt" }, enc.encode("alpha"));
    await os.putBlob({ name: "b/c.txt", metadata: { k: "v" } }, enc.encode("beta"));
    await os.putBlob({ name: "empty" }, new Uint8Array(0));
    expect(Buffer.from((await os.getBlob("a.txt"))!).toString()).toBe("alpha");
    expect((await os.getBlob("empty"))?.length).toBe(0);
    expect(await os.getBlob("missing")).toBeNull();
    const b = (await os.info("b/c.txt")) as ObjectInfo;
    expect(b.metadata).toEqual({ k: "v" });
    expect(b.size).toBe(4);
    expect(b.chunks).toBe(1);
    expect((await os.list()).map((i) => i.name).sort()).toEqual(["a.txt", "b/c.txt", "empty"]);

    // Replacing an object keeps one meta message and purges the old chunks.
    await os.putBlob({ name: "a.txt" }, enc.encode("alpha2"));
    expect(Buffer.from((await os.getBlob("a.txt"))!).toString()).toBe("alpha2");

    await os.update("a.txt", { name: "renamed.txt", description: "moved" });
    expect(await os.info("a.txt")).toBeNull();
    const moved = await os.info("renamed.txt");
    expect(moved?.description).toBe("moved");
    expect(Buffer.from((await os.getBlob("renamed.txt"))!).toString()).toBe("alpha2");

    const pr = await os.delete("renamed.txt");
    expect(pr.success).toBe(true);
    const del = await os.info("renamed.txt");
    expect(del?.deleted).toBe(true);
    expect(del?.size).toBe(0);
    expect(await os.getBlob("renamed.txt")).toBeNull();
    expect((await os.list()).map((i) => i.name).sort()).toEqual(["b/c.txt", "empty"]);
    // 3 meta messages (b, empty, the deleted one) + 1 chunk for b (empty has none).
    expect((await h.jsm.streams.info("OBJ_ops")).state.messages).toBe(4);
  });

  it("links to objects and to other buckets", async () => {
    const os = await open("src");
    const other = await open("other");
    await os.putBlob({ name: "target" }, enc.encode("payload"));
    const target = (await os.info("target"))!;
    const link = await os.link("ln", target);
    expect(link.options?.link).toEqual({ bucket: "src", name: "target" });
    expect(Buffer.from((await os.getBlob("ln"))!).toString()).toBe("payload");
    const bl = await os.linkStore("bucket-link", other);
    expect(bl.options?.link).toEqual({ bucket: "other" });
    await expect(os.link("bad", bl)).rejects.toThrow("object is a link");
    // A link to a deleted object reads as missing.
    await os.delete("target");
    expect(await os.getBlob("ln")).toBeNull();
  });

  it("watches object infos: current ones with includeHistory, then changes", async () => {
    const os = await open("wat");
    await os.putBlob({ name: "one" }, enc.encode("1"));
    await os.putBlob({ name: "zero" }, enc.encode(""));
    const history = watcher(await os.watch({ includeHistory: true }));
    const updates = watcher(await os.watch());
    await history.next(2);
    await os.putBlob({ name: "two" }, enc.encode("22"));
    await os.delete("one");
    const row = (e: ObjectWatchInfo) => [e.name, e.size, e.deleted === true];
    expect((await history.next(4)).map(row)).toEqual([
      ["one", 1, false],
      ["zero", 0, false],
      ["two", 2, false],
      ["one", 0, true],
    ]);
    // Without history the watcher starts at new messages (deliver_policy new).
    expect((await updates.next(2)).map(row)).toEqual([
      ["two", 2, false],
      ["one", 0, true],
    ]);
    expect(updates.seen.every((e) => e.isUpdate)).toBe(true);
    history.stop();
    updates.stop();
  });

  it("seals a bucket and reports status; lists and destroys buckets", async () => {
    const os = await open("sl", { description: "sealed one" });
    await os.putBlob({ name: "x" }, bytes(300_000));
    let st = await os.status();
    expect(st.bucket).toBe("sl");
    expect(st.description).toBe("sealed one");
    expect(st.storage).toBe(storage);
    expect(st.replicas).toBe(1);
    expect(st.sealed).toBe(false);
    expect(st.backingStore).toBe("JetStream");
    expect(st.size).toBeGreaterThan(300_000);
    st = await os.seal();
    expect(st.sealed).toBe(true);
    await expect(os.putBlob({ name: "y" }, enc.encode("y"))).rejects.toThrow();
    expect((await os.getBlob("x"))?.length).toBe(300_000);
    const objm = new Objm(h.nc);
    await open("another");
    const names: string[] = [];
    for await (const s of objm.list()) names.push(s.bucket);
    expect(names.sort()).toEqual(["another", "sl"]);
    expect(await os.destroy()).toBe(true);
    await expect(h.jsm.streams.info("OBJ_sl")).rejects.toThrow("stream not found");
  });
});

/** Collects a watch iterator's entries; `next(n)` waits (with a timeout) until n have arrived. */
function watcher(iter: AsyncIterable<ObjectWatchInfo> & { stop(): void }) {
  const seen: ObjectWatchInfo[] = [];
  void (async () => {
    for await (const e of iter) seen.push(e);
  })();
  return {
    seen,
    stop: () => iter.stop(),
    async next(n: number, timeoutMs = 10_000): Promise<ObjectWatchInfo[]> {
      const deadline = Date.now() + timeoutMs;
      while (seen.length < n) {
        if (Date.now() > deadline) throw new Error(`watch saw ${seen.length} infos, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return seen.slice(0, n);
    },
  };
}

// The MessageStore contract: the memory and the file store must pass the same suite.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore } from "../../../src/storage/file-store.js";
import { MemoryStore } from "../../../src/storage/memory-store.js";
import {
  isStoreError,
  type MessageStore,
  type RemoveReason,
  type StoreLimits,
  toUnixNanos,
  unlimited,
} from "../../../src/storage/store.js";

interface Flavour {
  name: "memory" | "file";
  make(limits?: Partial<StoreLimits>): MessageStore;
  /** nats-server's accounted size for a message. */
  size(subject: string, hdrLen: number, payloadLen: number): number;
}

const dirs: string[] = [];
const opened: MessageStore[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "natsgate-store-"));
  dirs.push(d);
  return d;
}

const flavours: Flavour[] = [
  {
    name: "memory",
    make: (limits) => new MemoryStore({ limits }),
    size: (s, h, p) => s.length + h + p + 16,
  },
  {
    name: "file",
    make: (limits) => new FileStore({ dir: tmpDir(), limits, blockSize: 4096 }),
    size: (s, h, p) => 22 + s.length + (h > 0 ? 4 + h : 0) + p + 8,
  },
];

afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {}
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const b = (s: string) => Buffer.from(s);

function removals(store: MessageStore): Array<[number, string, RemoveReason]> {
  const out: Array<[number, string, RemoveReason]> = [];
  store.onRemove((seq, subject, reason) => out.push([seq, subject, reason]));
  return out;
}

function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error("timed out waiting for condition"));
      setTimeout(tick, 5);
    };
    tick();
  });
}

function expectStoreError(fn: () => unknown, code: string, text: string): void {
  try {
    fn();
  } catch (err) {
    expect(isStoreError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    expect((err as Error).message).toBe(text);
    return;
  }
  throw new Error(`expected StoreError ${code}`);
}

describe.each(flavours)("$name store contract", (f) => {
  const make = (limits?: Partial<StoreLimits>) => {
    const s = f.make(limits);
    opened.push(s);
    return s;
  };

  it("stores and loads messages with sequences, headers and increasing times", () => {
    const s = make();
    const before = Date.now();
    const r1 = s.store("foo", null, b("hello"));
    const r2 = s.store("foo.bar", b("NATS/1.0\r\nA: b\r\n\r\n"), b("world"));
    const r3 = s.store("baz", Buffer.alloc(0), Buffer.alloc(0));
    expect([r1.seq, r2.seq, r3.seq]).toEqual([1, 2, 3]);
    expect(r1.ts).toBeGreaterThanOrEqual(before);
    expect(r1.ts).toBeLessThanOrEqual(Date.now());
    expect(toUnixNanos(r2.ts, r2.tsNanos) > toUnixNanos(r1.ts, r1.tsNanos)).toBe(true);
    const m2 = s.load(2)!;
    expect(m2.subject).toBe("foo.bar");
    expect(m2.headers?.toString()).toBe("NATS/1.0\r\nA: b\r\n\r\n");
    expect(m2.payload.toString()).toBe("world");
    expect([m2.ts, m2.tsNanos]).toEqual([r2.ts, r2.tsNanos]);
    expect(s.load(1)!.headers).toBeNull();
    const m3 = s.load(3)!;
    expect(m3.headers).toBeNull();
    expect(m3.payload.length).toBe(0);
    expect(s.load(4)).toBeNull();
    expect(s.load(0)).toBeNull();
  });

  it("copies what it stores: later changes to the caller's buffer do not show", () => {
    const s = make();
    const payload = b("abc");
    s.store("x", null, payload);
    payload.write("zzz");
    expect(s.load(1)!.payload.toString()).toBe("abc");
  });

  it("reports state like nats-server: counts, accounted bytes, first/last, subjects", () => {
    const s = make();
    const empty = s.state();
    expect(empty).toMatchObject({ msgs: 0, bytes: 0, firstSeq: 0, lastSeq: 0, firstTs: 0, numDeleted: 0 });
    const r1 = s.store("file.foo", null, b("hello"));
    const r2 = s.store("file.foo", b("NATS/1.0\r\nA: b\r\n\r\n"), b("hello"));
    const st = s.state();
    expect(st.msgs).toBe(2);
    expect(st.bytes).toBe(f.size("file.foo", 0, 5) + f.size("file.foo", 18, 5));
    expect(st.bytes).toBe(f.name === "file" ? 108 : 2 * 8 + 18 + 10 + 32);
    expect([st.firstSeq, st.firstTs, st.firstTsNanos]).toEqual([1, r1.ts, r1.tsNanos]);
    expect([st.lastSeq, st.lastTs, st.lastTsNanos]).toEqual([2, r2.ts, r2.tsNanos]);
    expect(st.numSubjects).toBe(1);
    expect(st.numDeleted).toBe(0);
  });

  it("finds the last message by literal and wildcard subject", () => {
    const s = make();
    s.store("a.1", null, b("1"));
    s.store("a.2", null, b("2"));
    s.store("b.1", null, b("3"));
    s.store("a.1", null, b("4"));
    s.store("b.2.x", null, b("5"));
    expect(s.loadLastBySubject("a.1")!.seq).toBe(4);
    expect(s.loadLastBySubject("a.2")!.seq).toBe(2);
    expect(s.loadLastBySubject("a.*")!.seq).toBe(4);
    expect(s.loadLastBySubject("b.*")!.seq).toBe(3);
    expect(s.loadLastBySubject("b.>")!.seq).toBe(5);
    expect(s.loadLastBySubject(">")!.seq).toBe(5);
    expect(s.loadLastBySubject("c")).toBeNull();
    s.remove(4, false);
    expect(s.loadLastBySubject("a.1")!.seq).toBe(1);
    expect(s.loadLastBySubject("a.*")!.seq).toBe(2);
  });

  it("loads the next and previous message matching a filter", () => {
    const s = make();
    for (let i = 0; i < 10; i++) s.store(i % 2 === 0 ? "even.x" : "odd.x", null, b(String(i)));
    expect(s.loadNextMatching(1, null)!.seq).toBe(1);
    expect(s.loadNextMatching(2, "even.x")!.seq).toBe(3);
    expect(s.loadNextMatching(2, "*.x")!.seq).toBe(2);
    expect(s.loadNextMatching(0, "odd.>")!.seq).toBe(2);
    expect(s.loadNextMatching(10, "even.x")).toBeNull();
    expect(s.loadNextMatching(11, null)).toBeNull();
    expect(s.loadNextMatching(1, "none")).toBeNull();
    expect(s.loadPrevMatching(10, "even.x")!.seq).toBe(9);
    expect(s.loadPrevMatching(100, "*.x")!.seq).toBe(10);
    expect(s.loadPrevMatching(1, "odd.x")).toBeNull();
    s.remove(3, false);
    expect(s.loadNextMatching(2, "even.x")!.seq).toBe(5);
    expect(s.loadPrevMatching(4, "even.*")!.seq).toBe(1);
  });

  it("finds sparse wildcard matches far from the start (subject index path)", () => {
    const s = make();
    s.store("rare.a", null, b("first"));
    for (let i = 0; i < 1500; i++) s.store("common", null, b("x"));
    s.store("rare.b", null, b("last"));
    expect(s.loadNextMatching(2, "rare.*")!.payload.toString()).toBe("last");
    expect(s.loadPrevMatching(1501, "rare.*")!.payload.toString()).toBe("first");
    expect(s.loadNextMatching(1503, "rare.*")).toBeNull();
    expect(s.numPending(2, "rare.*", false)).toBe(1);
  });

  it("removes messages with and without erase and tracks deleted sequences", () => {
    const s = make();
    const seen = removals(s);
    for (let i = 1; i <= 5; i++) s.store(`s.${i}`, null, b(`m${i}`));
    expect(s.remove(2, false)).toBe(true);
    expect(s.remove(2, false)).toBe(false);
    expect(s.remove(4, true)).toBe(true);
    expect(s.remove(99, false)).toBe(false);
    expect(s.load(2)).toBeNull();
    expect(s.load(4)).toBeNull();
    let st = s.state({ deleted: true });
    expect(st).toMatchObject({ msgs: 3, firstSeq: 1, lastSeq: 5, numDeleted: 2, deleted: [2, 4] });
    expect(st.bytes).toBe(3 * f.size("s.1", 0, 2));
    expect(s.remove(1, false)).toBe(true);
    st = s.state({ deleted: true });
    expect(st).toMatchObject({ msgs: 2, firstSeq: 3, numDeleted: 1, deleted: [4] });
    expect(s.remove(5, false)).toBe(true);
    st = s.state({ deleted: true });
    expect(st).toMatchObject({ msgs: 1, firstSeq: 3, lastSeq: 5, numDeleted: 2, deleted: [4, 5] });
    expect(seen).toEqual([
      [2, "s.2", "remove"],
      [4, "s.4", "erase"],
      [1, "s.1", "remove"],
      [5, "s.5", "remove"],
    ]);
    expect(s.store("s.6", null, b("m6")).seq).toBe(6);
  });

  it("becomes empty at lastSeq + 1 after removing everything", () => {
    const s = make();
    s.store("a", null, b("1"));
    s.store("a", null, b("2"));
    s.remove(1, false);
    s.remove(2, false);
    expect(s.state()).toMatchObject({
      msgs: 0,
      bytes: 0,
      firstSeq: 3,
      lastSeq: 2,
      firstTs: 0,
      numDeleted: 0,
    });
    expect(s.store("a", null, b("3")).seq).toBe(3);
  });

  it("purges everything", () => {
    const s = make();
    const seen = removals(s);
    for (let i = 0; i < 5; i++) s.store("p", null, b("x"));
    const lastTs = s.state().lastTs;
    expect(s.purge()).toBe(5);
    expect(s.state()).toMatchObject({ msgs: 0, bytes: 0, firstSeq: 6, lastSeq: 5, lastTs, numSubjects: 0 });
    expect(seen.map((r) => r[2])).toEqual(["purge", "purge", "purge", "purge", "purge"]);
    expect(s.store("p", null, b("y")).seq).toBe(6);
    expect(s.load(1)).toBeNull();
  });

  it("purges by subject, with keep and with a sequence bound", () => {
    const s = make();
    for (let i = 1; i <= 10; i++) s.store(i <= 6 ? "a.x" : "b.x", null, b(String(i)));
    expect(s.purge({ subject: "a.x", keep: 2 })).toBe(4);
    expect(s.subjectsState().get("a.x")).toBe(2);
    expect(s.load(5)!.subject).toBe("a.x");
    expect(s.purge({ subject: "b.x", seq: 9 })).toBe(2);
    expect(s.load(9)!.payload.toString()).toBe("9");
    expect(s.purge({ subject: "*.x", keep: 1 })).toBe(3);
    expect(s.state({ deleted: true })).toMatchObject({ msgs: 1, firstSeq: 10, lastSeq: 10 });
    expect(s.purge({ subject: "nothing" })).toBe(0);
    expectStoreError(
      () => s.purge({ seq: 5, keep: 1 }),
      "purgeArgMismatch",
      "sequence > 1 && keep > 0 not allowed",
    );
  });

  it("purges the whole stream with keep and seq", () => {
    const s = make();
    for (let i = 1; i <= 10; i++) s.store("k", null, b(String(i)));
    s.remove(8, false);
    expect(s.purge({ keep: 3 })).toBe(6);
    expect(s.state()).toMatchObject({ msgs: 3, firstSeq: 7 });
    expect(s.purge({ keep: 5 })).toBe(0);
    expect(s.purge({ seq: 10 })).toBe(2);
    expect(s.state()).toMatchObject({ msgs: 1, firstSeq: 10, lastSeq: 10 });
  });

  it("compacts below a sequence and past the end", () => {
    const s = make();
    const seen = removals(s);
    for (let i = 1; i <= 6; i++) s.store("c", null, b(String(i)));
    expect(s.compact(4)).toBe(3);
    expect(s.state()).toMatchObject({ msgs: 3, firstSeq: 4, lastSeq: 6 });
    expect(seen.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(seen[0]![2]).toBe("compact");
    expect(s.compact(2)).toBe(0);
    expect(s.compact(20)).toBe(3);
    expect(s.state()).toMatchObject({ msgs: 0, firstSeq: 20, lastSeq: 19 });
    expect(s.store("c", null, b("next")).seq).toBe(20);
  });

  it("enforces max_msgs by dropping the oldest", () => {
    const s = make({ maxMsgs: 3 });
    const seen = removals(s);
    for (let i = 1; i <= 5; i++) s.store("m", null, b(String(i)));
    expect(s.state()).toMatchObject({ msgs: 3, firstSeq: 3, lastSeq: 5 });
    expect(seen).toEqual([
      [1, "m", "maxMsgs"],
      [2, "m", "maxMsgs"],
    ]);
  });

  it("enforces max_bytes by dropping the oldest", () => {
    const one = f.size("m", 0, 10);
    const s = make({ maxBytes: one * 2 + 1 });
    const seen = removals(s);
    for (let i = 0; i < 4; i++) s.store("m", null, Buffer.alloc(10, i));
    expect(s.state()).toMatchObject({ msgs: 2, bytes: one * 2, firstSeq: 3 });
    expect(seen.map((r) => r[2])).toEqual(["maxBytes", "maxBytes"]);
  });

  it("enforces max_msgs_per_subject", () => {
    const s = make({ maxMsgsPerSubject: 2 });
    const seen = removals(s);
    for (let i = 1; i <= 4; i++) s.store("kv.a", null, b(String(i)));
    s.store("kv.b", null, b("b"));
    expect(s.subjectsState()).toEqual(
      new Map([
        ["kv.a", 2],
        ["kv.b", 1],
      ]),
    );
    expect(s.loadNextMatching(0, "kv.a")!.payload.toString()).toBe("3");
    expect(seen).toEqual([
      [1, "kv.a", "maxMsgsPerSubject"],
      [2, "kv.a", "maxMsgsPerSubject"],
    ]);
  });

  it("expires messages past max_age", async () => {
    const s = make({ maxAge: 60 });
    const seen = removals(s);
    s.store("age", null, b("1"));
    s.store("age", null, b("2"));
    await waitFor(() => seen.length === 2);
    expect(seen.map((r) => r[2])).toEqual(["maxAge", "maxAge"]);
    expect(s.state()).toMatchObject({ msgs: 0, firstSeq: 3, lastSeq: 2 });
  });

  it("expires a message after its own TTL", async () => {
    const s = make();
    const seen = removals(s);
    s.store("ttl", null, b("short"), undefined, 40);
    s.store("ttl", null, b("forever"));
    expect(s.load(1)!.ttl).toBe(40);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([[1, "ttl", "ttl"]]);
    expect(s.load(2)!.payload.toString()).toBe("forever");
  });

  it("refuses new messages over limits with discard new, with nats-server's texts", () => {
    const msgs = make({ maxMsgs: 2, discard: "new" });
    msgs.store("a", null, b("1"));
    msgs.store("b", null, b("2"));
    expectStoreError(() => msgs.store("c", null, b("3")), "maxMsgs", "maximum messages exceeded");
    expect(msgs.state().msgs).toBe(2);

    const bytes = make({ maxBytes: 100, discard: "new" });
    bytes.store("a", null, Buffer.alloc(10));
    expectStoreError(() => bytes.store("a", null, Buffer.alloc(100)), "maxBytes", "maximum bytes exceeded");

    const per = make({ maxMsgsPerSubject: 1, discard: "new", discardNewPerSubject: true });
    per.store("kv.a", null, b("1"));
    per.store("kv.b", null, b("1"));
    expectStoreError(
      () => per.store("kv.a", null, b("2")),
      "maxMsgsPerSubject",
      "maximum messages per subject exceeded",
    );

    const size = make({ maxMsgSize: 4 });
    size.store("a", null, b("1234"));
    expectStoreError(
      () => size.store("a", null, b("12345")),
      "msgTooLarge",
      "message size exceeds maximum allowed",
    );
    expectStoreError(
      () => size.store("a", b("NATS/1.0\r\n\r\n"), b("1")),
      "msgTooLarge",
      "message size exceeds maximum allowed",
    );
  });

  it("with discard new, a subject at its limit replaces its oldest instead of failing max_msgs", () => {
    const s = make({ maxMsgs: 2, maxMsgsPerSubject: 1, discard: "new" });
    s.store("kv.a", null, b("1"));
    s.store("kv.b", null, b("1"));
    expect(s.store("kv.a", null, b("2")).seq).toBe(3);
    expect(s.state()).toMatchObject({ msgs: 2, firstSeq: 2 });
    expectStoreError(() => s.store("kv.c", null, b("1")), "maxMsgs", "maximum messages exceeded");
  });

  it("applies lowered limits at once", () => {
    const s = make();
    for (let i = 1; i <= 6; i++) s.store(i % 2 ? "u.a" : "u.b", null, b(String(i)));
    s.updateLimits({ ...unlimited, maxMsgsPerSubject: 2 });
    expect(s.state()).toMatchObject({ msgs: 4, firstSeq: 3 });
    s.updateLimits({ ...unlimited, maxMsgs: 1 });
    expect(s.state()).toMatchObject({ msgs: 1, firstSeq: 6 });
  });

  it("counts pending messages for consumers", () => {
    const s = make();
    const subjects = ["o.1", "o.2", "o.1", "p.1", "o.2", "o.1"];
    for (const subj of subjects) s.store(subj, null, b("x"));
    expect(s.numPending(1, null, false)).toBe(6);
    expect(s.numPending(4, null, false)).toBe(3);
    expect(s.numPending(1, "o.1", false)).toBe(3);
    expect(s.numPending(4, "o.1", false)).toBe(1);
    expect(s.numPending(2, "o.*", false)).toBe(4);
    expect(s.numPending(1, "o.*", true)).toBe(2);
    expect(s.numPending(6, "o.*", true)).toBe(1);
    expect(s.numPending(1, null, true)).toBe(3);
    expect(s.numPending(7, null, false)).toBe(0);
    s.remove(5, false);
    expect(s.numPending(4, "o.*", false)).toBe(1);
    expect(s.filteredState(2, "o.*")).toEqual({ msgs: 3, first: 2, last: 6 });
    expect(s.filteredState(1, "z")).toEqual({ msgs: 0, first: 0, last: 0 });
    expect(s.subjectsState("o.*")).toEqual(
      new Map([
        ["o.1", 3],
        ["o.2", 1],
      ]),
    );
    expect(s.state().numSubjects).toBe(3);
  });

  it("finds the first sequence at or after a time", () => {
    const s = make();
    const r = [1, 2, 3, 4].map((i) => s.store("t", null, b(String(i))));
    expect(s.seqForTime(0)).toBe(1);
    expect(s.seqForTime(r[2]!.ts, r[2]!.tsNanos)).toBe(3);
    expect(s.seqForTime(r[3]!.ts, r[3]!.tsNanos + 1)).toBe(5);
    s.remove(2, false);
    expect(s.seqForTime(r[1]!.ts, r[1]!.tsNanos)).toBe(3);
  });

  it("keeps given timestamps (sourcing) and stays monotonic after them", () => {
    const s = make();
    const r = s.store("src", null, b("1"), { ms: 1_700_000_000_123, nanos: 456_789 });
    expect(r).toEqual({ seq: 1, ts: 1_700_000_000_123, tsNanos: 456_789 });
    expect(s.load(1)!.tsNanos).toBe(456_789);
  });

  it("throws once closed", async () => {
    const s = make();
    s.store("a", null, b("1"));
    s.close();
    expectStoreError(() => s.store("a", null, b("2")), "closed", "store is closed");
    expectStoreError(() => s.load(1), "closed", "store is closed");
    expectStoreError(() => s.state(), "closed", "store is closed");
    // Durability calls after close have nothing left to do and must not fail a pending commit.
    expect(() => s.sync()).not.toThrow();
    await expect(s.flush()).resolves.toBeUndefined();
  });
});

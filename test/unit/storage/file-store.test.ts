// File store persistence: reopen, torn tails, corrupt records, block retirement, erase on disk, scale.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileStore, type FileStoreOptions } from "../../../src/storage/file-store.js";
import { isStoreError, type MessageStore, type StoreState } from "../../../src/storage/store.js";

const dirs: string[] = [];
const opened: MessageStore[] = [];

afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {}
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "natsgate-fs-"));
  dirs.push(d);
  return d;
}

function open(dir: string, opts: Partial<FileStoreOptions> = {}): FileStore {
  const s = new FileStore({ dir, blockSize: 1024, ...opts });
  opened.push(s);
  return s;
}

const b = (s: string) => Buffer.from(s);

function blockFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, "msgs"))
    .filter((n) => n.endsWith(".blk"))
    .sort()
    .map((n) => path.join(dir, "msgs", n));
}

function lastBlock(dir: string): string {
  return blockFiles(dir).at(-1)!;
}

/** The state fields that must survive a restart unchanged. */
function durable(st: StoreState) {
  const { lost: _lost, ...rest } = st;
  return rest;
}

describe("file store persistence", () => {
  it("recovers messages, removals, subjects and times after reopening", () => {
    const dir = tmpDir();
    const s = open(dir);
    for (let i = 1; i <= 60; i++) {
      const hdr = i % 3 === 0 ? b(`NATS/1.0\r\nI: ${i}\r\n\r\n`) : null;
      s.store(`orders.${i % 4}`, hdr, b(`payload-${i}`.repeat(3)), undefined, i === 10 ? 3_600_000 : 0);
    }
    s.remove(5, false);
    s.remove(6, true);
    s.remove(1, false);
    s.purge({ subject: "orders.3", keep: 2 });
    const before = s.state({ deleted: true });
    const subjects = s.subjectsState();
    const loads = [2, 4, 8, 9, 10, 30, 60].map((q) => s.load(q));
    expect(loads.every((m) => m !== null)).toBe(true);
    s.close();
    expect(blockFiles(dir).length).toBeGreaterThan(2);

    const r = open(dir);
    expect(durable(r.state({ deleted: true }))).toEqual(durable(before));
    expect(r.state().lost).toBeUndefined();
    expect(r.subjectsState()).toEqual(subjects);
    for (const m of loads) expect(r.load(m!.seq)).toEqual(m);
    expect(r.load(10)!.ttl).toBe(3_600_000);
    expect(r.load(7)).toBeNull();
    expect(r.load(5)).toBeNull();
    expect(r.load(6)).toBeNull();
    expect(r.loadLastBySubject("orders.3")!.seq).toBe(before.lastSeq - 1);
    const next = r.store("orders.0", null, b("after"));
    expect(next.seq).toBe(61);
    expect(next.ts * 1e6 + next.tsNanos).toBeGreaterThanOrEqual(before.lastTs * 1e6);
  });

  it("keeps the sequence after a purge and after compacting past the end", () => {
    const dir = tmpDir();
    const s = open(dir);
    for (let i = 0; i < 30; i++) s.store("p", null, b("x".repeat(50)));
    s.purge();
    s.close();
    let r = open(dir);
    expect(r.state()).toMatchObject({ msgs: 0, bytes: 0, firstSeq: 31, lastSeq: 30 });
    expect(blockFiles(dir).length).toBe(1);
    r.compact(100);
    r.close();
    r = open(dir);
    expect(r.state()).toMatchObject({ msgs: 0, firstSeq: 100, lastSeq: 99 });
    expect(r.store("p", null, b("y")).seq).toBe(100);
  });

  it("recovers what was flushed without a clean close (crash-like)", async () => {
    const dir = tmpDir();
    const s = open(dir);
    for (let i = 1; i <= 20; i++) s.store("c", null, b(`m${i}`));
    s.remove(3, false);
    await s.flush();
    const r = open(dir);
    expect(r.state()).toMatchObject({ msgs: 19, firstSeq: 1, lastSeq: 20, numDeleted: 1 });
    expect(r.load(20)!.payload.toString()).toBe("m20");
  });

  it("cuts a torn tail and keeps every complete record", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 1 << 20 });
    for (let i = 1; i <= 10; i++) s.store("t", null, b(`message number ${i}`));
    s.close();
    const file = lastBlock(dir);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 7);
    const r = open(dir, { blockSize: 1 << 20 });
    expect(r.state()).toMatchObject({ msgs: 9, firstSeq: 1, lastSeq: 9, lost: { records: 1 } });
    expect(r.load(9)!.payload.toString()).toBe("message number 9");
    expect(r.load(10)).toBeNull();
    expect(r.store("t", null, b("again")).seq).toBe(10);
    r.close();
    const again = open(dir, { blockSize: 1 << 20 });
    expect(again.state()).toMatchObject({ msgs: 10, lastSeq: 10 });
    expect(again.state().lost).toBeUndefined();
    expect(again.load(10)!.payload.toString()).toBe("again");
  });

  it("drops a last record whose checksum fails", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 1 << 20 });
    for (let i = 1; i <= 5; i++) s.store("f", null, b(`payload ${i}`));
    s.close();
    const file = lastBlock(dir);
    const data = fs.readFileSync(file);
    data[data.length - 10] ^= 0x40;
    fs.writeFileSync(file, data);
    const r = open(dir, { blockSize: 1 << 20 });
    expect(r.state()).toMatchObject({ msgs: 4, lastSeq: 4, lost: { records: 1 } });
    expect(r.load(4)!.payload.toString()).toBe("payload 4");
  });

  it("skips a corrupt record in the middle and keeps the ones after it", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 1 << 20 });
    for (let i = 1; i <= 5; i++) s.store("f", null, b(`payload ${i}`));
    s.close();
    const file = lastBlock(dir);
    const data = fs.readFileSync(file);
    const recLen = data.readUInt32LE(0);
    data[recLen * 2 + recLen - 6] ^= 0x01; // inside record 3's payload
    fs.writeFileSync(file, data);
    const r = open(dir, { blockSize: 1 << 20 });
    expect(r.state({ deleted: true })).toMatchObject({ msgs: 4, lastSeq: 5, deleted: [3] });
    expect(r.load(5)!.payload.toString()).toBe("payload 5");
  });

  it("throws a corrupt error when a record is damaged after opening", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 1 << 20, cacheBytes: 0 });
    s.store("f", null, b("payload one"));
    s.store("f", null, b("payload two"));
    s.sync();
    const file = lastBlock(dir);
    const fd = fs.openSync(file, "r+");
    fs.writeSync(fd, b("X"), 0, 1, 45);
    fs.closeSync(fd);
    let caught: unknown;
    try {
      s.load(1);
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, "corrupt")).toBe(true);
    expect(s.load(2)!.payload.toString()).toBe("payload two");
  });

  it("deletes dead blocks at the front and shrinks dead ones in the middle", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 500 });
    const big = "z".repeat(60);
    for (let i = 1; i <= 5; i++) s.store("a", null, b(big)); // block 1
    for (let i = 6; i <= 10; i++) s.store("b", null, b(big)); // block 2
    s.remove(2, false); // tombstone lands in block 2, covers block 1
    for (let i = 11; i <= 15; i++) s.store("c", null, b(big)); // block 3
    for (let i = 16; i <= 17; i++) s.store("d", null, b(big)); // block 4 (active)
    expect(blockFiles(dir).length).toBe(4);
    for (let i = 6; i <= 10; i++) s.remove(i, false);
    let files = blockFiles(dir);
    expect(files.length).toBe(4);
    expect(fs.statSync(files[1]!).size).toBe(36); // only the tombstone for seq 2 is left
    for (const seq of [1, 3, 4, 5]) s.remove(seq, false);
    files = blockFiles(dir);
    expect(files.length).toBe(2); // block 1 went, and block 2 (now at the front) after it
    s.close();
    const r = open(dir, { blockSize: 500 });
    expect(r.state({ deleted: true })).toMatchObject({ msgs: 7, firstSeq: 11, lastSeq: 17, numDeleted: 0 });
    expect(r.loadNextMatching(0, null)!.subject).toBe("c");
  });

  it("a shrunk block keeps deleted messages of older blocks deleted after reopening", () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 500 });
    const big = "q".repeat(60);
    for (let i = 1; i <= 5; i++) s.store("a", null, b(big));
    for (let i = 6; i <= 10; i++) s.store("b", null, b(big));
    s.remove(3, false);
    for (let i = 11; i <= 15; i++) s.store("c", null, b(big));
    for (let i = 6; i <= 10; i++) s.remove(i, false);
    s.close();
    const r = open(dir, { blockSize: 500 });
    expect(r.state({ deleted: true })).toMatchObject({ msgs: 9, firstSeq: 1, deleted: [3, 6, 7, 8, 9, 10] });
  });

  it("erase overwrites the message bytes on disk", async () => {
    const dir = tmpDir();
    const s = open(dir, { blockSize: 1 << 20 });
    s.store("e", null, b("keep-me"));
    s.store("e", b("NATS/1.0\r\nSecret: hdr\r\n\r\n"), b("TOP-SECRET-PAYLOAD"));
    s.store("e", null, b("keep-me-too"));
    await s.flush();
    const disk = () =>
      blockFiles(dir)
        .map((f) => fs.readFileSync(f).toString("latin1"))
        .join("");
    expect(disk()).toContain("TOP-SECRET-PAYLOAD");
    expect(s.remove(2, true)).toBe(true);
    await s.flush();
    expect(disk()).not.toContain("TOP-SECRET-PAYLOAD");
    expect(disk()).not.toContain("Secret: hdr");
    s.close();
    const r = open(dir, { blockSize: 1 << 20 });
    expect(r.state({ deleted: true })).toMatchObject({ msgs: 2, deleted: [2] });
    expect(r.load(3)!.payload.toString()).toBe("keep-me-too");
  });

  it("writes through to the file before store() returns with syncAlways", () => {
    const dir = tmpDir();
    const s = open(dir, { syncAlways: true, blockSize: 1 << 20 });
    s.store("s", null, b("durable"));
    expect(fs.readFileSync(lastBlock(dir)).toString("latin1")).toContain("durable");
    s.remove(1, false);
    const r = open(dir, { blockSize: 1 << 20 });
    expect(r.state()).toMatchObject({ msgs: 0, firstSeq: 2, lastSeq: 1 });
  });

  it("expires messages past max_age when reopened", () => {
    const dir = tmpDir();
    const s = open(dir);
    const old = Date.now() - 60_000;
    s.store("old", null, b("1"), { ms: old, nanos: 0 });
    s.store("old", null, b("2"), { ms: old + 1, nanos: 0 });
    s.store("new", null, b("3"));
    s.close();
    const r = open(dir, { limits: { maxAge: 30_000 } });
    expect(r.state()).toMatchObject({ msgs: 1, firstSeq: 3, lastSeq: 3 });
  });

  it("refuses a directory holding another format", () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "store.json"), '{"format":"something-else","version":9}');
    let caught: unknown;
    try {
      open(dir);
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, "badFormat")).toBe(true);
  });

  it("delete() removes the directory", () => {
    const dir = tmpDir();
    const s = open(dir);
    s.store("d", null, b("x"));
    s.delete();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("stores and recovers 100k messages within a generous bound", async () => {
    const dir = tmpDir();
    const payload = Buffer.alloc(100, 7);
    const t0 = performance.now();
    const s = open(dir, { blockSize: 8 * 1024 * 1024 });
    for (let i = 0; i < 100_000; i++) s.store(`bulk.${i % 100}`, null, payload);
    await s.flush();
    const t1 = performance.now();
    s.close();
    const r = open(dir, { blockSize: 8 * 1024 * 1024 });
    const t2 = performance.now();
    expect(r.state()).toMatchObject({ msgs: 100_000, lastSeq: 100_000, numSubjects: 100 });
    expect(r.state().bytes).toBe(100_000 * (22 + 100 + 8) + 10_000 * 6 + 90_000 * 7);
    expect(r.load(54_321)!.subject).toBe("bulk.20");
    expect(r.numPending(90_001, "bulk.7", false)).toBe(100);
    expect(t1 - t0).toBeLessThan(15_000);
    expect(t2 - t1).toBeLessThan(15_000);
  }, 60_000);
});

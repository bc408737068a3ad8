// File-backed message store (JetStream storage: file): an append-only log of checksummed records
// in block files under <dir>/msgs, the index rebuilt from them on open, writes batched per turn.

import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomicSync } from "./atomic-file.js";
import { BaseStore, type BaseStoreOptions, type EntryBase, type ReleaseMode } from "./base-store.js";
import type { BlockFile } from "./block-file.js";
import { BlockSet } from "./block-set.js";
import { decodeMessage, encodeErased, encodeMessage, recordSeq, validRecordLength } from "./record-codec.js";
import { recoverBlocks } from "./recovery.js";
import {
  type MsgTimestamp,
  type PurgeOptions,
  type StoredMessage,
  StoreError,
  type StoreLimits,
  type SyncPolicy,
} from "./store.js";

const META_FILE = "store.json";
const META = { format: "natsgate-file-store", version: 1 };
const DEFAULT_SYNC_INTERVAL_MS = 120_000;
const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024;
/** Buffered bytes that trigger a write before the end of the event-loop turn. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface FileStoreOptions extends BaseStoreOptions, SyncPolicy {
  dir: string;
  /** Start a new block past this many bytes (default 8 MiB). */
  blockSize?: number;
  /** Bytes of recently written records kept in memory for loads (default 4 MiB). */
  cacheBytes?: number;
  /**
   * Told of a failed background write or fsync (end-of-turn flush, sync interval). The error is
   * also thrown by the next store() or sync(), so a writer learns of it either way.
   */
  onError?: (err: Error) => void;
}

interface FileEntry extends EntryBase {
  block: BlockFile;
  offset: number;
  length: number;
}

export class FileStore extends BaseStore<FileEntry> {
  readonly kind = "file" as const;
  private readonly dir: string;
  private readonly blocks: BlockSet;
  private readonly syncAlways: boolean;
  /** Recently written records by sequence, oldest first (Map keeps insertion order). */
  private readonly cache = new Map<number, Buffer>();
  private cacheBytes = 0;
  /** Lowest sequence that may still be cached. */
  private cacheLow = 0;
  private readonly cacheMax: number;
  private flushHandle: NodeJS.Immediate | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private readonly lost: { records: number; bytes: number };
  private readonly onError: ((err: Error) => void) | undefined;
  /** A background write failure not yet reported to a caller. */
  private backgroundError: Error | null = null;
  /** Inside a bulk operation: syncAlways fsyncs once at its end instead of per removal. */
  private batching = false;

  constructor(opts: FileStoreOptions) {
    super(opts);
    this.dir = opts.dir;
    this.syncAlways = opts.syncAlways ?? false;
    this.onError = opts.onError;
    this.cacheMax = opts.cacheBytes ?? DEFAULT_CACHE_BYTES;
    const msgDir = path.join(this.dir, "msgs");
    fs.mkdirSync(msgDir, { recursive: true });
    this.checkMeta();
    const rec = recoverBlocks(msgDir, (subjectBytes, headersLen, payloadLen) =>
      this.accountedSize(subjectBytes, headersLen, payloadLen),
    );
    this.lost = rec.lost;
    this.blocks = new BlockSet(msgDir, rec.blocks, opts.blockSize, this.syncAlways);
    for (const m of rec.messages) {
      if (m.seq < rec.floor || rec.tombstoned.has(m.seq)) continue;
      // The recovered record is the index entry itself (one object per message).
      this.restore(m.seq, m);
      m.block.live++;
    }
    this.restoreLast(Math.max(rec.maxSeq, rec.floor - 1), rec.lastTs, rec.lastTsNanos);
    this.blocks.retireDead();
    this.updateLimits(this.limits);
    const interval = opts.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    if (!this.syncAlways && interval > 0) {
      this.syncTimer = setInterval(() => this.inBackground(() => this.blocks.syncAll()), interval);
      this.syncTimer.unref();
    }
  }

  private checkMeta(): void {
    const file = path.join(this.dir, META_FILE);
    if (!fs.existsSync(file)) {
      writeFileAtomicSync(file, `${JSON.stringify(META)}\n`);
      return;
    }
    let meta: { format?: unknown; version?: unknown };
    try {
      meta = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      throw new StoreError("badFormat", file);
    }
    if (meta.format !== META.format || meta.version !== META.version) throw new StoreError("badFormat", file);
  }

  /** nats-server fileStoreMsgSize: record length(4) + seq(8) + ts(8) + subj_len(2) + subj + [hdr_len(4) + hdr] + msg + hash(8). */
  protected accountedSize(subjectBytes: number, headersLen: number, payloadLen: number): number {
    return 22 + subjectBytes + (headersLen > 0 ? 4 + headersLen : 0) + payloadLen + 8;
  }

  protected persist(
    seq: number,
    subject: string,
    headers: Buffer | null,
    payload: Buffer,
    size: number,
    ts: MsgTimestamp,
    ttl: number,
  ): FileEntry {
    this.throwBackgroundError();
    const record = encodeMessage(seq, subject, headers, payload, ts.ms, ts.nanos, ttl);
    const block = this.blocks.forWrite(record.length);
    const offset = block.append(record);
    if (block.firstSeq === 0) block.firstSeq = seq;
    block.lastSeq = seq;
    block.live++;
    this.cachePut(seq, record);
    this.afterWrite(block);
    return { subject, ts: ts.ms, tsNanos: ts.nanos, size, ttl, block, offset, length: record.length };
  }

  protected read(seq: number, e: FileEntry): StoredMessage {
    const cached = this.cache.get(seq);
    if (cached !== undefined) return decodeMessage(cached, 0, e.subject);
    const buf = this.blocks.read(e.block, e.offset, e.length);
    if (validRecordLength(buf, 0, buf.length) !== e.length || recordSeq(buf, 0) !== seq) {
      throw new StoreError("corrupt", `seq ${seq} in ${e.block.path}`);
    }
    return decodeMessage(buf, 0, e.subject);
  }

  protected release(seq: number, e: FileEntry, mode: ReleaseMode): void {
    if (mode !== "bulk") {
      // Removing the first message needs no per-sequence record: a floor says "all below are gone".
      if (seq === this.table.first) this.blocks.appendFloor(seq + 1);
      else this.blocks.appendTombstone(seq);
      if (mode === "erase") e.block.overwrite(e.offset, encodeErased(seq, e.length));
    }
    this.cacheDrop(seq);
    e.block.live--;
    if (mode !== "bulk") {
      this.afterWrite(this.blocks.active!);
      if (e.block.live === 0) this.blocks.retireDead();
    }
  }

  protected persistFloor(floor: number): void {
    this.blocks.writeFloorDurably(floor, this.table.size === 0);
  }

  /** Applies the sync policy after a write: fsync now, or write out at the end of this turn. */
  private afterWrite(block: BlockFile): void {
    if (this.syncAlways) {
      if (!this.batching) this.blocks.syncAll();
      return;
    }
    if (block.pendingBytes >= WRITE_BUFFER_BYTES) {
      block.flush();
    } else if (this.flushHandle === null) {
      this.flushHandle = setImmediate(() => {
        this.flushHandle = null;
        this.inBackground(() => this.blocks.flushActive());
      });
    }
  }

  private inBackground(work: () => void): void {
    if (this.closed) return;
    try {
      work();
    } catch (err) {
      this.backgroundError = err as Error;
      this.onError?.(err as Error);
    }
  }

  private throwBackgroundError(): void {
    const err = this.backgroundError;
    if (err !== null) {
      this.backgroundError = null;
      throw err;
    }
  }

  /** Runs a bulk operation with one fsync at the end under syncAlways. */
  private batch<T>(op: () => T): T {
    if (this.batching) return op();
    this.batching = true;
    try {
      return op();
    } finally {
      this.batching = false;
      if (this.syncAlways && !this.closed) this.blocks.syncAll();
    }
  }

  override purge(opts?: PurgeOptions): number {
    return this.batch(() => super.purge(opts));
  }

  override updateLimits(limits: StoreLimits): void {
    this.batch(() => super.updateLimits(limits));
  }

  protected override expireNow(): void {
    this.batch(() => super.expireNow());
  }

  private cachePut(seq: number, record: Buffer): void {
    this.cache.set(seq, record);
    this.cacheBytes += record.length;
    if (this.cache.size === 1) this.cacheLow = seq;
    // Evict by ascending sequence (insertion order) without Map iteration, which gets slow
    // when many entries were deleted from the front.
    while (this.cacheBytes > this.cacheMax && this.cache.size > 1) {
      const old = this.cache.get(this.cacheLow);
      if (old !== undefined) {
        this.cache.delete(this.cacheLow);
        this.cacheBytes -= old.length;
      }
      this.cacheLow++;
    }
  }

  private cacheDrop(seq: number): void {
    const record = this.cache.get(seq);
    if (record === undefined) return;
    this.cache.delete(seq);
    this.cacheBytes -= record.length;
  }

  override state(opts?: { deleted?: boolean }) {
    const st = super.state(opts);
    if (this.lost.records > 0) st.lost = { ...this.lost };
    return st;
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve(); // close() already wrote and synced everything
    try {
      this.throwBackgroundError();
      this.blocks.flushActive();
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }

  sync(): void {
    if (this.closed) return;
    this.throwBackgroundError();
    this.blocks.syncAll();
  }

  syncAsync(): Promise<void> {
    if (this.closed) return Promise.resolve(); // close() already wrote and synced everything
    try {
      this.throwBackgroundError();
      return this.blocks.syncAllAsync();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  protected closeBackend(): void {
    if (this.flushHandle !== null) clearImmediate(this.flushHandle);
    this.flushHandle = null;
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    this.syncTimer = null;
    this.blocks.closeAll();
    this.cache.clear();
    this.cacheBytes = 0;
    this.table.clear();
    this.subjects.clear();
  }

  protected deleteBackend(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

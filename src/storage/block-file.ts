// One block of a file store's log: an append-only file of records with a write buffer, positional
// reads, in-place rewrites (erase), fsync, and what the store tracks about the block in memory.

import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomicSync } from "./atomic-file.js";

export const BLOCK_SUFFIX = ".blk";

export function blockFileName(index: number): string {
  return `${index.toString().padStart(10, "0")}${BLOCK_SUFFIX}`;
}

export class BlockFile {
  readonly path: string;
  private fd: number | null = null;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Bytes in the block, buffered ones included (the next record's offset). */
  size: number;
  /** Bytes handed to the OS. */
  private written: number;
  /** Written since the last fsync. */
  private dirty = false;

  /** Lowest and highest message sequence ever written to this block (0 = none). */
  firstSeq = 0;
  lastSeq = 0;
  /** Live messages in this block. */
  live = 0;
  /** Sequences this block's tombstones remove (kept to decide what a rewrite must preserve). */
  tombstones: number[] = [];
  /** Floor records this block holds (their values). */
  floors: number[] = [];

  constructor(
    dir: string,
    readonly index: number,
    size: number,
  ) {
    this.path = path.join(dir, blockFileName(index));
    this.size = size;
    this.written = size;
  }

  /** Creates an empty block file on disk. */
  static create(dir: string, index: number): BlockFile {
    const b = new BlockFile(dir, index, 0);
    b.fd = fs.openSync(b.path, "wx+");
    return b;
  }

  /** Recovery: the block's valid length after scanning (a torn tail already cut off). */
  setRecoveredSize(size: number): void {
    this.size = size;
    this.written = size;
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** Bytes buffered and not yet written. */
  get pendingBytes(): number {
    return this.pendingLen;
  }

  private openFd(): number {
    if (this.fd === null) this.fd = fs.openSync(this.path, "r+");
    return this.fd;
  }

  /** Buffers a record; returns its offset in the block. */
  append(record: Buffer): number {
    const off = this.size;
    this.pending.push(record);
    this.pendingLen += record.length;
    this.size += record.length;
    return off;
  }

  /** Writes buffered records to the file (one writev). */
  flush(): void {
    if (this.pendingLen === 0) return;
    const fd = this.openFd();
    const bufs = this.pending;
    const total = this.pendingLen;
    let done = fs.writevSync(fd, bufs, this.written);
    if (done < total) {
      // Short write (rare on regular files): finish the rest piece by piece.
      const all = Buffer.concat(bufs, total);
      while (done < total) done += fs.writeSync(fd, all, done, total - done, this.written + done);
    }
    this.written += total;
    this.pending = [];
    this.pendingLen = 0;
    this.dirty = true;
  }

  /** Flushes and fsyncs if anything was written since the last sync. */
  sync(): void {
    this.flush();
    if (this.dirty && this.fd !== null) {
      fs.fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  /**
   * Flushes, then fdatasyncs on the thread pool so the event loop keeps serving while the disk works.
   * A block closed meanwhile was synced by close() itself, so EBADF is success here.
   */
  syncAsync(): Promise<void> {
    this.flush();
    if (!this.dirty || this.fd === null) return Promise.resolve();
    const fd = this.fd;
    this.dirty = false;
    return new Promise((resolve, reject) => {
      fs.fdatasync(fd, (err) => {
        if (err && err.code !== "EBADF") {
          this.dirty = true;
          reject(err);
        } else resolve();
      });
    });
  }

  read(offset: number, length: number): Buffer {
    if (offset + length > this.written) this.flush();
    const fd = this.openFd();
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  /** Rewrites bytes in place (erase). */
  overwrite(offset: number, data: Buffer): void {
    this.flush();
    const fd = this.openFd();
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, offset + done);
    this.dirty = true;
  }

  /** Closes the descriptor, flushing first; the block can be reopened by the next access. */
  close(): void {
    if (this.fd === null) return;
    this.sync();
    fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Replaces the block's content atomically (temp file + rename): shrinks a block of dead messages. */
  rewrite(records: Buffer[]): void {
    this.flush();
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    const data = Buffer.concat(records);
    writeFileAtomicSync(this.path, data);
    this.size = data.length;
    this.written = data.length;
    this.dirty = false;
  }

  /** Drops buffered data and removes the file. */
  unlink(): void {
    this.pending = [];
    this.pendingLen = 0;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.path, { force: true });
  }
}

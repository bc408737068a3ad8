// In-memory message store (JetStream storage: memory): messages live in the shared index itself.

import { BaseStore, type BaseStoreOptions, type EntryBase, type ReleaseMode } from "./base-store.js";
import type { MsgTimestamp, StoredMessage } from "./store.js";

interface MemoryEntry extends EntryBase {
  headers: Buffer | null;
  payload: Buffer;
}

export class MemoryStore extends BaseStore<MemoryEntry> {
  readonly kind = "memory" as const;

  constructor(opts: BaseStoreOptions = {}) {
    super(opts);
  }

  /** nats-server memStoreMsgSize: subject + headers + payload + 8*2 for seq and timestamp. */
  protected accountedSize(subjectBytes: number, headersLen: number, payloadLen: number): number {
    return subjectBytes + headersLen + payloadLen + 16;
  }

  protected persist(
    _seq: number,
    subject: string,
    headers: Buffer | null,
    payload: Buffer,
    size: number,
    ts: MsgTimestamp,
    ttl: number,
  ): MemoryEntry {
    // One copy into a buffer we own: callers hand us slices of socket reads they may keep alive.
    const hlen = headers?.length ?? 0;
    const buf = Buffer.allocUnsafeSlow(hlen + payload.length);
    if (headers !== null) headers.copy(buf, 0);
    payload.copy(buf, hlen);
    return {
      subject,
      ts: ts.ms,
      tsNanos: ts.nanos,
      size,
      ttl,
      headers: headers === null ? null : buf.subarray(0, hlen),
      payload: buf.subarray(hlen),
    };
  }

  protected read(seq: number, e: MemoryEntry): StoredMessage {
    return {
      seq,
      subject: e.subject,
      headers: e.headers,
      payload: e.payload,
      ts: e.ts,
      tsNanos: e.tsNanos,
      ttl: e.ttl,
    };
  }

  /**
   * Nothing to persist. Erase does not scribble over the buffer: loads hand out views of it that
   * may still be queued for delivery; dropping the store's reference is what erases it here.
   */
  protected release(_seq: number, _e: MemoryEntry, _mode: ReleaseMode): void {}

  protected persistFloor(_floor: number): void {}

  protected closeBackend(): void {
    this.table.clear();
    this.subjects.clear();
  }

  protected deleteBackend(): void {}

  flush(): Promise<void> {
    return Promise.resolve();
  }

  sync(): void {}

  syncAsync(): Promise<void> {
    return Promise.resolve();
  }
}

// Durability policy for file-backed streams. Durable (the default): a PubAck leaves only after an
// fsync that covers its record, and one fsync per event-loop turn covers every record written in
// that turn (group commit). Lazy (`sync_interval: <duration>`, nats-server's policy): a PubAck leaves
// once its record is handed to the OS (end of turn, no fsync), so a killed process loses no acked
// message; the disk catches up when the store's background timer syncs (power loss can lose that).

import type { InternalClient } from "../core/internal-client.js";
import type { MessageStore } from "../storage/store.js";
import type { Logger } from "../util/logger.js";

export interface SyncPolicyChoice {
  /** True: acks wait for fsync (group commit). False: nats-server's lazy interval sync. */
  durable: boolean;
  /** Background fsync interval handed to file stores (lazy mode; a safety net in durable mode). */
  intervalMs: number;
}

/** nats-server's defaultSyncInterval: the background sync period of durable stores too. */
export const NATS_DEFAULT_SYNC_INTERVAL_MS = 2 * 60 * 1000;

/**
 * Reads the jetstream sync options. `syncInterval` 0 (not configured) and `sync_interval: always`
 * select the durable default (PubAck after fsync, group commit); any configured duration, 2m
 * included, opts into nats-server's lazy syncing at that interval.
 */
export function resolveSyncPolicy(o: { syncInterval: number; syncAlways: boolean }): SyncPolicyChoice {
  if (o.syncAlways || o.syncInterval <= 0) {
    return { durable: true, intervalMs: NATS_DEFAULT_SYNC_INTERVAL_MS };
  }
  return { durable: false, intervalMs: o.syncInterval };
}

/** A reply held back until the records written before it are on disk. */
interface HeldReply {
  client: InternalClient;
  reply: string;
  body: Buffer;
  /** The store whose sync must succeed for this reply to go out; null for replies queued only for order. */
  store: MessageStore | null;
}

export class GroupCommit {
  private readonly dirty = new Set<MessageStore>();
  private held: HeldReply[] = [];
  private scheduled = false;
  private closed = false;
  /** fsyncs done and replies they released, for tests and benchmarks. */
  syncs = 0;
  released = 0;

  constructor(
    readonly policy: SyncPolicyChoice,
    private readonly logger: Logger,
  ) {}

  /** A file store was written to: durable mode syncs it this turn, lazy mode flushes it to the OS. */
  written(store: MessageStore): void {
    if (store.kind !== "file" || this.closed) return;
    this.dirty.add(store);
    this.schedule();
  }

  /**
   * Sends `body` to `reply` once `store` (if given) is synced. While anything is held, every reply
   * queues behind it so a client sees its acks (and duplicate acks of unsynced messages) in order.
   */
  reply(client: InternalClient, reply: string, body: Buffer, store: MessageStore | null): void {
    const mustWait = store !== null && this.dirty.has(store);
    if (!mustWait && this.held.length === 0 && this.inFlight === 0) {
      client.publish(reply, null, null, body);
      return;
    }
    this.held.push({ client, reply, body, store: mustWait ? store : null });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after this turn's I/O callbacks: every publish read in the turn is covered.
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    // Durable: fsync on the thread pool (publishes keep being read and written meanwhile); lazy: the
    // writes only have to reach the OS. Either way replies are released in order, behind earlier ones.
    const done = this.policy.durable ? this.syncDirtyAsync() : this.flushDirty();
    this.inFlight++;
    this.tail = this.tail
      .then(() => done)
      .then((failed) => {
        this.inFlight--;
        this.release(held, failed);
      });
  };

  /** Rounds whose sync (or flush) has not finished: replies queue behind them to keep their order. */
  private inFlight = 0;
  /** The chain of releases, so acks leave in the order their records were written. */
  private tail: Promise<unknown> = Promise.resolve();

  private release(held: HeldReply[], failed: Set<MessageStore>): void {
    for (const h of held) {
      // A reply whose records could not be written (or synced) is not sent: the publisher retries.
      if (h.store !== null && failed.has(h.store)) continue;
      h.client.publish(h.reply, null, null, h.body);
      this.released++;
    }
  }

  private syncDirty(): Set<MessageStore> {
    const failed = new Set<MessageStore>();
    for (const store of this.dirty) {
      try {
        store.sync();
        this.syncs++;
      } catch (err) {
        failed.add(store);
        this.logger.error({ err }, "JetStream failed to sync a stream store; acks withheld");
      }
    }
    this.dirty.clear();
    return failed;
  }

  private async syncDirtyAsync(): Promise<Set<MessageStore>> {
    const stores = [...this.dirty];
    this.dirty.clear();
    const failed = new Set<MessageStore>();
    await Promise.all(
      stores.map((store) =>
        store.syncAsync().then(
          () => {
            this.syncs++;
          },
          (err: unknown) => {
            failed.add(store);
            this.logger.error({ err }, "JetStream failed to sync a stream store; acks withheld");
          },
        ),
      ),
    );
    return failed;
  }

  private async flushDirty(): Promise<Set<MessageStore>> {
    const stores = [...this.dirty];
    this.dirty.clear();
    const failed = new Set<MessageStore>();
    await Promise.all(
      stores.map((store) =>
        store.flush().catch((err: unknown) => {
          failed.add(store);
          this.logger.error({ err }, "JetStream failed to write a stream store; acks withheld");
        }),
      ),
    );
    return failed;
  }

  /** Syncs (or flushes) now and sends what is held; used before replies that must see the disk. */
  drain(): void {
    if (this.dirty.size === 0 && this.held.length === 0) return;
    if (!this.policy.durable) {
      this.run();
      return;
    }
    // Synchronous: the caller closes or reads the stores next. Replies of rounds still in flight on
    // the thread pool may follow these; their records are synced by close() all the same.
    const held = this.held;
    this.held = [];
    this.release(held, this.syncDirty());
  }

  /** Forgets a store that is being closed or deleted (its pending writes are synced by close()). */
  forget(store: MessageStore): void {
    this.dirty.delete(store);
  }

  close(): void {
    this.drain();
    this.closed = true;
  }
}

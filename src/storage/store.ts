// The storage contract JetStream programs against: message store interface, limits, state and errors.
// JetStream imports only this module; concrete stores (memory, file) are wired in by server.ts.

export { formatRfc3339Nano, toUnixNanos } from "./timestamp.js";

/**
 * A message timestamp. JavaScript numbers cannot hold Unix nanoseconds exactly (they pass 2^53),
 * so a time is two integers: `ms` = milliseconds since the Unix epoch, and `nanos` = nanoseconds
 * within that millisecond (0..999_999). Unix nanoseconds = ms * 1e6 + nanos (use `toUnixNanos`
 * for a bigint); `formatRfc3339Nano(ms, nanos)` prints it the way nats-server does.
 * A stream's timestamps strictly increase with its sequence numbers (the store's clock ensures it).
 */
export interface MsgTimestamp {
  ms: number;
  nanos: number;
}

/** A message as loaded from a store. `headers` is null when the message has none (empty = none). */
export interface StoredMessage {
  seq: number;
  subject: string;
  headers: Buffer | null;
  payload: Buffer;
  /** Milliseconds since the Unix epoch. */
  ts: number;
  /** Nanoseconds within `ts`'s millisecond, 0..999_999. */
  tsNanos: number;
  /** Per-message time to live in milliseconds, 0 = none. */
  ttl: number;
}

/** What `store()` returns: the sequence and time given to the message. */
export interface StoreResult {
  seq: number;
  ts: number;
  tsNanos: number;
}

/**
 * Limits the store enforces itself. Any value <= 0 means unlimited (nats-server uses -1 for
 * max_msgs/max_bytes/max_msgs_per/max_msg_size and 0 for max_age).
 */
export interface StoreLimits {
  maxMsgs: number;
  /** Compared with `state().bytes`, i.e. nats-server's per-message accounting (see StoreState.bytes). */
  maxBytes: number;
  /** Milliseconds. */
  maxAge: number;
  maxMsgsPerSubject: number;
  /** Largest headers + payload accepted, in bytes. */
  maxMsgSize: number;
  /** "old": make room by removing the oldest messages; "new": refuse the new message. */
  discard: "old" | "new";
  /** With discard "new": refuse a message whose subject is at maxMsgsPerSubject (else the oldest goes). */
  discardNewPerSubject: boolean;
}

export const unlimited: StoreLimits = Object.freeze({
  maxMsgs: -1,
  maxBytes: -1,
  maxAge: 0,
  maxMsgsPerSubject: -1,
  maxMsgSize: -1,
  discard: "old",
  discardNewPerSubject: false,
});

export interface StoreState {
  msgs: number;
  /**
   * Accounted bytes, computed exactly as nats-server 2.9.10 does so STREAM.INFO agrees with it:
   * memory: subject + headers + payload + 16; file: 22 + subject + payload + 8, plus 4 + headers
   * when there are headers (lengths in bytes, subject as UTF-8). Not the size on disk.
   */
  bytes: number;
  /** 0 for a store that never held a message; lastSeq + 1 when empty after removals. */
  firstSeq: number;
  /** First message's time, 0 (ms) when empty: print as 0001-01-01T00:00:00Z. */
  firstTs: number;
  firstTsNanos: number;
  lastSeq: number;
  lastTs: number;
  lastTsNanos: number;
  /** Sequences between firstSeq and lastSeq that hold no message. */
  numDeleted: number;
  /** Only when asked for with `state({ deleted: true })`: the deleted sequences in order. */
  deleted?: number[];
  numSubjects: number;
  /** File store: records dropped by recovery because they were torn or failed their checksum. */
  lost?: { records: number; bytes: number };
}

/** Per filter: how many messages match, and the first and last matching sequence (0 when none). */
export interface FilteredState {
  msgs: number;
  first: number;
  last: number;
}

export interface PurgeOptions {
  /** Only messages on subjects matching this filter (wildcards allowed); absent/">" = all. */
  subject?: string;
  /** Keep this many of the newest (matching) messages. */
  keep?: number;
  /** Purge (matching) messages with sequence below this one. Cannot be combined with keep. */
  seq?: number;
}

/** Why a message left the store, as reported to `onRemove` listeners. */
export type RemoveReason =
  | "remove"
  | "erase"
  | "maxMsgs"
  | "maxBytes"
  | "maxMsgsPerSubject"
  | "maxAge"
  | "ttl"
  | "purge"
  | "compact";

/**
 * Called once per removed message, after the store's state is consistent again. Listeners must
 * not store or remove messages synchronously from inside the call (defer with queueMicrotask).
 */
export type RemoveListener = (seq: number, subject: string, reason: RemoveReason) => void;

export interface MessageStore {
  readonly kind: "file" | "memory";
  /**
   * Appends a message with sequence lastSeq + 1. `ts` overrides the store's clock (sourcing,
   * mirroring); `ttl` is a per-message time to live in milliseconds (0 = none).
   * Throws StoreError for discard-new limits, too-large messages, or a closed store.
   */
  store(
    subject: string,
    headers: Buffer | null,
    payload: Buffer,
    ts?: MsgTimestamp,
    ttl?: number,
  ): StoreResult;
  load(seq: number): StoredMessage | null;
  /** The newest message on a subject; `subject` may hold wildcards. */
  loadLastBySubject(subject: string): StoredMessage | null;
  /** First message with seq >= startSeq whose subject matches `filter` (null/">" = any). */
  loadNextMatching(startSeq: number, filter: string | null): StoredMessage | null;
  /** Last message with seq <= startSeq whose subject matches `filter` (null/">" = any). */
  loadPrevMatching(startSeq: number, filter: string | null): StoredMessage | null;
  /** Removes one message; `erase` also overwrites its bytes. False when there was no such message. */
  remove(seq: number, erase: boolean): boolean;
  /** nats-server PurgeEx semantics; returns the number of messages purged. */
  purge(opts?: PurgeOptions): number;
  /** Removes every message below seq (seq > lastSeq + 1 moves the next sequence to seq). */
  compact(seq: number): number;
  state(opts?: { deleted?: boolean }): StoreState;
  /** Per-subject message counts for subjects matching `filter` (absent = all). */
  subjectsState(filter?: string): Map<string, number>;
  filteredState(startSeq: number, filter: string | null): FilteredState;
  /**
   * Messages at or after startSeq matching filter; with lastPerSubject, the number of matching
   * subjects whose newest message is at or after startSeq (DeliverLastPerSubject).
   */
  numPending(startSeq: number, filter: string | null, lastPerSubject: boolean): number;
  /** First sequence whose timestamp is at or after the given time (lastSeq + 1 if none). */
  seqForTime(ms: number, nanos?: number): number;
  /** Applies new limits now: removes what no longer fits (discard old) and re-arms age expiry. */
  updateLimits(limits: StoreLimits): void;
  /** Registers a removal listener; returns a function that unregisters it. */
  onRemove(listener: RemoveListener): () => void;
  /** Hands buffered writes to the OS (file store); resolves when done. */
  flush(): Promise<void>;
  /** Buffered writes written and fsynced before returning (file store; no-op in memory). */
  sync(): void;
  /** Like sync(), with the fsync on the thread pool; resolves once what was written before the call is on disk. */
  syncAsync(): Promise<void>;
  /** Flushes, stops timers, releases files. Further calls throw StoreError "closed" (flush/sync: no-ops). */
  close(): void;
  /** Closes and removes everything the store persisted. */
  delete(): void;
}

export type StoreErrorCode =
  | "maxMsgs"
  | "maxBytes"
  | "maxMsgsPerSubject"
  | "msgTooLarge"
  | "purgeArgMismatch"
  | "closed"
  | "corrupt"
  | "badFormat";

/** The one place the store's error texts live (the limit texts are nats-server's, store.go). */
export const storeErrorTexts: Readonly<Record<StoreErrorCode, string>> = Object.freeze({
  maxMsgs: "maximum messages exceeded",
  maxBytes: "maximum bytes exceeded",
  maxMsgsPerSubject: "maximum messages per subject exceeded",
  msgTooLarge: "message size exceeds maximum allowed",
  purgeArgMismatch: "sequence > 1 && keep > 0 not allowed",
  closed: "store is closed",
  corrupt: "message record failed its checksum",
  badFormat: "unrecognised store format",
});

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    detail?: string,
  ) {
    super(detail ? `${storeErrorTexts[code]}: ${detail}` : storeErrorTexts[code]);
    this.name = "StoreError";
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** Sync policy for file-backed stores; JetStream owns it and passes it in (nats-server sync_interval). */
export interface SyncPolicy {
  /** fsync after every write before store()/remove() return. */
  syncAlways?: boolean;
  /** Milliseconds between background fsyncs of written blocks; default 120000 (nats-server's 2m). */
  syncIntervalMs?: number;
}

export interface MessageStoreConfig extends SyncPolicy {
  storage: "file" | "memory";
  /** Directory for a file store (one per stream); created if missing. */
  dir?: string;
  limits?: Partial<StoreLimits>;
  /** File store: start a new block file past this many bytes (default 8 MiB). */
  blockSize?: number;
}

/** How JetStream gets a store without importing a concrete one (server.ts passes this in). */
export type MessageStoreFactory = (config: MessageStoreConfig) => MessageStore;

// Durable consumer state on disk, under `<stream dir>/obs/<consumer>/` (nats-server's layout):
// `meta.inf` holds the config and creation time, `o.dat` the delivered and ack-floor sequences, pending
// acks and redelivery counts. Files are replaced atomically (write a temp file, then rename) and state
// writes are coalesced to at most one per 100 ms, as nats-server's consumer file store does.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AckState } from "./ack-tracker.js";
import type { ConsumerConfig } from "./consumer-config.js";

/** What is persisted of a consumer's progress (nats-server ConsumerState). */
export interface PersistedConsumerState {
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number };
  /** [stream seq, consumer seq, delivery time ms] */
  pending: [number, number, number][];
  /** [stream seq, times redelivered] */
  redelivered: [number, number][];
}

export interface PersistedConsumerMeta {
  name: string;
  /** Creation time as Unix ms and nanoseconds within the ms. */
  created: { ms: number; nanos: number };
  config: ConsumerConfig;
}

const META_FILE = "meta.inf";
const STATE_FILE = "o.dat";
/** nats-server flushes consumer state at most about ten times a second. */
const MIN_WRITE_INTERVAL_MS = 100;

/** Writes `data` to `file` so that a reader sees the old or the new content, never a torn one. */
function writeAtomically(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export class ConsumerStateStore {
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  private closed = false;
  private snapshot: (() => PersistedConsumerState) | null = null;

  /** @param dir the consumer's directory */
  constructor(readonly dir: string) {}

  /** Where the state comes from when a write happens (the consumer, once it exists). */
  attach(snapshot: () => PersistedConsumerState): void {
    this.snapshot = snapshot;
  }

  /** Writes the config file now (creation and config updates). */
  writeMeta(meta: PersistedConsumerMeta): void {
    mkdirSync(this.dir, { recursive: true });
    writeAtomically(join(this.dir, META_FILE), JSON.stringify(meta));
  }

  /** The state changed: write it soon. */
  markDirty(): void {
    if (this.closed || this.timer !== null) return;
    const wait = Math.max(0, this.lastWrite + MIN_WRITE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writeState();
    }, wait);
  }

  /** Writes the state now (the consumer stops, or a purge must not be forgotten). */
  writeState(): void {
    if (this.closed || this.snapshot === null) return;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    mkdirSync(this.dir, { recursive: true });
    writeAtomically(join(this.dir, STATE_FILE), JSON.stringify(this.snapshot()));
    this.lastWrite = Date.now();
  }

  /** Final write; later changes are not persisted. */
  close(): void {
    if (this.closed) return;
    this.writeState();
    this.closed = true;
  }

  /** The consumer was deleted: its files go too. */
  delete(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `<streams dir>/<stream>/obs` */
export function consumersDir(streamsDir: string, stream: string): string {
  return join(streamsDir, stream, "obs");
}

export interface RecoveredConsumer {
  dir: string;
  meta: PersistedConsumerMeta;
  state: PersistedConsumerState | null;
}

/**
 * Reads every consumer persisted under `obsDir`. A consumer whose meta file is missing or unreadable
 * is skipped and reported through `onError` (nats-server logs and skips it too).
 */
export function readPersistedConsumers(obsDir: string, onError: (name: string, err: unknown) => void) {
  const found: RecoveredConsumer[] = [];
  let names: string[];
  try {
    names = readdirSync(obsDir);
  } catch {
    return found;
  }
  for (const name of names) {
    const dir = join(obsDir, name);
    let meta: PersistedConsumerMeta;
    try {
      meta = JSON.parse(readFileSync(join(dir, META_FILE), "utf8")) as PersistedConsumerMeta;
    } catch (err) {
      onError(name, err);
      continue;
    }
    let state: PersistedConsumerState | null = null;
    try {
      state = readState(dir);
    } catch (err) {
      // Starting over from the config redelivers (at least once) rather than losing the consumer.
      onError(name, err);
    }
    found.push({ dir, meta, state });
  }
  return found;
}

function readState(dir: string): PersistedConsumerState | null {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), "utf8");
  } catch {
    return null;
  }
  const s = JSON.parse(text) as PersistedConsumerState;
  if (typeof s?.delivered?.stream_seq !== "number" || typeof s?.ack_floor?.stream_seq !== "number") {
    throw new Error("consumer state file is malformed");
  }
  return s;
}

/** The state file's content for an ack state (nats-server writeStoreStateUnlocked). */
export function snapshotState(s: AckState): PersistedConsumerState {
  const pending: [number, number, number][] = [];
  for (const [seq, p] of s.pending) pending.push([seq, p.dseq, p.ts]);
  return {
    delivered: { consumer_seq: s.dseq - 1, stream_seq: s.sseq - 1 },
    ack_floor: { consumer_seq: s.adflr, stream_seq: s.asflr },
    pending,
    redelivered: [...s.rdc],
  };
}

/**
 * Puts persisted state back (nats-server applyState + checkRedelivered): never moves the stream
 * sequence backwards, and forgets redelivery counts below the ack floor or past the stream's end.
 */
export function restoreState(s: AckState, p: PersistedConsumerState, streamLastSeq: number): void {
  if (s.sseq <= p.delivered.stream_seq) s.sseq = p.delivered.stream_seq + 1;
  s.dseq = p.delivered.consumer_seq + 1;
  s.adflr = p.ack_floor.consumer_seq;
  s.asflr = p.ack_floor.stream_seq;
  s.pending.clear();
  for (const [seq, dseq, ts] of p.pending ?? []) s.pending.set(seq, { dseq, ts });
  s.rdc.clear();
  for (const [seq, n] of p.redelivered ?? []) {
    if (seq < s.asflr || (streamLastSeq > 0 && seq > streamLastSeq)) continue;
    s.rdc.set(seq, n);
  }
}

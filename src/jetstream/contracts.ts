// The seam between JetStream streams and consumers: what a consumer may ask of its stream and what a
// stream asks of its consumers. Streams (stream.ts) and consumers (consumer*.ts) implement these.

import type { InternalClient } from "../core/internal-client.js";
import type { MessageStore } from "../storage/store.js";
import type { Logger } from "../util/logger.js";

/** Told by a stream after it changed; consumers use it to wake up and deliver. */
export interface StreamListener {
  /** A message was stored at `seq`. */
  messageStored(seq: number, subject: string): void;
  /** Messages were purged or removed (consumers move their floors past them). */
  messagesRemoved?(firstSeq: number): void;
}

/** A stream as its consumers see it. */
export interface StreamView {
  readonly name: string;
  /** The stream's config as stored and reported (StreamConfig JSON shape, snake_case). */
  readonly config: { retention: "limits" | "interest" | "workqueue"; subjects?: string[]; [k: string]: unknown };
  readonly store: MessageStore;
  addListener(listener: StreamListener): void;
  removeListener(listener: StreamListener): void;
  /**
   * Interest and workqueue retention: a consumer tells the stream it acknowledged `seq`; the stream
   * removes the message once no consumer still needs it (ConsumerView.needsAck).
   */
  consumerAcked(consumerName: string, seq: number): void;
  /** Consumers of this stream by name. */
  readonly consumers: Map<string, ConsumerView>;
}

/** A consumer as its stream sees it. */
export interface ConsumerView {
  readonly name: string;
  /** The ConsumerConfig JSON shape (snake_case). */
  readonly config: { filter_subject?: string; filter_subjects?: string[]; [k: string]: unknown };
  /** Interest retention: whether this consumer has not yet acknowledged `seq` (and it matches its filter). */
  needsAck(seq: number, subject: string): boolean;
  /** Stops timers and delivery (stream delete / server shutdown); `deleteState` also removes persisted state. */
  stop(deleteState: boolean): void;
}

/** What JetStream hands to streams and consumers of one account. */
export interface JetStreamAccountContext {
  /** The account's internal client: subscribe to stream subjects, deliver messages, send API replies. */
  readonly client: InternalClient;
  readonly logger: Logger;
  /** Directory for this account's file streams (`<store_dir>/jetstream/<account>/streams`). */
  readonly streamsDir: string;
  readonly serverName: string;
  readonly serverId: string;
  /** Publishes an advisory JSON on `$JS.EVENT.ADVISORY.…` (and metrics). */
  advisory(subject: string, body: object): void;
}

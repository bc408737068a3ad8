// The seam between JetStream streams and consumers: what a consumer may ask of its stream and what a
// stream asks of its consumers. Streams (stream.ts) and consumers (consumer*.ts) implement these.

import type { InternalClient } from "../core/internal-client.js";
import type { MessageStore } from "../storage/store.js";
import type { Logger } from "../util/logger.js";

/** Told by a stream after it changed; consumers use it to wake up and deliver. */
export interface StreamListener {
  /** A message was stored at `seq`. */
  messageStored(seq: number, subject: string): void;
  /**
   * Messages were purged (consumers move their floors past them). `firstSeq` is the first sequence
   * still stored; for a purge by subject `filter` is that filter and `firstSeq` the first message
   * still matching it (nats-server only moves consumers whose filter matches the purge's).
   */
  messagesRemoved?(firstSeq: number, filter?: string): void;
}

/**
 * A stream as its consumers see it. A file stream lives in `<ctx.streamsDir>/<name>/`: `meta.inf`
 * (config), `msgs/` (the store's), and `obs/<consumer>/` for its consumers' state (nats-server's
 * layout); deleting the stream removes the whole directory. Memory streams persist nothing.
 */
export interface StreamView {
  readonly name: string;
  /** The stream's config as stored and reported (StreamConfig JSON shape, snake_case). */
  readonly config: {
    retention: "limits" | "interest" | "workqueue";
    subjects?: string[];
    [k: string]: unknown;
  };
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

/** One request to the JetStream API (`$JS.API.…`), as the API router hands it to a handler. */
export interface JsApiRequest {
  /** The full subject, e.g. `$JS.API.CONSUMER.CREATE.ORDERS.dur`. */
  readonly subject: string;
  /** The subject's tokens: tokens[0] = "$JS", tokens[1] = "API", tokens[2] = family, ... */
  readonly tokens: readonly string[];
  /**
   * Where to answer; null when the request had none (nats-server still carries the request out,
   * e.g. creates the stream, and just sends nothing).
   */
  readonly reply: string | null;
  /** Headers and payload are slices of the publisher's read buffer: copy what outlives the call. */
  readonly headers: Buffer | null;
  readonly payload: Buffer;
}

/** An account's JetStream as API handlers (stream, consumer and account families) see it. */
export interface JsAccountView {
  readonly ctx: JetStreamAccountContext;
  /** The `jetstream { domain }`, if set (PubAcks and some responses carry it). */
  readonly domain: string | undefined;
  lookupStream(name: string): StreamView | null;
  /**
   * Sends an API response and counts it for `$JS.API.INFO` (api.total; api.errors too when
   * `body.error` is set). Nothing is sent when the request had no reply subject.
   */
  respond(req: JsApiRequest, body: object): void;
}

export type JsApiHandler = (account: JsAccountView, req: JsApiRequest) => void;

/**
 * Registers a handler for API subjects matching `pattern`, written relative to `$JS.API.` with NATS
 * wildcards (e.g. "CONSUMER.CREATE.*", "CONSUMER.CREATE.*.>", "CONSUMER.MSG.NEXT.*.*"). A request
 * must match exactly one entry (as in nats-server, other requests are dropped).
 */
export interface JsApiHandlerEntry {
  readonly pattern: string;
  readonly handler: JsApiHandler;
}

/**
 * A family of JetStream features plugged in by server.ts (the consumer family is one):
 * `new JetStream({ ..., extensions: [consumerExtension] })`.
 */
export interface JetStreamExtension {
  readonly apiHandlers: readonly JsApiHandlerEntry[];
  /**
   * Called once for each file stream recovered from disk at start, after the stream is ready and
   * before clients connect: recover what belongs to it (consumers under `<stream dir>/obs/`).
   */
  streamRecovered?(account: JsAccountView, stream: StreamView): void;
}

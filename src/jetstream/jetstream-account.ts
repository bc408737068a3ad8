// JetStream in one account: its streams, API statistics, stream create/update/delete with the checks
// that involve other streams (overlap, reservations), and recovery of file streams at start.

import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { subjectsCollide } from "../core/subject.js";
import type { Subscription } from "../core/subscription.js";
import type { MessageStore } from "../storage/store.js";
import type { JetStreamAccountContext, JsAccountView, JsApiRequest, StreamView } from "./contracts.js";
import { type JsApiError, jsError } from "./errors.js";
import { goJson } from "./go-json.js";
import type { GroupCommit } from "./group-commit.js";
import type { JetStream } from "./jetstream.js";
import { Stream, type StreamHost } from "./stream.js";
import {
  checkStreamConfig,
  checkStreamUpdate,
  readStreamConfig,
  type StorageKind,
  type StreamConfigJson,
  sameConfig,
  storeLimitsOf,
} from "./stream-config.js";
import { createdNow, readStreamMeta } from "./stream-meta.js";

export type CreateResult = { stream: Stream; error?: undefined } | { error: JsApiError; stream?: undefined };

export class JsAccount implements JsAccountView, StreamHost {
  readonly streams = new Map<string, Stream>();
  apiTotal = 0;
  apiErrors = 0;
  private apiSub: Subscription | null = null;

  constructor(
    readonly js: JetStream,
    readonly ctx: JetStreamAccountContext,
  ) {}

  get name(): string {
    return this.ctx.client.account.name;
  }

  get domain(): string | undefined {
    return this.js.domain;
  }

  get commit(): GroupCommit {
    return this.js.commit;
  }

  resourcesExceeded(storage: StorageKind): boolean {
    return this.js.resourcesExceeded(storage);
  }

  lookupStream(name: string): Stream | null {
    return this.streams.get(name) ?? null;
  }

  /** Streams sorted by name (the order LIST and NAMES page in). */
  sortedStreams(): Stream[] {
    return [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  respond(req: JsApiRequest, body: object): void {
    this.respondCounted(req, body, (body as { error?: unknown }).error !== undefined);
  }

  /** nats-server's sendAPIResponse / sendAPIErrResponse: the choice of counter is the handler's. */
  respondCounted(req: JsApiRequest, body: object, asError: boolean): void {
    this.apiTotal++;
    if (asError) this.apiErrors++;
    if (req.reply !== null) this.send(req.reply, body);
  }

  /** A counted response that leaves only once `store`'s writes are on disk (purge, delete). */
  respondDurable(req: JsApiRequest, body: object, store: MessageStore): void {
    this.apiTotal++;
    if (req.reply !== null) this.commit.reply(this.ctx.client, req.reply, Buffer.from(goJson(body)), store);
  }

  /** Sends a JSON reply without counting it as an API call (MSG.GET's success path in nats-server). */
  send(reply: string, body: object): void {
    this.ctx.client.publish(reply, null, null, Buffer.from(goJson(body)));
  }

  /** Starts answering `$JS.API.>` in this account. */
  startApi(): void {
    if (this.apiSub === null) this.apiSub = this.js.router.attach(this);
  }

  /** nats-server addStream: an identical config returns the existing stream, a different one is refused. */
  createStream(cfg: StreamConfigJson): CreateResult {
    if (cfg.num_replicas > 1) return { error: jsError("JSStreamReplicasNotSupportedErr") };
    const existing = this.streams.get(cfg.name);
    if (existing !== undefined) {
      return sameConfig(existing.config, cfg)
        ? { stream: existing }
        : { error: jsError("JSStreamNameExistErr") };
    }
    const limitError = this.js.checkReservation(cfg, 0);
    if (limitError !== null) return { error: limitError };
    // Stream templates are not kept here, so no template can own the new stream (nats-server's answer).
    if (cfg.template_owner)
      return { error: jsError("JSStreamCreateErrF", { err: "stream not owned by template" }) };
    if (this.overlaps(cfg.subjects ?? [], null)) return { error: jsError("JSStreamSubjectOverlapErr") };
    let stream: Stream;
    try {
      stream = this.openStream(cfg, createdNow());
      stream.persistMeta();
    } catch (err) {
      this.ctx.logger.warn({ err }, `Stream create failed for '${this.name} > ${cfg.name}'`);
      this.streams.get(cfg.name)?.stop(true);
      this.streams.delete(cfg.name);
      return { error: jsError("JSStreamCreateErrF", { err: "error creating store for stream" }) };
    }
    stream.start();
    this.ctx.advisory(`$JS.EVENT.ADVISORY.STREAM.CREATED.${cfg.name}`, streamAction(stream, "create"));
    return { stream };
  }

  /** Opens the store and registers the stream (not yet subscribed). */
  private openStream(cfg: StreamConfigJson, created: { ms: number; nanos: number }): Stream {
    const dir = cfg.storage === "file" ? join(this.ctx.streamsDir, cfg.name) : null;
    const store: MessageStore = this.js.storeFactory({
      storage: cfg.storage,
      // The store keeps its files (msgs/, store.json) beside meta.inf, as nats-server's layout does.
      dir: dir ?? undefined,
      limits: storeLimitsOf(cfg),
      syncIntervalMs: this.js.commit.policy.intervalMs,
      syncAlways: false,
    });
    const stream = new Stream(this, cfg, created, store, dir);
    this.streams.set(cfg.name, stream);
    return stream;
  }

  /** Applies an update request's config (already through checkStreamConfig) to `stream`. */
  updateStream(stream: Stream, requested: StreamConfigJson): JsApiError | null {
    const checked = checkStreamUpdate(stream.config, requested);
    if (checked.error !== undefined) return checked.error;
    const next = checked.config;
    const limitError = this.js.checkReservation(
      next,
      stream.config.storage === next.storage ? stream.config.max_bytes : 0,
    );
    if (limitError !== null) return limitError;
    if (this.overlaps(next.subjects ?? [], stream)) return jsError("JSStreamSubjectOverlapErr");
    stream.applyUpdate(next);
    this.ctx.advisory(`$JS.EVENT.ADVISORY.STREAM.UPDATED.${stream.name}`, streamAction(stream, "modify"));
    return null;
  }

  deleteStream(stream: Stream): void {
    this.streams.delete(stream.name);
    stream.stop(true);
    this.ctx.advisory(`$JS.EVENT.ADVISORY.STREAM.DELETED.${stream.name}`, streamAction(stream, "delete"));
  }

  private overlaps(subjects: readonly string[], self: Stream | null): boolean {
    for (const other of this.streams.values()) {
      if (other === self) continue;
      for (const a of other.config.subjects ?? []) {
        for (const b of subjects) if (subjectsCollide(a, b)) return true;
      }
    }
    return false;
  }

  /** Recovers file streams from `<streamsDir>/<name>/meta.inf`; a broken one is logged and skipped. */
  recover(): Stream[] {
    const dir = this.ctx.streamsDir;
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      return [];
    }
    const recovered: Stream[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const stream = this.recoverOne(join(dir, entry.name), entry.name);
      if (stream !== null) recovered.push(stream);
    }
    return recovered;
  }

  private recoverOne(streamDir: string, dirName: string): Stream | null {
    const log = this.ctx.logger;
    try {
      const meta = readStreamMeta(streamDir);
      const checked = checkStreamConfig(readStreamConfig(meta.config));
      if (checked.error !== undefined) throw new Error(checked.error.description);
      const cfg = checked.config;
      if (cfg.name !== dirName || cfg.storage !== "file")
        throw new Error(`config does not belong in ${streamDir}`);
      const stream = this.openStream(cfg, meta.created);
      stream.start();
      const st = stream.store.state();
      if (st.lost !== undefined && st.lost.records > 0) {
        log.warn(
          `Stream '${this.name} > ${cfg.name}' recovery dropped ${st.lost.records} torn or corrupt records (${st.lost.bytes} bytes)`,
        );
      }
      log.info(`  Restored ${st.msgs} messages for stream '${this.name} > ${cfg.name}'`);
      return stream;
    } catch (err) {
      this.streams.get(dirName)?.stop(false);
      this.streams.delete(dirName);
      log.error({ err }, `Error recreating stream from ${streamDir}; skipped`);
      return null;
    }
  }

  /** Bytes stored by this account's streams of one storage type. */
  usage(storage: StorageKind): number {
    let total = 0;
    for (const s of this.streams.values()) if (s.config.storage === storage) total += s.store.state().bytes;
    return total;
  }

  /** Sum of max_bytes over streams of one storage type (nats-server reservations). */
  reserved(storage: StorageKind): number {
    let total = 0;
    for (const s of this.streams.values()) {
      if (s.config.storage === storage && s.config.max_bytes > 0) total += s.config.max_bytes;
    }
    return total;
  }

  numConsumers(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.consumers.size;
    return n;
  }

  /** Stops every stream without deleting data (shutdown). */
  close(): void {
    if (this.apiSub !== null) this.ctx.client.unsubscribe(this.apiSub);
    this.apiSub = null;
    for (const s of this.streams.values()) {
      try {
        s.stop(false);
      } catch (err) {
        this.ctx.logger.error({ err }, `Error closing stream '${this.name} > ${s.name}'`);
      }
    }
    this.streams.clear();
  }
}

/** io.nats.jetstream.advisory.v1.stream_action (nats-server JSStreamActionAdvisory). */
function streamAction(stream: StreamView, action: "create" | "delete" | "modify"): object {
  return { type: "io.nats.jetstream.advisory.v1.stream_action", stream: stream.name, action };
}

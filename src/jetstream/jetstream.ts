// JetStream for one server: store directory, durability policy (group commit), server-wide
// memory/file limits, the API router built from every API family, and JetStream per account.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JetStreamOptions } from "../config/options.js";
import type { Account } from "../core/account.js";
import type { InternalClient } from "../core/internal-client.js";
import type { MessageStoreFactory } from "../storage/store.js";
import type { Logger } from "../util/logger.js";
import { accountApiHandlers } from "./api/account-api.js";
import { ApiRouter } from "./api/router.js";
import { streamApiHandlers } from "./api/stream-api.js";
import { streamMsgApiHandlers } from "./api/stream-msg-api.js";
import type { JetStreamAccountContext, JetStreamExtension } from "./contracts.js";
import { type JsApiError, jsError } from "./errors.js";
import { goJson } from "./go-json.js";
import { GroupCommit, resolveSyncPolicy } from "./group-commit.js";
import { JsAccount } from "./jetstream-account.js";
import type { StorageKind, StreamConfigJson } from "./stream-config.js";

/** nats-server JetStreamStoreDir: the directory JetStream keeps under the configured store_dir. */
export const JETSTREAM_DIR = "jetstream";
const STREAMS_DIR = "streams";

export interface JetStreamDeps {
  options: JetStreamOptions;
  serverId: string;
  serverName: string;
  logger: Logger;
  /** Makes stores without JetStream importing a concrete store (server.ts passes the storage factory). */
  storeFactory: MessageStoreFactory;
  /** Makes the internal client JetStream uses inside an account. */
  newInternalClient(account: Account): InternalClient;
  /** Other API families (the consumer family) and their hooks. */
  extensions?: readonly JetStreamExtension[];
}

export class JetStream {
  /** `<store_dir>/jetstream`, nats-server's layout (the temp dir when no store_dir is set). */
  readonly storeDir: string;
  readonly commit: GroupCommit;
  readonly router: ApiRouter;
  readonly accounts = new Map<string, JsAccount>();
  readonly storeFactory: MessageStoreFactory;
  private readonly logger: Logger;
  private closed = false;

  constructor(private readonly deps: JetStreamDeps) {
    const o = deps.options;
    this.logger = deps.logger;
    this.storeFactory = deps.storeFactory;
    this.storeDir = o.storeDir ? join(o.storeDir, JETSTREAM_DIR) : join(tmpdir(), JETSTREAM_DIR);
    this.commit = new GroupCommit(resolveSyncPolicy(o), deps.logger);
    const handlers = [
      ...accountApiHandlers,
      ...streamApiHandlers,
      ...streamMsgApiHandlers,
      ...(deps.extensions ?? []).flatMap((e) => e.apiHandlers),
    ];
    this.router = new ApiRouter(handlers, (err, subject) =>
      this.logger.error({ err }, `JetStream API handler for "${subject}" failed`),
    );
  }

  get domain(): string | undefined {
    return this.deps.options.domain || undefined;
  }

  get options(): JetStreamOptions {
    return this.deps.options;
  }

  /** Logs the startup banner nats-server prints and creates the store directory. */
  start(): void {
    mkdirSync(this.storeDir, { recursive: true });
    const o = this.deps.options;
    const log = this.logger;
    const policy = this.commit.policy;
    log.info("Starting JetStream");
    log.info("---------------- JETSTREAM ----------------");
    log.info(`  Max Memory:      ${describeLimit(o.maxMemory)}`);
    log.info(`  Max Storage:     ${describeLimit(o.maxFile)}`);
    log.info(`  Store Directory: "${this.storeDir}"`);
    if (this.domain) log.info(`  Domain:          ${this.domain}`);
    log.info(
      policy.durable
        ? "  Sync:            durable (acks after fsync, group commit)"
        : `  Sync:            every ${policy.intervalMs}ms (acks before fsync)`,
    );
    log.info("-------------------------------------------");
  }

  /** Enables JetStream in `account`: recovers its file streams, then starts answering its API. */
  enableAccount(account: Account): JsAccount {
    const existing = this.accounts.get(account.name);
    if (existing !== undefined) return existing;
    const client = this.deps.newInternalClient(account);
    const ctx: JetStreamAccountContext = {
      client,
      logger: this.logger,
      streamsDir: join(this.storeDir, account.name, STREAMS_DIR),
      serverName: this.deps.serverName,
      serverId: this.deps.serverId,
      advisory: (subject, body) => this.advisory(client, subject, body),
    };
    const jsa = new JsAccount(this, ctx);
    this.accounts.set(account.name, jsa);
    const recovered = jsa.recover();
    for (const ext of this.deps.extensions ?? []) {
      if (ext.streamRecovered === undefined) continue;
      for (const stream of recovered) {
        try {
          ext.streamRecovered(jsa, stream);
        } catch (err) {
          this.logger.error(
            { err },
            `Error recovering consumers of stream '${account.name} > ${stream.name}'`,
          );
        }
      }
    }
    jsa.startApi();
    return jsa;
  }

  /** Publishes an advisory if anyone listens, with nats-server's TypedEvent header fields first. */
  private advisory(client: InternalClient, subject: string, body: object): void {
    const interest = client.account.sublist.match(subject);
    if (interest.psubs.length === 0 && interest.qsubs.length === 0) return;
    const { type, ...rest } = body as { type?: string };
    const event: Record<string, unknown> = {
      type,
      id: randomBytes(11).toString("base64url"),
      timestamp: new Date().toISOString(),
      ...rest,
    };
    if (this.domain) event.domain = this.domain;
    client.publish(subject, null, null, Buffer.from(goJson(event)));
  }

  /** Bytes stored server-wide for one storage type. */
  usage(storage: StorageKind): number {
    let total = 0;
    for (const a of this.accounts.values()) total += a.usage(storage);
    return total;
  }

  private maxFor(storage: StorageKind): number {
    return storage === "memory" ? this.deps.options.maxMemory : this.deps.options.maxFile;
  }

  /** nats-server limitsExceeded: the configured max_memory / max_file is used up (-1 = no limit here). */
  resourcesExceeded(storage: StorageKind): boolean {
    const max = this.maxFor(storage);
    return max > 0 && this.usage(storage) >= max;
  }

  /**
   * nats-server checkAllLimits for a stream with max_bytes: its reservation must fit the server's
   * limit. `current` is what the stream already reserves (updates).
   */
  checkReservation(cfg: StreamConfigJson, current: number): JsApiError | null {
    const max = this.maxFor(cfg.storage);
    if (max <= 0 || cfg.max_bytes <= 0) return null;
    let reserved = 0;
    for (const a of this.accounts.values()) reserved += a.reserved(cfg.storage);
    if (reserved - Math.max(current, 0) + cfg.max_bytes > max) {
      return jsError(
        cfg.storage === "memory" ? "JSMemoryResourcesExceededErr" : "JSStorageResourcesExceededErr",
      );
    }
    return null;
  }

  /** Stops every stream (stores flushed, synced and closed); data stays. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.commit.drain();
    for (const a of this.accounts.values()) a.close();
    this.accounts.clear();
    this.commit.close();
  }
}

function describeLimit(bytes: number): string {
  if (bytes < 0) return "dynamic (not enforced)";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[i]}`;
}

// Creating, updating, deleting and recovering consumers on a stream (nats-server addConsumerWithAssignment,
// updateConfig, stopWithFlags): defaults and checks, workqueue rules, naming, the state store of durables
// on file streams, advisories, and interest-retention cleanup when a consumer goes.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { subjectIsSubsetOf } from "../core/subject.js";
import { consumerActionAdvisory } from "./advisories.js";
import { Consumer } from "./consumer.js";
import {
  applyConsumerDefaults,
  type ConsumerConfig,
  checkConsumerConfig,
  checkConsumerUpdate,
  consumerFilters,
  isDurableConfig,
  JS_DELETE_WAIT_DEFAULT_NANOS,
  JS_MAX_NAME_LEN,
  type StreamConfigForConsumers,
  sameConfig,
  type TimePoint,
} from "./consumer-config.js";
import type { ConsumerEnv } from "./consumer-env.js";
import { ConsumerStateStore, consumersDir, readPersistedConsumers } from "./consumer-state-store.js";
import type { StreamView } from "./contracts.js";
import { type JsApiError, jsError } from "./errors.js";

export type AddConsumerResult =
  | { consumer: Consumer; error?: undefined }
  | { error: JsApiError; consumer?: undefined };

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** createConsumerName: 8 base-62 characters. */
function generatedName(): string {
  const b = randomBytes(8);
  let s = "";
  for (let i = 0; i < 8; i++) s += BASE62[b[i]! % 62];
  return s;
}

/** nats-server isValidName: no whitespace, `.`, `*` or `>`. */
export function isValidConsumerName(name: string): boolean {
  return name !== "" && !/[ \t\r\n\f.*>]/.test(name);
}

/** Now, with the sub-millisecond part from the monotonic clock (as nats-server's created times have). */
export function createdNow(): TimePoint {
  return { ms: Date.now(), nanos: Math.floor((performance.now() % 1) * 1_000_000) };
}

function streamFacts(stream: StreamView): StreamConfigForConsumers {
  const c = stream.config;
  const sources = c.sources;
  return {
    retention: c.retention,
    subjects: c.subjects,
    num_replicas: typeof c.num_replicas === "number" ? c.num_replicas : 1,
    hasExternalSubjects:
      (Array.isArray(sources) && sources.length > 0) || (c.mirror !== undefined && c.mirror !== null),
  };
}

/** addConsumer: returns the consumer (created, or the existing one updated) or the API error. */
export function addConsumer(stream: StreamView, env: ConsumerEnv, cfg: ConsumerConfig): AddConsumerResult {
  applyConsumerDefaults(cfg, env.limits);
  const invalid = checkConsumerConfig(cfg, streamFacts(stream), env.limits);
  if (invalid !== null) return { error: invalid };
  const wanted = isDurableConfig(cfg) ? cfg.durable_name! : (cfg.name ?? "");
  if (wanted !== "") {
    const existing = stream.consumers.get(wanted);
    if (existing instanceof Consumer) return updateConsumer(existing, cfg);
  }
  const limitError = checkLimits(stream, cfg);
  if (limitError !== null) return { error: limitError };
  let name = wanted;
  if (isDurableConfig(cfg) && name.length > JS_MAX_NAME_LEN) {
    return { error: jsError("JSConsumerNameTooLongErrF", { max: JS_MAX_NAME_LEN }) };
  }
  if (name === "") {
    do name = generatedName();
    while (stream.consumers.has(name));
  }
  if (!isValidConsumerName(name)) return { error: jsError("JSConsumerBadDurableNameErr") };
  // Ephemerals always expire; the config shows the default without nats-server's jitter.
  if (!isDurableConfig(cfg) && (cfg.inactive_threshold ?? 0) <= 0)
    cfg.inactive_threshold = JS_DELETE_WAIT_DEFAULT_NANOS;
  const created = createdNow();
  const stateStore = openStateStore(stream, env, name, cfg);
  if (stateStore !== null) stateStore.writeMeta({ name, created, config: cfg });
  const consumer = new Consumer(stream, env, { name, config: cfg, created, stateStore });
  stream.consumers.set(name, consumer);
  consumer.start();
  const adv = consumerActionAdvisory("create", stream.name, name);
  env.ctx.advisory(adv.subject, adv.body);
  return { consumer };
}

/** A durable of a file stream keeps its state on disk; everything else lives in memory. */
function openStateStore(stream: StreamView, env: ConsumerEnv, name: string, cfg: ConsumerConfig) {
  if (stream.config.storage !== "file" || !isDurableConfig(cfg) || cfg.mem_storage === true) return null;
  return new ConsumerStateStore(join(consumersDir(env.ctx.streamsDir, stream.name), name));
}

/** max_consumers and the workqueue rules for a new consumer. */
function checkLimits(stream: StreamView, cfg: ConsumerConfig): JsApiError | null {
  const max = stream.config.max_consumers;
  if (typeof max === "number" && max > 0 && stream.consumers.size >= max)
    return jsError("JSMaximumConsumersLimitErr");
  if (stream.config.retention !== "workqueue" || cfg.direct === true) return null;
  if (cfg.ack_policy !== "explicit") return jsError("JSConsumerWQRequiresExplicitAckErr");
  if (stream.consumers.size > 0) {
    const filters = consumerFilters(cfg);
    if (filters.length === 0) return jsError("JSConsumerWQMultipleUnfilteredErr");
    if (!partitionUnique(stream, filters)) return jsError("JSConsumerWQConsumerNotUniqueErr");
  }
  if (cfg.deliver_policy !== "all") return jsError("JSConsumerWQConsumerNotDeliverAllErr");
  return null;
}

/** On a workqueue stream no two consumers may see the same message: their filters must not overlap. */
function partitionUnique(stream: StreamView, filters: readonly string[]): boolean {
  for (const c of stream.consumers.values()) {
    const theirs = consumerFilters(c.config);
    if (theirs.length === 0) return false;
    for (const a of filters) {
      for (const b of theirs) if (subjectIsSubsetOf(a, b) || subjectIsSubsetOf(b, a)) return false;
    }
  }
  return true;
}

/** An existing consumer asked to be created again: same config is fine, allowed changes are applied. */
function updateConsumer(existing: Consumer, cfg: ConsumerConfig): AddConsumerResult {
  if (sameConfig(existing.config, cfg)) return { consumer: existing };
  const interest = () => existing.env.interest.hasInterest(existing.config.deliver_subject ?? "");
  const refused = checkConsumerUpdate(existing.config, cfg, interest);
  if (typeof refused === "string") return { error: jsError("JSConsumerCreateErrF", { err: refused }) };
  if (refused !== null) return { error: refused };
  // updateInactiveThreshold stamps the ephemeral default again.
  if (!isDurableConfig(cfg) && (cfg.inactive_threshold ?? 0) <= 0)
    cfg.inactive_threshold = JS_DELETE_WAIT_DEFAULT_NANOS;
  existing.applyConfig(cfg);
  return { consumer: existing };
}

/**
 * Deletes a consumer (API delete or inactivity): advisory, 409 to waiting pull requests, state files
 * removed, and on an interest stream the messages nobody else needs go too.
 */
export function deleteConsumer(consumer: Consumer): void {
  if (consumer.closed) return;
  const stream = consumer.stream;
  const from = consumer.state.asflr + 1;
  if (stream.consumers.get(consumer.name) === consumer) stream.consumers.delete(consumer.name);
  consumer.stop(true);
  if (stream.config.retention === "interest") releaseInterest(stream, consumer.name, from);
}

/** Removes what only the deleted consumer still needed (nats-server checkInterest on delete). */
function releaseInterest(stream: StreamView, name: string, from: number): void {
  const st = stream.store.state();
  for (let seq = Math.max(from, st.firstSeq); seq <= st.lastSeq; seq++) stream.consumerAcked(name, seq);
}

/**
 * Recreates the durables persisted under a recovered file stream (nats-server recovers them with the
 * stream). A consumer that cannot be restored is logged and skipped.
 */
export function recoverConsumers(stream: StreamView, env: ConsumerEnv): Consumer[] {
  const log = env.ctx.logger;
  const dir = consumersDir(env.ctx.streamsDir, stream.name);
  const recovered: Consumer[] = [];
  const found = readPersistedConsumers(dir, (name, err) =>
    log.warn({ err }, `Error recovering consumer '${stream.name} > ${name}'`),
  );
  for (const { dir: cdir, meta, state } of found) {
    const cfg = meta.config;
    const invalid = checkConsumerConfig(cfg, streamFacts(stream), env.limits, true);
    if (invalid !== null || !isValidConsumerName(meta.name) || stream.consumers.has(meta.name)) {
      log.warn(
        `Consumer '${stream.name} > ${meta.name}' not recovered: ${invalid?.description ?? "invalid name"}`,
      );
      continue;
    }
    const stateStore = new ConsumerStateStore(cdir);
    const consumer = new Consumer(stream, env, {
      name: meta.name,
      config: cfg,
      created: meta.created,
      state,
      stateStore,
    });
    stream.consumers.set(meta.name, consumer);
    consumer.start();
    recovered.push(consumer);
  }
  return recovered;
}

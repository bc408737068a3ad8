// ConsumerConfig as nats-server 2.9.10 reads, defaults, validates and prints it (server/consumer.go
// setConsumerConfigDefaults, checkConsumerCfg, checkNewConsumerConfig), plus 2.10's filter_subjects and
// metadata. The config keeps nats-server's snake_case JSON shape: it is what INFO reports and what is stored.

import { isValidSubject, subjectHasWildcard, subjectIsSubsetOf } from "../core/subject.js";
import { formatGoDuration } from "./consumer-duration.js";
import { normalizeRfc3339 } from "./consumer-time.js";
import { type JsApiError, jsError } from "./errors.js";

export type { TimePoint } from "./consumer-time.js";

export type DeliverPolicy =
  | "all"
  | "last"
  | "new"
  | "by_start_sequence"
  | "by_start_time"
  | "last_per_subject";
export type AckPolicy = "none" | "all" | "explicit";
export type ReplayPolicy = "instant" | "original";

/** The consumer configuration; durations are integer nanoseconds as on the wire. */
export type ConsumerConfig = {
  durable_name?: string;
  name?: string;
  description?: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  /** RFC 3339, re-printed the way Go marshals a time.Time. */
  opt_start_time?: string;
  ack_policy: AckPolicy;
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy: ReplayPolicy;
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  idle_heartbeat?: number;
  flow_control?: boolean;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  deliver_subject?: string;
  deliver_group?: string;
  inactive_threshold?: number;
  num_replicas: number;
  mem_storage?: boolean;
  direct?: boolean;
  metadata?: Record<string, string>;
};

/** Server and account limits that shape consumer defaults (nats-server JSLimitOpts / account limits). */
export interface ConsumerLimits {
  /** 0 = no limit. */
  maxAckPending: number;
  /** 0 = no limit. */
  maxRequestBatch: number;
}

export const NO_CONSUMER_LIMITS: ConsumerLimits = Object.freeze({ maxAckPending: 0, maxRequestBatch: 0 });

/** nats-server constants (consumer.go, jetstream_api.go). */
export const JS_ACK_WAIT_DEFAULT_NANOS = 30_000_000_000;
export const JS_DELETE_WAIT_DEFAULT_NANOS = 5_000_000_000;
export const JS_DEFAULT_MAX_ACK_PENDING = 1000;
export const JS_WAIT_QUEUE_DEFAULT_MAX = 512;
export const JS_MAX_DESCRIPTION_LEN = 4 * 1024;
export const JS_MAX_NAME_LEN = 255;

type FieldKind =
  | "string"
  | "int"
  | "uint"
  | "bool"
  | "durations"
  | "strings"
  | "deliver"
  | "ack"
  | "replay"
  | "time"
  | "metadata";

/** Fields in Go struct order (the order INFO prints them); all but the policies and num_replicas omit zero. */
const FIELDS: readonly (readonly [keyof ConsumerConfig, FieldKind])[] = [
  ["durable_name", "string"],
  ["name", "string"],
  ["description", "string"],
  ["deliver_policy", "deliver"],
  ["opt_start_seq", "uint"],
  ["opt_start_time", "time"],
  ["ack_policy", "ack"],
  ["ack_wait", "int"],
  ["max_deliver", "int"],
  ["backoff", "durations"],
  ["filter_subject", "string"],
  ["filter_subjects", "strings"],
  ["replay_policy", "replay"],
  ["rate_limit_bps", "uint"],
  ["sample_freq", "string"],
  ["max_waiting", "int"],
  ["max_ack_pending", "int"],
  ["idle_heartbeat", "int"],
  ["flow_control", "bool"],
  ["headers_only", "bool"],
  ["max_batch", "int"],
  ["max_expires", "int"],
  ["max_bytes", "int"],
  ["deliver_subject", "string"],
  ["deliver_group", "string"],
  ["inactive_threshold", "int"],
  ["num_replicas", "int"],
  ["mem_storage", "bool"],
  ["direct", "bool"],
  ["metadata", "metadata"],
];

const ALWAYS_PRINTED = new Set<string>(["deliver_policy", "ack_policy", "replay_policy", "num_replicas"]);
const DELIVER_POLICIES = new Set([
  "all",
  "last",
  "new",
  "by_start_sequence",
  "by_start_time",
  "last_per_subject",
]);
const ACK_POLICIES = new Set(["none", "all", "explicit"]);
const REPLAY_POLICIES = new Set(["instant", "original"]);

/** A config with Go's zero values: ack none (AckPolicy's zero), deliver all, replay instant. */
export function emptyConsumerConfig(): ConsumerConfig {
  return { deliver_policy: "all", ack_policy: "none", replay_policy: "instant", num_replicas: 0 };
}

/**
 * Reads a ConsumerConfig from decoded JSON with Go's json.Unmarshal rules: unknown keys ignored, keys
 * matched case-insensitively, null leaves the zero value, a wrongly typed value fails the whole request.
 * Returns null when nats-server would answer "invalid JSON".
 */
export function parseConsumerConfig(raw: unknown): ConsumerConfig | null {
  const cfg = emptyConsumerConfig();
  if (raw === null || raw === undefined) return cfg;
  if (typeof raw !== "object" || Array.isArray(raw)) return null;
  const byLower = new Map<string, FieldKind>();
  for (const [key, kind] of FIELDS) byLower.set(key, kind);
  for (const [rawKey, value] of Object.entries(raw as Record<string, unknown>)) {
    const key = rawKey.toLowerCase();
    const kind = byLower.get(key);
    if (kind === undefined || value === null) continue;
    const parsed = readField(kind, value);
    if (parsed === INVALID) return null;
    (cfg as Record<string, unknown>)[key] = parsed;
  }
  return cfg;
}

const INVALID = Symbol("invalid");

function readField(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : INVALID;
    case "int":
      return typeof value === "number" && Number.isInteger(value) ? value : INVALID;
    case "uint":
      return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : INVALID;
    case "bool":
      return typeof value === "boolean" ? value : INVALID;
    case "durations":
      return Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isInteger(v))
        ? value
        : INVALID;
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : INVALID;
    case "deliver":
      // nats-server also reads "undefined" as deliver all.
      if (value === "undefined") return "all";
      return typeof value === "string" && DELIVER_POLICIES.has(value) ? value : INVALID;
    case "ack":
      return typeof value === "string" && ACK_POLICIES.has(value) ? value : INVALID;
    case "replay":
      return typeof value === "string" && REPLAY_POLICIES.has(value) ? value : INVALID;
    case "time":
      return typeof value === "string" ? (normalizeRfc3339(value) ?? INVALID) : INVALID;
    case "metadata":
      if (typeof value !== "object" || Array.isArray(value)) return INVALID;
      for (const v of Object.values(value as object)) if (typeof v !== "string") return INVALID;
      return { ...(value as Record<string, string>) };
  }
}

/** The config as nats-server prints it: Go field order, zero values omitted except the four it always prints. */
export function consumerConfigJson(cfg: ConsumerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key] of FIELDS) {
    const v = cfg[key];
    if (!ALWAYS_PRINTED.has(key) && isZero(v)) continue;
    out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

export function isDurableConfig(cfg: ConsumerConfig): boolean {
  return (cfg.durable_name ?? "") !== "";
}

export function isPushConfig(cfg: ConsumerConfig): boolean {
  return (cfg.deliver_subject ?? "") !== "";
}

/** The consumer's subject filters (filter_subject or filter_subjects); empty = the whole stream. */
export function consumerFilters(cfg: { filter_subject?: string; filter_subjects?: string[] }): string[] {
  if (cfg.filter_subject !== undefined && cfg.filter_subject !== "") return [cfg.filter_subject];
  if (cfg.filter_subjects !== undefined && cfg.filter_subjects.length > 0) return cfg.filter_subjects;
  return [];
}

/** setConsumerConfigDefaults. */
export function applyConsumerDefaults(cfg: ConsumerConfig, limits: ConsumerLimits): void {
  const push = isPushConfig(cfg);
  const acks = cfg.ack_policy === "explicit" || cfg.ack_policy === "all";
  if (!push && (cfg.max_waiting ?? 0) === 0) cfg.max_waiting = JS_WAIT_QUEUE_DEFAULT_MAX;
  if ((cfg.ack_wait ?? 0) === 0 && acks) cfg.ack_wait = JS_ACK_WAIT_DEFAULT_NANOS;
  if ((cfg.max_deliver ?? 0) === 0) cfg.max_deliver = -1;
  // A backoff list overrides ack_wait with its first step.
  if (cfg.backoff !== undefined && cfg.backoff.length > 0) cfg.ack_wait = cfg.backoff[0];
  if (acks && (cfg.max_ack_pending ?? 0) === 0) {
    let pending = JS_DEFAULT_MAX_ACK_PENDING;
    if (limits.maxAckPending > 0 && limits.maxAckPending < pending) pending = limits.maxAckPending;
    cfg.max_ack_pending = pending;
  }
  if (!push && (cfg.max_batch ?? 0) === 0 && limits.maxRequestBatch > 0)
    cfg.max_batch = limits.maxRequestBatch;
}

/** What checkConsumerConfig needs to know of the stream. */
export interface StreamConfigForConsumers {
  retention: "limits" | "interest" | "workqueue";
  subjects?: string[];
  num_replicas?: number;
  /** Sources or a mirror: the stream may hold subjects outside `subjects`, so filters are not checked. */
  hasExternalSubjects?: boolean;
}

/** checkConsumerCfg (with 2.10's filter_subjects rules). Returns the API error, or null when valid. */
export function checkConsumerConfig(
  cfg: ConsumerConfig,
  stream: StreamConfigForConsumers,
  limits: ConsumerLimits,
  recovering = false,
): JsApiError | null {
  const replicas = stream.num_replicas ?? 1;
  if (cfg.num_replicas > 0 && cfg.num_replicas > replicas) return jsError("JSConsumerReplicasExceedsStream");
  if (cfg.num_replicas < 0) return jsError("JSReplicasCountCannotBeNegative");
  const backoff = cfg.backoff?.length ?? 0;
  if (backoff > 0 && (cfg.max_deliver ?? 0) <= backoff) return jsError("JSConsumerMaxDeliverBackoffErr");
  if (Buffer.byteLength(cfg.description ?? "") > JS_MAX_DESCRIPTION_LEN) {
    return jsError("JSConsumerDescriptionTooLongErrF", { max: JS_MAX_DESCRIPTION_LEN });
  }
  const modeError = isPushConfig(cfg) ? checkPushConfig(cfg, stream) : checkPullConfig(cfg, stream, limits);
  if (modeError !== null) return modeError;
  const pending = cfg.max_ack_pending ?? 0;
  if (limits.maxAckPending > 0 && pending > limits.maxAckPending) {
    return jsError("JSConsumerMaxPendingAckExcessErrF", { limit: limits.maxAckPending });
  }
  if (cfg.direct === true) {
    if (!isPushConfig(cfg)) return jsError("JSConsumerDirectRequiresPushErr");
    if (isDurableConfig(cfg)) return jsError("JSConsumerDirectRequiresEphemeralErr");
  }
  const filterError = checkFilters(cfg, stream, recovering);
  if (filterError !== null) return filterError;
  const policyError = checkDeliverPolicy(cfg);
  if (policyError !== null) return policyError;
  if (
    cfg.sample_freq !== undefined &&
    cfg.sample_freq !== "" &&
    parseSampleFrequency(cfg.sample_freq) === null
  ) {
    return jsError("JSConsumerInvalidSamplingErrF", { err: samplingError(cfg.sample_freq) });
  }
  if (cfg.flow_control === true && (cfg.idle_heartbeat ?? 0) === 0) {
    return jsError("JSConsumerWithFlowControlNeedsHeartbeats");
  }
  if (isDurableConfig(cfg) && (cfg.name ?? "") !== "" && cfg.name !== cfg.durable_name) {
    return jsError("JSConsumerCreateDurableAndNameMismatch");
  }
  return null;
}

function checkPushConfig(cfg: ConsumerConfig, stream: StreamConfigForConsumers): JsApiError | null {
  const deliver = cfg.deliver_subject!;
  if (subjectHasWildcard(deliver)) return jsError("JSConsumerDeliverToWildcardsErr");
  if (!isValidSubject(deliver)) return jsError("JSConsumerInvalidDeliverSubject");
  // Delivering onto a subject the stream stores would feed the stream its own deliveries.
  for (const subject of stream.subjects ?? []) {
    if (subjectIsSubsetOf(deliver, subject)) return jsError("JSConsumerDeliverCycleErr");
  }
  if ((cfg.max_waiting ?? 0) !== 0) return jsError("JSConsumerPushMaxWaitingErr");
  if ((cfg.max_ack_pending ?? 0) > 0 && cfg.ack_policy === "none") {
    return jsError("JSConsumerMaxPendingAckPolicyRequiredErr");
  }
  const hb = cfg.idle_heartbeat ?? 0;
  if (hb > 0 && hb < 100_000_000) return jsError("JSConsumerSmallHeartbeatErr");
  return null;
}

function checkPullConfig(cfg: ConsumerConfig, stream: StreamConfigForConsumers, limits: ConsumerLimits) {
  if (cfg.ack_policy === "none" && stream.retention === "workqueue")
    return jsError("JSConsumerPullRequiresAckErr");
  if ((cfg.rate_limit_bps ?? 0) > 0) return jsError("JSConsumerPullWithRateLimitErr");
  if ((cfg.max_waiting ?? 0) < 0) return jsError("JSConsumerMaxWaitingNegativeErr");
  if ((cfg.idle_heartbeat ?? 0) > 0) return jsError("JSConsumerHBRequiresPushErr");
  if (cfg.flow_control === true) return jsError("JSConsumerFCRequiresPushErr");
  const batch = cfg.max_batch ?? 0;
  if (batch < 0) return jsError("JSConsumerMaxRequestBatchNegativeErr");
  const expires = cfg.max_expires ?? 0;
  if (expires !== 0 && expires < 1_000_000) return jsError("JSConsumerMaxRequestExpiresToSmall");
  if (limits.maxRequestBatch > 0 && batch > limits.maxRequestBatch) {
    return jsError("JSConsumerMaxRequestBatchExceededF", { limit: limits.maxRequestBatch });
  }
  return null;
}

/**
 * nats-server 2.10 error entries for filter_subjects, which the 2.9.10 catalogue does not have.
 * TODO(catalogue): move into errors.ts when it gains the 2.10 entries (10136..10139).
 */
export const consumerFilterErrors = {
  duplicateFilterSubjects: {
    code: 400,
    err_code: 10136,
    description: "consumer cannot have both FilterSubject and FilterSubjects specified",
  },
  multipleFiltersNotAllowed: {
    code: 400,
    err_code: 10137,
    description: "consumer with multiple subject filters cannot use subject based API",
  },
  overlappingSubjectFilters: {
    code: 400,
    err_code: 10138,
    description: "consumer subject filters cannot overlap",
  },
  emptyFilter: {
    code: 400,
    err_code: 10139,
    description: "consumer filter in FilterSubjects cannot be empty",
  },
} as const satisfies Record<string, JsApiError>;

function checkFilters(cfg: ConsumerConfig, stream: StreamConfigForConsumers, recovering: boolean) {
  const many = cfg.filter_subjects ?? [];
  if ((cfg.filter_subject ?? "") !== "" && many.length > 0)
    return { ...consumerFilterErrors.duplicateFilterSubjects };
  if (many.some((f) => f === "")) return { ...consumerFilterErrors.emptyFilter };
  const filters = consumerFilters(cfg);
  for (let i = 0; i < filters.length; i++) {
    for (let j = 0; j < filters.length; j++) {
      if (i !== j && subjectIsSubsetOf(filters[i]!, filters[j]!))
        return { ...consumerFilterErrors.overlappingSubjectFilters };
    }
  }
  // nats-server skips the subset check on recovery and for streams fed by sources or a mirror.
  if (recovering || stream.hasExternalSubjects === true) return null;
  for (const filter of filters) {
    if (!validFilteredSubject(filter, stream.subjects ?? [])) return jsError("JSConsumerFilterNotSubsetErr");
  }
  return null;
}

/** validFilteredSubject: the filter lies within a stream subject, or (with wildcards) covers one. */
export function validFilteredSubject(filter: string, subjects: readonly string[]): boolean {
  if (!isValidSubject(filter)) return false;
  const wildcard = subjectHasWildcard(filter);
  for (const subject of subjects) {
    if (subjectIsSubsetOf(filter, subject)) return true;
    if (wildcard && subjectIsSubsetOf(subject, filter)) return true;
  }
  return false;
}

function checkDeliverPolicy(cfg: ConsumerConfig): JsApiError | null {
  const seq = (cfg.opt_start_seq ?? 0) > 0;
  const time = cfg.opt_start_time !== undefined;
  const badStart = (dp: string, start: string) =>
    jsError("JSConsumerInvalidPolicyErrF", {
      err: `consumer delivery policy is deliver ${dp}, but optional start ${start} is also set`,
    });
  const notSet = (dp: string, what: string) =>
    jsError("JSConsumerInvalidPolicyErrF", {
      err: `consumer delivery policy is deliver ${dp}, but optional ${what} is not set`,
    });
  const names: Record<string, string> = {
    all: "all",
    last: "last",
    last_per_subject: "last per subject",
    new: "new",
  };
  switch (cfg.deliver_policy) {
    case "all":
    case "last":
    case "last_per_subject":
    case "new": {
      const dp = names[cfg.deliver_policy]!;
      if (seq) return badStart(dp, "sequence");
      if (time) return badStart(dp, "time");
      if (cfg.deliver_policy === "last_per_subject" && consumerFilters(cfg).length === 0) {
        return notSet(dp, "filter subject");
      }
      return null;
    }
    case "by_start_sequence":
      if (!seq) return notSet("by start sequence", "start sequence");
      if (time) return badStart("by start sequence", "time");
      return null;
    case "by_start_time":
      if (!time) return notSet("by start time", "start time");
      if ((cfg.opt_start_seq ?? 0) !== 0) return badStart("by start time", "start sequence");
      return null;
  }
}

/** sample_freq "30" or "30%" as a percentage; null when Go's strconv.Atoi fails or it is negative. */
export function parseSampleFrequency(text: string): number | null {
  const s = text.endsWith("%") ? text.slice(0, -1) : text;
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = Number.parseInt(s, 10);
  return n < 0 ? null : n;
}

/** The error Go's strconv.Atoi gives for a bad sample frequency (nil for a negative value). */
function samplingError(text: string): string {
  const s = text.endsWith("%") ? text.slice(0, -1) : text;
  if (/^[+-]?[0-9]+$/.test(s)) return "<nil>";
  return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
}

/**
 * checkNewConsumerConfig: which changes an update (a create of an existing consumer) may make.
 * Returns the reason text (nats-server wraps it as JSConsumerCreateErrF, 10012) or an API error.
 */
export function checkConsumerUpdate(
  old: ConsumerConfig,
  next: ConsumerConfig,
  oldDeliverHasInterest: () => boolean,
): string | JsApiError | null {
  if (sameConfig(old, next)) return null;
  if (old.deliver_policy !== next.deliver_policy) return "deliver policy can not be updated";
  if ((old.opt_start_seq ?? 0) !== (next.opt_start_seq ?? 0)) return "start sequence can not be updated";
  if (old.opt_start_time !== next.opt_start_time) return "start time can not be updated";
  if (old.ack_policy !== next.ack_policy) return "ack policy can not be updated";
  if (old.replay_policy !== next.replay_policy) return "replay policy can not be updated";
  if ((old.idle_heartbeat ?? 0) !== (next.idle_heartbeat ?? 0)) return "heart beats can not be updated";
  if ((old.flow_control ?? false) !== (next.flow_control ?? false)) return "flow control can not be updated";
  if ((old.max_waiting ?? 0) !== (next.max_waiting ?? 0)) return "max waiting can not be updated";
  const oldDeliver = old.deliver_subject ?? "";
  const newDeliver = next.deliver_subject ?? "";
  if (oldDeliver !== newDeliver) {
    if (oldDeliver === "") return "can not update pull consumer to push based";
    if (newDeliver === "") return "can not update push consumer to pull based";
    if (oldDeliverHasInterest()) return jsError("JSConsumerNameExistErr");
  }
  const backoff = next.backoff?.length ?? 0;
  if (backoff > 0 && (next.max_deliver ?? 0) <= backoff) return jsError("JSConsumerMaxDeliverBackoffErr");
  return null;
}

/** reflect.DeepEqual on two configs, by their printed form. */
export function sameConfig(a: ConsumerConfig, b: ConsumerConfig): boolean {
  return JSON.stringify(consumerConfigJson(a)) === JSON.stringify(consumerConfigJson(b));
}

/** Config values a running consumer reads, in milliseconds (timers) or plain numbers. */
export function ackWaitMs(cfg: ConsumerConfig): number {
  return Math.max(1, Math.ceil((cfg.ack_wait ?? JS_ACK_WAIT_DEFAULT_NANOS) / 1_000_000));
}

/** For status texts: "Exceeded MaxRequestExpires of 1s". */
export function describeDuration(nanos: number): string {
  return formatGoDuration(nanos);
}

// Stream configuration: reading a StreamConfig request the way nats-server 2.9.10 does, its defaults
// and checks (checkStreamCfg, configUpdateCheck), and the JSON shape it reports, in Go field order.

import { isValidSubject, subjectIsSubsetOf, subjectsCollide } from "../core/subject.js";
import type { StoreLimits } from "../storage/store.js";
import { type JsApiError, jsError } from "./errors.js";
import {
  asObject,
  GoJsonError,
  type JsonObject,
  readBool,
  readEnum,
  readInt,
  readObject,
  readString,
  readStringArray,
  readStringMap,
} from "./go-json.js";

export const NS_PER_MS = 1_000_000;
/** nats-server StreamDefaultDuplicatesWindow. */
export const DEFAULT_DUPLICATE_WINDOW_NS = 2 * 60 * 1000 * NS_PER_MS;
const MIN_WINDOW_NS = 100 * NS_PER_MS;
/** JSMaxNameLen and JSMaxDescriptionLen. */
export const MAX_NAME_LEN = 255;
export const MAX_DESCRIPTION_LEN = 4 * 1024;
const MAX_REPLICAS = 5;

export type Retention = "limits" | "interest" | "workqueue";
export type Discard = "old" | "new";
export type StorageKind = "file" | "memory";

export type Placement = { cluster: string; tags?: string[] };

/** StreamConfig as nats-server reports it (snake_case, durations in nanoseconds). */
export type StreamConfigJson = {
  name: string;
  description?: string;
  subjects?: string[];
  retention: Retention;
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_msgs_per_subject: number;
  max_msg_size?: number;
  discard: Discard;
  storage: StorageKind;
  num_replicas: number;
  no_ack?: boolean;
  template_owner?: string;
  duplicate_window?: number;
  placement?: Placement;
  allow_direct: boolean;
  mirror_direct: boolean;
  discard_new_per_subject?: boolean;
  sealed: boolean;
  deny_delete: boolean;
  deny_purge: boolean;
  allow_rollup_hdrs: boolean;
  /** nats-server 2.10+ (2.9.10 drops it); kept and echoed. */
  metadata?: Record<string, string>;
};

/** The request as Go's json.Unmarshal leaves it: absent fields at their zero values. */
export interface StreamConfigRequest {
  name: string;
  description: string;
  subjects: string[];
  retention: Retention;
  maxConsumers: number;
  maxMsgs: number;
  maxBytes: number;
  maxAge: number;
  maxMsgsPerSubject: number;
  maxMsgSize: number;
  discard: Discard;
  storage: StorageKind;
  replicas: number;
  noAck: boolean;
  templateOwner: string;
  duplicateWindow: number;
  placement?: Placement;
  hasMirror: boolean;
  hasSources: boolean;
  hasRepublish: boolean;
  allowDirect: boolean;
  mirrorDirect: boolean;
  discardNewPerSubject: boolean;
  sealed: boolean;
  denyDelete: boolean;
  denyPurge: boolean;
  allowRollup: boolean;
  metadata?: Record<string, string>;
}

/** Reads a StreamConfig body; throws GoJsonError where nats-server answers "invalid JSON". */
export function readStreamConfig(body: unknown): StreamConfigRequest {
  const o = asObject(body);
  const placement = readObject(o, "placement");
  const mirror = readObject(o, "mirror");
  const sources = o === null ? undefined : o.sources;
  if (sources !== undefined && sources !== null && !Array.isArray(sources)) throw new GoJsonError("sources");
  return {
    name: readString(o, "name") ?? "",
    description: readString(o, "description") ?? "",
    subjects: readStringArray(o, "subjects") ?? [],
    retention: readEnum(o, "retention", ["limits", "interest", "workqueue"] as const) ?? "limits",
    maxConsumers: readInt(o, "max_consumers") ?? 0,
    maxMsgs: readInt(o, "max_msgs") ?? 0,
    maxBytes: readInt(o, "max_bytes") ?? 0,
    maxAge: readInt(o, "max_age") ?? 0,
    maxMsgsPerSubject: readInt(o, "max_msgs_per_subject") ?? 0,
    maxMsgSize: readInt(o, "max_msg_size", "int32") ?? 0,
    discard: readEnum(o, "discard", ["old", "new"] as const) ?? "old",
    storage: readEnum(o, "storage", ["file", "memory"] as const) ?? "file",
    replicas: readInt(o, "num_replicas") ?? 0,
    noAck: readBool(o, "no_ack") ?? false,
    templateOwner: readString(o, "template_owner") ?? "",
    duplicateWindow: readInt(o, "duplicate_window") ?? 0,
    placement:
      placement === undefined
        ? undefined
        : { cluster: readString(placement, "cluster") ?? "", tags: readStringArray(placement, "tags") },
    hasMirror: mirror !== undefined,
    hasSources: Array.isArray(sources) && sources.length > 0,
    hasRepublish: readObject(o, "republish") !== undefined,
    allowDirect: readBool(o, "allow_direct") ?? false,
    mirrorDirect: readBool(o, "mirror_direct") ?? false,
    discardNewPerSubject: readBool(o, "discard_new_per_subject") ?? false,
    sealed: readBool(o, "sealed") ?? false,
    denyDelete: readBool(o, "deny_delete") ?? false,
    denyPurge: readBool(o, "deny_purge") ?? false,
    allowRollup: readBool(o, "allow_rollup_hdrs") ?? false,
    metadata: readStringMap(o, "metadata"),
  };
}

export type ConfigResult =
  | { config: StreamConfigJson; error?: undefined }
  | { error: JsApiError; config?: undefined };

function invalid(text: string): ConfigResult {
  return { error: jsError("JSStreamInvalidConfigF", { err: text }) };
}

/** nats-server isValidName: non-empty, no whitespace, '.', '*' or '>'. */
export function isValidStreamName(name: string): boolean {
  return name.length > 0 && !/[ \t\r\n\f.*>]/.test(name);
}

/** checkStreamCfg: defaults and the checks that need no other stream. */
export function checkStreamConfig(req: StreamConfigRequest): ConfigResult {
  if (!isValidStreamName(req.name))
    return invalid("stream name is required and can not contain '.', '*', '>'");
  if (req.name.length > MAX_NAME_LEN)
    return invalid(`stream name is too long, maximum allowed is ${MAX_NAME_LEN}`);
  if (req.description.length > MAX_DESCRIPTION_LEN) {
    return invalid(`stream description is too long, maximum allowed is ${MAX_DESCRIPTION_LEN}`);
  }
  const replicas = req.replicas === 0 ? 1 : req.replicas;
  if (replicas > MAX_REPLICAS) return invalid(`maximum replicas is ${MAX_REPLICAS}`);
  if (replicas < 0) return { error: jsError("JSReplicasCountCannotBeNegative") };
  const dupError = checkWindows(req);
  if (dupError !== null) return dupError;
  if (req.denyPurge && req.allowRollup) return invalid("roll-ups require the purge permission");
  const perSubjectError = checkDiscardNewPerSubject(
    req.discardNewPerSubject,
    req.discard,
    req.maxMsgsPerSubject,
  );
  if (perSubjectError !== null) return invalid(perSubjectError);
  if (req.hasMirror && req.subjects.length > 0) return { error: jsError("JSMirrorWithSubjectsErr") };
  if (req.hasMirror && req.hasSources) return { error: jsError("JSMirrorWithSourcesErr") };
  if (req.hasMirror || req.hasSources)
    return invalid("stream mirrors and sources are not supported by natsgate");
  if (req.hasRepublish) return invalid("stream republish is not supported by natsgate");
  const subjects = req.subjects.length === 0 ? [req.name] : req.subjects;
  const subjectError = checkSubjects(subjects);
  if (subjectError !== null) return invalid(subjectError);
  return { config: buildConfig(req, replicas, subjects) };
}

function defaultWindow(maxAge: number): number {
  return maxAge !== 0 && maxAge < DEFAULT_DUPLICATE_WINDOW_NS ? maxAge : DEFAULT_DUPLICATE_WINDOW_NS;
}

function checkWindows(req: StreamConfigRequest): ConfigResult | null {
  const window = req.duplicateWindow === 0 ? defaultWindow(req.maxAge) : req.duplicateWindow;
  if (req.maxAge > 0 && req.maxAge < MIN_WINDOW_NS) return invalid("max age needs to be >= 100ms");
  if (window < 0) return invalid("duplicates window can not be negative");
  if (req.maxAge !== 0 && window > req.maxAge)
    return invalid("duplicates window can not be larger then max age");
  if (window > 0 && window < MIN_WINDOW_NS) return invalid("duplicates window needs to be >= 100ms");
  return null;
}

function checkDiscardNewPerSubject(on: boolean | undefined, discard: Discard, maxPer: number): string | null {
  if (!on) return null;
  if (discard !== "new") return "discard new per subject requires discard new policy to be set";
  if (maxPer <= 0) return "discard new per subject requires max msgs per subject > 0";
  return null;
}

function checkSubjects(subjects: string[]): string | null {
  const seen = new Set<string>();
  for (const s of subjects) {
    if (seen.has(s)) return "duplicate subjects detected";
    if (subjectIsSubsetOf(s, "$JS.API.>")) return "subjects overlap with jetstream api";
    if (!isValidSubject(s)) return "invalid subject";
    seen.add(s);
  }
  if (subjects.length > 1) {
    for (const a of subjects) {
      for (const b of subjects) {
        if (a !== b && subjectsCollide(a, b)) return `subject "${a}" overlaps with "${b}"`;
      }
    }
  }
  return null;
}

const orUnlimited = (v: number) => (v === 0 ? -1 : v);

function buildConfig(req: StreamConfigRequest, replicas: number, subjects: string[]): StreamConfigJson {
  const c: StreamConfigJson = {
    name: req.name,
    description: req.description || undefined,
    subjects,
    retention: req.retention,
    max_consumers: orUnlimited(req.maxConsumers),
    max_msgs: orUnlimited(req.maxMsgs),
    max_bytes: orUnlimited(req.maxBytes),
    max_age: req.maxAge,
    max_msgs_per_subject: orUnlimited(req.maxMsgsPerSubject),
    max_msg_size: orUnlimited(req.maxMsgSize),
    discard: req.discard,
    storage: req.storage,
    num_replicas: replicas,
    no_ack: req.noAck || undefined,
    template_owner: req.templateOwner || undefined,
    duplicate_window: req.duplicateWindow === 0 ? defaultWindow(req.maxAge) : req.duplicateWindow,
    placement: req.placement,
    allow_direct: req.allowDirect,
    mirror_direct: req.mirrorDirect,
    discard_new_per_subject: req.discardNewPerSubject || undefined,
    sealed: req.sealed,
    deny_delete: req.denyDelete,
    deny_purge: req.denyPurge,
    allow_rollup_hdrs: req.allowRollup,
    metadata: req.metadata,
  };
  if (c.duplicate_window === 0) c.duplicate_window = undefined;
  return c;
}

/** configUpdateCheck: what an update may not change, and the adjustments sealing makes. */
export function checkStreamUpdate(old: StreamConfigJson, next: StreamConfigJson): ConfigResult {
  if (next.name !== old.name) return invalid("stream configuration name must match original");
  if (next.max_consumers !== old.max_consumers) {
    return invalid("stream configuration update can not change MaxConsumers");
  }
  if (next.storage !== old.storage) return invalid("stream configuration update can not change storage type");
  if (next.retention !== old.retention) {
    return invalid("stream configuration update can not change retention policy");
  }
  if (old.template_owner) return invalid("stream configuration update not allowed on template owned stream");
  if (next.template_owner) return invalid("stream configuration update can not be owned by a template");
  if (!next.sealed && old.sealed)
    return invalid("stream configuration update can not unseal a sealed stream");
  if (!next.deny_delete && old.deny_delete) {
    return invalid("stream configuration update can not cancel deny message deletes");
  }
  if (!next.deny_purge && old.deny_purge)
    return invalid("stream configuration update can not cancel deny purge");
  const cfg: StreamConfigJson = { ...next };
  if (cfg.sealed) {
    cfg.max_age = 0;
    cfg.discard = "new";
    cfg.deny_delete = true;
    cfg.deny_purge = true;
    cfg.allow_rollup_hdrs = false;
  }
  return { config: cfg };
}

/** The stream config as reported, with Go's omitempty fields left out and keys in Go order. */
export function configJson(c: StreamConfigJson): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v;
  return out;
}

/** Equality as nats-server's reflect.DeepEqual on two normalized configs. */
export function sameConfig(a: StreamConfigJson, b: StreamConfigJson): boolean {
  return JSON.stringify(configJson(a)) === JSON.stringify(configJson(b));
}

/** The limits a stream's store enforces, from its config. */
export function storeLimitsOf(c: StreamConfigJson): StoreLimits {
  return {
    maxMsgs: c.max_msgs,
    maxBytes: c.max_bytes,
    maxAge: c.max_age > 0 ? c.max_age / NS_PER_MS : 0,
    maxMsgsPerSubject: c.max_msgs_per_subject,
    maxMsgSize: c.max_msg_size ?? -1,
    discard: c.discard,
    discardNewPerSubject: c.discard_new_per_subject === true,
  };
}

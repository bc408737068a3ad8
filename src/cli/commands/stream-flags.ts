// The nats CLI's stream configuration flags (shared by `stream add` and `stream edit`) and their translation
// into a JetStream StreamConfig, with the CLI's defaults when a value is neither given nor asked for.

import { type Command, Option } from "commander";
import { parseBytes } from "./byte-size.js";
import { CliError } from "./cli-error.js";
import { goDuration, parseLimitDuration } from "./duration.js";
import { collectList, collectMap, enumValue, intValue } from "./flag-values.js";
import { ask, canPrompt, confirm } from "./prompt.js";

export interface StreamFlags {
  subjects?: string[];
  description?: string;
  storage?: string;
  compression?: string;
  replicas?: string;
  tag?: string[];
  cluster?: string;
  ack?: boolean;
  retention?: string;
  discard?: string;
  discardPerSubject?: boolean;
  firstSequence?: string;
  maxAge?: string;
  maxAges?: string;
  maxBytes?: string;
  maxConsumers?: string;
  maxMsgSize?: string;
  maxMsgs?: string;
  maxMsgsPerSubject?: string;
  dupeWindow?: string;
  allowRollup?: boolean;
  denyDelete?: boolean;
  denyPurge?: boolean;
  allowDirect?: boolean;
  allowMirrorDirect?: boolean;
  allowMsgTtl?: boolean;
  mirror?: string;
  source?: string[];
  metadata?: Record<string, string>;
  republishSource?: string;
  republishDestination?: string;
  republishHeaders?: boolean;
  defaults?: boolean;
  json?: boolean;
}

/** A JetStream stream configuration as JSON (durations in nanoseconds). */
export type StreamConfigJson = Record<string, unknown>;

function negatable(cmd: Command, name: string, help: string): void {
  cmd.addOption(new Option(`--${name}`, help));
  cmd.addOption(new Option(`--no-${name}`, `Negates --${name}`).hideHelp());
}

/** Adds the stream configuration flags, none with a default so that edit can tell what was given. */
export function addStreamFlags(cmd: Command): Command {
  cmd
    .option("--subjects <subjects>", "Subjects that are consumed by the stream", collectList)
    .option("--description <text>", "Sets a contextual description for the stream")
    .option("--storage <type>", "Storage backend to use (file, memory)")
    .option("--compression <alg>", "Compression algorithm to use (none, s2)")
    .option("--replicas <n>", "When clustered, how many replicas of the data to create")
    .option("--tag <tag>", "Place the stream on servers that has specific tags", collectList)
    .option("--cluster <name>", "Place the stream on a specific cluster")
    .option("--retention <policy>", "Defines a retention policy (limits, interest, work)")
    .option("--discard <policy>", "Defines the discard policy (new, old)")
    .option("--first-sequence <seq>", "Sets the starting sequence")
    .option("--max-age <duration>", "Maximum age of messages to keep")
    .addOption(new Option("--max-ages <duration>", "Alias of --max-age").hideHelp())
    .option("--max-bytes <bytes>", "Maximum bytes to keep")
    .option("--max-consumers <n>", "Maximum number of consumers to allow")
    .option("--max-msg-size <bytes>", "Maximum size any 1 message may be")
    .option("--max-msgs <n>", "Maximum amount of messages to keep")
    .option("--max-msgs-per-subject <n>", "Maximum amount of messages to keep per subject")
    .option("--dupe-window <duration>", "Duration of the duplicate message tracking window")
    .option("--mirror <stream>", "Completely mirror another stream (name or JSON)")
    .option("--source <stream>", "Source data from other streams (name or JSON)", (v, p: string[] = []) => [
      ...p,
      v,
    ])
    .option("--metadata <key=value>", "Adds metadata to the stream", collectMap)
    .option("--republish-source <subject>", "Republish messages to --republish-destination")
    .option("--republish-destination <subject>", "Republish destination for messages in --republish-source")
    .option("--republish-headers", "Republish only message headers, no bodies")
    .option("-j, --json", "Produce JSON output");
  negatable(cmd, "ack", "Acknowledge publishes (default true)");
  negatable(cmd, "discard-per-subject", "Applies the 'new' discard policy to every subject in the stream");
  negatable(cmd, "allow-rollup", "Allows roll-ups to be done by publishing messages with special headers");
  negatable(cmd, "deny-delete", "Deny messages from being deleted via the API");
  negatable(cmd, "deny-purge", "Deny entire stream or subject purges via the API");
  negatable(
    cmd,
    "allow-direct",
    "Allows fast, direct, access to stream data via the direct get API (default true)",
  );
  negatable(cmd, "allow-mirror-direct", "Allows direct get access to stream data on mirrors");
  negatable(cmd, "allow-msg-ttl", "Allows per-message TTL handling");
  return cmd;
}

const RETENTION: Record<string, string> = {
  limits: "limits",
  interest: "interest",
  workq: "workqueue",
  work: "workqueue",
};
const STORAGE: Record<string, string> = { file: "file", f: "file", memory: "memory", m: "memory" };

function streamSource(text: string): Record<string, unknown> {
  if (text.trim().startsWith("{")) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`invalid stream source JSON: ${(err as Error).message}`);
    }
  }
  return { name: text };
}

/** Values shared by add and edit: every flag the user gave, validated, as StreamConfig fields. */
export function streamFieldsFromFlags(f: StreamFlags): StreamConfigJson {
  const c: StreamConfigJson = {};
  if (f.subjects) c.subjects = f.subjects;
  if (f.description !== undefined) c.description = f.description;
  if (f.storage !== undefined) c.storage = STORAGE[enumValue("storage", f.storage, Object.keys(STORAGE))];
  if (f.compression !== undefined) c.compression = enumValue("compression", f.compression, ["none", "s2"]);
  if (f.replicas !== undefined) c.num_replicas = intValue("replicas", f.replicas);
  if (f.retention !== undefined)
    c.retention = RETENTION[enumValue("retention", f.retention, Object.keys(RETENTION))];
  if (f.discard !== undefined) c.discard = enumValue("discard", f.discard, ["new", "old"]);
  if (f.firstSequence !== undefined) c.first_seq = intValue("first-sequence", f.firstSequence);
  const maxAge = f.maxAge ?? f.maxAges;
  if (maxAge !== undefined) c.max_age = parseLimitDuration(maxAge, "maximum age limit");
  if (f.maxBytes !== undefined) c.max_bytes = nonZeroLimit(parseBytes(f.maxBytes, "maximum bytes"));
  if (f.maxConsumers !== undefined) c.max_consumers = intValue("max-consumers", f.maxConsumers);
  if (f.maxMsgSize !== undefined)
    c.max_msg_size = nonZeroLimit(parseBytes(f.maxMsgSize, "maximum message size"));
  if (f.maxMsgs !== undefined) c.max_msgs = nonZeroLimit(intValue("max-msgs", f.maxMsgs));
  if (f.maxMsgsPerSubject !== undefined) {
    c.max_msgs_per_subject = nonZeroLimit(intValue("max-msgs-per-subject", f.maxMsgsPerSubject));
  }
  if (f.dupeWindow !== undefined) c.duplicate_window = parseLimitDuration(f.dupeWindow, "duplicate window");
  if (f.ack !== undefined) c.no_ack = !f.ack;
  if (f.discardPerSubject !== undefined) c.discard_new_per_subject = f.discardPerSubject;
  if (f.allowRollup !== undefined) c.allow_rollup_hdrs = f.allowRollup;
  if (f.denyDelete !== undefined) c.deny_delete = f.denyDelete;
  if (f.denyPurge !== undefined) c.deny_purge = f.denyPurge;
  if (f.allowDirect !== undefined) c.allow_direct = f.allowDirect;
  if (f.allowMirrorDirect !== undefined) c.mirror_direct = f.allowMirrorDirect;
  if (f.allowMsgTtl !== undefined) c.allow_msg_ttl = f.allowMsgTtl;
  if (f.metadata) c.metadata = f.metadata;
  if (f.tag || f.cluster)
    c.placement = { ...(f.cluster ? { cluster: f.cluster } : {}), ...(f.tag ? { tags: f.tag } : {}) };
  if (f.mirror) c.mirror = streamSource(f.mirror);
  if (f.source) c.sources = f.source.map(streamSource);
  if (f.republishSource || f.republishDestination) {
    if (!f.republishSource || !f.republishDestination) {
      throw new CliError("both --republish-source and --republish-destination are required");
    }
    c.republish = {
      src: f.republishSource,
      dest: f.republishDestination,
      headers_only: f.republishHeaders === true,
    };
  }
  return c;
}

/** The nats CLI stores 0 (and any negative) for these limits as -1, unlimited. */
function nonZeroLimit(n: number): number {
  return n <= 0 ? -1 : n;
}

/**
 * The full configuration for `stream add`: given flags, then answers to prompts on a TTY, then the CLI's
 * defaults (file, 1 replica, limits, discard old, unlimited, dupe window 2m or max_age when shorter).
 */
export async function streamConfigForAdd(
  name: string | undefined,
  f: StreamFlags,
): Promise<StreamConfigJson> {
  const given = streamFieldsFromFlags(f);
  const interactive = canPrompt() && !f.defaults;
  const streamName = name ?? (await ask("Stream Name", undefined, "stream name argument"));
  if (given.mirror && given.subjects) throw new CliError("mirrors cannot listen for messages on subjects");
  if (!given.subjects && !given.mirror && !given.sources) {
    given.subjects = collectList(await ask("Subjects", undefined, "--subjects"), undefined);
  }
  const pick = async <T>(key: string, question: string, fallback: T, parse: (s: string) => T): Promise<T> => {
    if (given[key] !== undefined) return given[key] as T;
    if (!interactive) return fallback;
    return parse(await ask(question, String(fallback)));
  };
  const cfg: StreamConfigJson = {
    name: streamName,
    ...given,
    storage: await pick(
      "storage",
      "Storage (file, memory)",
      "file",
      (s) => STORAGE[enumValue("storage", s, Object.keys(STORAGE))],
    ),
    num_replicas: await pick("num_replicas", "Replication", 1, (s) => intValue("replicas", s)),
    retention: await pick(
      "retention",
      "Retention Policy (limits, interest, work)",
      "limits",
      (s) => RETENTION[enumValue("retention", s, Object.keys(RETENTION))],
    ),
    discard: await pick("discard", "Discard Policy (new, old)", "old", (s) =>
      enumValue("discard", s, ["new", "old"]),
    ),
    max_msgs: await pick("max_msgs", "Stream Messages Limit", -1, (s) =>
      nonZeroLimit(intValue("max-msgs", s)),
    ),
    max_msgs_per_subject: await pick("max_msgs_per_subject", "Per Subject Messages Limit", -1, (s) =>
      nonZeroLimit(intValue("max-msgs-per-subject", s)),
    ),
    max_bytes: await pick("max_bytes", "Total Stream Size", -1, (s) =>
      nonZeroLimit(parseBytes(s, "maximum bytes")),
    ),
    max_age: await pick("max_age", "Message TTL", 0, (s) => parseLimitDuration(s, "maximum age limit")),
    max_msg_size: await pick("max_msg_size", "Max Message Size", -1, (s) =>
      nonZeroLimit(parseBytes(s, "maximum message size")),
    ),
    max_consumers: given.max_consumers ?? -1,
    no_ack: given.no_ack ?? false,
    allow_direct: given.allow_direct ?? true,
  };
  if ((cfg.num_replicas as number) <= 0) throw new CliError("replicas should be >= 1");
  if (cfg.duplicate_window === undefined && !cfg.mirror) {
    const maxAge = cfg.max_age as number;
    const fallback = maxAge > 0 && maxAge < 120e9 ? maxAge : 120e9;
    cfg.duplicate_window = await pick(
      "duplicate_window",
      "Duplicate tracking time window",
      goDuration(fallback),
      (s) => s,
    ).then((v) => (typeof v === "string" ? parseLimitDuration(v, "duplicate window") : v));
  }
  if (given.allow_rollup_hdrs === undefined)
    cfg.allow_rollup_hdrs = interactive ? await confirm("Allow message Roll-ups", false) : false;
  if (given.deny_delete === undefined)
    cfg.deny_delete = interactive ? !(await confirm("Allow message deletion", true)) : false;
  if (given.deny_purge === undefined)
    cfg.deny_purge = interactive
      ? !(await confirm("Allow purging subjects or the entire stream", true))
      : false;
  return cfg;
}

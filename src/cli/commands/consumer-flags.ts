// The nats CLI's consumer configuration flags (shared by `consumer add` and `consumer edit`) and their
// translation into a JetStream ConsumerConfig, with the CLI's defaults when a value is not given.

import { type Command, Option } from "commander";
import { CliError } from "./cli-error.js";
import { parseDuration } from "./duration.js";
import { collectList, collectMap, enumValue, intValue } from "./flag-values.js";
import { ask, canPrompt, confirm } from "./prompt.js";

export interface ConsumerFlags {
  ack?: string;
  bps?: string;
  deliver?: string;
  deliverGroup?: string;
  description?: string;
  ephemeral?: boolean;
  filter?: string[];
  flowControl?: boolean;
  heartbeat?: string;
  headersOnly?: boolean;
  maxDeliver?: string;
  maxPending?: string;
  maxWaiting?: string;
  maxPullBatch?: string;
  maxPullExpire?: string;
  maxPullBytes?: string;
  pull?: boolean;
  replay?: string;
  sample?: string;
  target?: string;
  wait?: string;
  inactiveThreshold?: string;
  memory?: boolean;
  replicas?: string;
  metadata?: Record<string, string>;
  defaults?: boolean;
  json?: boolean;
}

export type ConsumerConfigJson = Record<string, unknown>;

export function addConsumerFlags(cmd: Command): Command {
  cmd
    .option("--ack <policy>", "Acknowledgment policy (none, all, explicit)")
    .option("--bps <bits>", "Restrict message delivery to a certain bit per second")
    .option("--deliver <policy>", "Start policy (all, new, last, subject, 1h, msg sequence)")
    .option("--deliver-group <group>", "Delivers push messages only to subscriptions matching this group")
    .option("--description <text>", "Sets a contextual description for the consumer")
    .option("--ephemeral", "Create an ephemeral consumer")
    .option("--filter <subjects>", "Filter Stream by subjects", collectList)
    .option("--flow-control", "Enable Push consumer flow control")
    .option("--heartbeat <duration>", "Enable idle Push consumer heartbeats (-1 disable)")
    .option("--headers-only", "Deliver only headers and no bodies")
    .addOption(new Option("--no-headers-only", "Deliver bodies too").hideHelp())
    .option("--max-deliver <tries>", "Maximum amount of times a message will be delivered")
    .option("--max-pending <n>", "Maximum pending Acks before consumers are paused")
    .addOption(new Option("--max-outstanding <n>", "Alias of --max-pending").hideHelp())
    .option("--max-waiting <pulls>", "Maximum number of outstanding pulls allowed")
    .option("--max-pull-batch <n>", "Maximum size batch size for a pull request to accept")
    .option("--max-pull-expire <duration>", "Maximum expire duration for a pull request to accept")
    .option("--max-pull-bytes <bytes>", "Maximum max bytes for a pull request to accept")
    .option("--pull", "Deliver messages in 'pull' mode")
    .option("--replay <policy>", "Replay Policy (instant, original)")
    .option("--sample <percent>", "Percentage of requests to sample for monitoring purposes")
    .option("--target <subject>", "Push based delivery target subject")
    .option("--wait <duration>", "Acknowledgment waiting time")
    .option(
      "--inactive-threshold <duration>",
      "How long to allow an ephemeral consumer to be idle before removing it",
    )
    .option("--memory", "Force the consumer state to be stored in memory rather than inherit from the stream")
    .option("--replicas <n>", "Sets a custom replica count rather than inherit from the stream")
    .option("--metadata <key=value>", "Adds metadata to the consumer", collectMap)
    .option("-j, --json", "Produce JSON output");
  return cmd;
}

const ACK = ["none", "all", "explicit"];

/** Applies a --deliver value: all, last, new/next, subject/last_per_subject, a sequence, or a duration ago. */
export function applyDeliverPolicy(cfg: ConsumerConfigJson, policy: string, now = Date.now()): void {
  delete cfg.opt_start_seq;
  delete cfg.opt_start_time;
  if (policy === "all") cfg.deliver_policy = "all";
  else if (policy === "last") cfg.deliver_policy = "last";
  else if (policy === "new" || policy === "next") cfg.deliver_policy = "new";
  else if (policy === "subject" || policy === "last_per_subject") cfg.deliver_policy = "last_per_subject";
  else if (/^\d+$/.test(policy)) {
    cfg.deliver_policy = "by_start_sequence";
    cfg.opt_start_seq = Number(policy);
  } else {
    const ns = parseDuration(policy, "starting delta");
    cfg.deliver_policy = "by_start_time";
    cfg.opt_start_time = new Date(now - ns / 1e6).toISOString();
  }
}

/** Every consumer field the user gave on the command line, validated. */
export function consumerFieldsFromFlags(f: ConsumerFlags): ConsumerConfigJson {
  const c: ConsumerConfigJson = {};
  if (f.description !== undefined) c.description = f.description;
  if (f.ack !== undefined) c.ack_policy = enumValue("ack", f.ack, ACK);
  if (f.deliver !== undefined) applyDeliverPolicy(c, f.deliver);
  if (f.replay !== undefined) c.replay_policy = enumValue("replay", f.replay, ["instant", "original"]);
  if (f.filter?.length === 1) c.filter_subject = f.filter[0];
  else if (f.filter && f.filter.length > 1) c.filter_subjects = f.filter;
  if (f.wait !== undefined) {
    const ns = parseDuration(f.wait, "ack wait");
    if (ns > 0) c.ack_wait = ns;
  }
  if (f.maxDeliver !== undefined) c.max_deliver = intValue("max-deliver", f.maxDeliver);
  const pending = f.maxPending ?? (f as { maxOutstanding?: string }).maxOutstanding;
  if (pending !== undefined) c.max_ack_pending = Math.max(0, intValue("max-pending", pending));
  if (f.maxWaiting !== undefined) c.max_waiting = intValue("max-waiting", f.maxWaiting);
  if (f.maxPullBatch !== undefined) c.max_batch = intValue("max-pull-batch", f.maxPullBatch);
  if (f.maxPullExpire !== undefined) c.max_expires = parseDuration(f.maxPullExpire, "max pull expire");
  if (f.maxPullBytes !== undefined) c.max_bytes = intValue("max-pull-bytes", f.maxPullBytes);
  if (f.headersOnly !== undefined) c.headers_only = f.headersOnly;
  if (f.flowControl !== undefined) c.flow_control = f.flowControl;
  if (f.heartbeat !== undefined)
    c.idle_heartbeat = f.heartbeat === "-1" ? 0 : parseDuration(f.heartbeat, "heartbeat");
  if (f.bps !== undefined) c.rate_limit_bps = intValue("bps", f.bps);
  if (f.sample !== undefined) {
    const pct = intValue("sample", f.sample);
    if (pct > 100) throw new CliError("sample percent is not between 0 and 100");
    if (pct > 0) c.sample_freq = String(pct);
  }
  if (f.inactiveThreshold !== undefined)
    c.inactive_threshold = parseDuration(f.inactiveThreshold, "inactive threshold");
  if (f.memory) c.mem_storage = true;
  if (f.replicas !== undefined) c.num_replicas = intValue("replicas", f.replicas);
  if (f.metadata) c.metadata = f.metadata;
  return c;
}

/** The full configuration for `consumer add`, as the nats CLI builds it from flags, prompts and defaults. */
export async function consumerConfigForAdd(
  name: string | undefined,
  f: ConsumerFlags,
): Promise<ConsumerConfigJson> {
  const interactive = canPrompt() && !f.defaults;
  const given = consumerFieldsFromFlags(f);
  const consumer =
    name ?? (f.ephemeral ? undefined : await ask("Consumer name", undefined, "consumer name argument"));
  if (consumer && /[.*>]/.test(consumer)) throw new CliError("durable name can not contain '.', '*', '>'");
  let target = f.target;
  if (!f.pull && target === undefined)
    target = interactive ? await ask("Delivery target (empty for Pull Consumers)", "") : "";
  const push = target !== undefined && target !== "";
  const ask1 = async (key: string, q: string, fallback: string, apply: (v: string) => void) => {
    if (given[key] !== undefined) return;
    apply(interactive ? await ask(q, fallback) : fallback);
  };
  const cfg: ConsumerConfigJson = { ...given };
  if (consumer) cfg[f.ephemeral ? "name" : "durable_name"] = consumer;
  if (push) cfg.deliver_subject = target;
  if (push && f.deliverGroup) cfg.deliver_group = f.deliverGroup;
  await ask1("deliver_policy", "Start policy (all, new, last, subject, 1h, msg sequence)", "all", (v) =>
    applyDeliverPolicy(cfg, v),
  );
  await ask1("ack_policy", "Acknowledgment policy (explicit, all, none)", push ? "none" : "explicit", (v) => {
    cfg.ack_policy = enumValue("ack", v, ACK);
  });
  await ask1("replay_policy", "Replay policy (instant, original)", "instant", (v) => {
    cfg.replay_policy = enumValue("replay", v, ["instant", "original"]);
  });
  if (!f.filter && interactive) {
    const filters = collectList(await ask("Filter Stream by subjects (blank for all)", ""), undefined);
    if (filters.length === 1) cfg.filter_subject = filters[0];
    else if (filters.length > 1) cfg.filter_subjects = filters;
  }
  if (!cfg.filter_subject && !cfg.filter_subjects && cfg.deliver_policy === "last_per_subject")
    cfg.filter_subject = ">";
  if (cfg.ack_policy === "none") cfg.max_deliver = -1;
  else
    await ask1(
      "max_deliver",
      "Maximum Allowed Deliveries",
      "-1",
      (v) => (cfg.max_deliver = intValue("max-deliver", v)),
    );
  if (cfg.ack_policy !== "none") {
    await ask1(
      "max_ack_pending",
      "Maximum Acknowledgments Pending",
      "0",
      (v) => (cfg.max_ack_pending = Math.max(0, intValue("max-pending", v))),
    );
  }
  cfg.max_ack_pending ??= 0;
  if (push && cfg.flow_control === undefined)
    cfg.flow_control = interactive ? await confirm("Enable Flow Control, ie --flow-control", false) : false;
  if (cfg.headers_only === undefined)
    cfg.headers_only = interactive ? await confirm("Deliver headers only without bodies", false) : false;
  if (!push && cfg.idle_heartbeat) throw new CliError("pull subscribers does not support idle heartbeats");
  if (!push && cfg.rate_limit_bps) throw new CliError("rate limits are only possible on Push consumers");
  return cfg;
}

// `consumer info` as the nats CLI prints it: configuration and state in aligned sections.

import type { ConsumerInfo } from "@nats-io/jetstream";
import { comma, formatIBytes } from "./byte-size.js";
import { humanDuration } from "./duration.js";
import { Columns, formatTime } from "./output.js";

type Cfg = Record<string, unknown>;

const ACK_NAMES: Record<string, string> = { none: "None", all: "All", explicit: "Explicit" };
const REPLAY_NAMES: Record<string, string> = { instant: "Instant", original: "Original" };

function deliverPolicy(cfg: Cfg): string {
  switch (cfg.deliver_policy) {
    case "all":
      return "All";
    case "last":
      return "Last";
    case "new":
      return "New";
    case "last_per_subject":
      return "Last Per Subject";
    case "by_start_time":
      return `Since ${formatTime(String(cfg.opt_start_time))}`;
    case "by_start_sequence":
      return `From Sequence ${String(cfg.opt_start_seq)}`;
    default:
      return String(cfg.deliver_policy);
  }
}

function configRows(cols: Columns, cfg: Cfg): void {
  const n = (k: string) => Number(cfg[k] ?? 0);
  cols.section("Configuration");
  cols.rowIf("Name", cfg.name, Boolean(cfg.name));
  cols.rowIf("Durable Name", cfg.durable_name, Boolean(cfg.durable_name) && cfg.durable_name !== cfg.name);
  cols.rowIf("Description", cfg.description, Boolean(cfg.description));
  if (cfg.deliver_subject) cols.row("Delivery Subject", cfg.deliver_subject);
  else cols.row("Pull Mode", true);
  if (cfg.filter_subject) cols.row("Filter Subject", cfg.filter_subject);
  else if (Array.isArray(cfg.filter_subjects) && cfg.filter_subjects.length > 0)
    cols.row("Filter Subjects", cfg.filter_subjects);
  cols.row("Deliver Policy", deliverPolicy(cfg));
  cols.rowIf("Deliver Queue Group", cfg.deliver_group, Boolean(cfg.deliver_group && cfg.deliver_subject));
  cols.row("Ack Policy", ACK_NAMES[String(cfg.ack_policy)] ?? cfg.ack_policy);
  cols.rowIf("Ack Wait", humanDuration(n("ack_wait")), cfg.ack_policy !== "none");
  cols.row("Replay Policy", REPLAY_NAMES[String(cfg.replay_policy)] ?? cfg.replay_policy);
  cols.rowIf(
    "Maximum Deliveries",
    comma(n("max_deliver")),
    n("max_deliver") !== -1 && n("max_deliver") !== 0,
  );
  cols.rowIf("Sampling Rate", cfg.sample_freq, Boolean(cfg.sample_freq));
  cols.rowIf(
    "Rate Limit",
    `${formatIBytes(Math.floor(n("rate_limit_bps") / 8))} / second`,
    n("rate_limit_bps") > 0,
  );
  cols.rowIf("Max Ack Pending", comma(n("max_ack_pending")), n("max_ack_pending") > 0);
  cols.rowIf("Max Waiting Pulls", comma(n("max_waiting")), n("max_waiting") > 0);
  cols.rowIf("Idle Heartbeat", humanDuration(n("idle_heartbeat")), n("idle_heartbeat") > 0);
  cols.rowIf("Flow Control", cfg.flow_control === true, Boolean(cfg.deliver_subject));
  cols.rowIf("Headers Only", true, cfg.headers_only === true);
  cols.rowIf(
    "Inactive Threshold",
    humanDuration(n("inactive_threshold")),
    n("inactive_threshold") > 0 && !cfg.deliver_subject,
  );
  cols.rowIf("Max Pull Expire", humanDuration(n("max_expires")), n("max_expires") > 0);
  cols.rowIf("Max Pull Batch", comma(n("max_batch")), n("max_batch") > 0);
  cols.rowIf("Max Pull MaxBytes", comma(n("max_bytes")), n("max_bytes") > 0);
  cols.rowIf("Replicas", n("num_replicas"), n("num_replicas") > 0);
  cols.rowIf("Memory Storage", true, cfg.mem_storage === true);
}

function stateRows(cols: Columns, info: ConsumerInfo, cfg: Cfg): void {
  cols.section("State");
  const d = info.delivered;
  const a = info.ack_floor;
  cols.row(
    "Last Delivered Message",
    `Consumer sequence: ${comma(d.consumer_seq)} Stream sequence: ${comma(d.stream_seq)}`,
  );
  if (cfg.ack_policy !== "none") {
    cols.row(
      "Acknowledgment Floor",
      `Consumer sequence: ${comma(a.consumer_seq)} Stream sequence: ${comma(a.stream_seq)}`,
    );
    const max = Number(cfg.max_ack_pending ?? 0);
    cols.row(
      "Outstanding Acks",
      max > 0 ? `${comma(info.num_ack_pending)} out of maximum ${comma(max)}` : comma(info.num_ack_pending),
    );
    cols.row("Redelivered Messages", comma(info.num_redelivered));
  }
  cols.row("Unprocessed Messages", comma(info.num_pending));
  if (!cfg.deliver_subject) {
    const maxWaiting = Number(cfg.max_waiting ?? 0);
    cols.row(
      "Waiting Pulls",
      `${comma(info.num_waiting)} of ${maxWaiting > 0 ? `maximum ${comma(maxWaiting)}` : "unlimited"}`,
    );
  } else if (info.push_bound) {
    cols.row(
      "Active Interest",
      cfg.deliver_group ? `Active using Queue Group ${String(cfg.deliver_group)}` : "Active",
    );
  } else {
    cols.row("Active Interest", "No interest");
  }
}

/** The full `consumer info` text. */
export function renderConsumerInfo(info: ConsumerInfo, stateOnly = false): string {
  const cfg = info.config as unknown as Cfg;
  const what = stateOnly ? "State" : "Information";
  const cols = new Columns(
    `${what} for Consumer ${info.stream_name} > ${info.name} created ${formatTime(info.created)}`,
  );
  if (!stateOnly) configRows(cols, cfg);
  stateRows(cols, info, cfg);
  return cols.render();
}

// `stream info` as the nats CLI prints it: configuration, options, limits and state in aligned sections.

import type { StreamInfo } from "@nats-io/jetstream";
import { comma, formatIBytes } from "./byte-size.js";
import { humanDuration } from "./duration.js";
import { Columns, formatTime } from "./output.js";

type Cfg = Record<string, unknown>;

const RETENTION_NAMES: Record<string, string> = {
  limits: "Limits",
  interest: "Interest",
  workqueue: "WorkQueue",
};
const cap = (s: unknown) => (typeof s === "string" && s ? s[0]?.toUpperCase() + s.slice(1) : String(s));

function limit(value: unknown, render: (n: number) => string): string {
  const n = Number(value ?? -1);
  return n <= 0 ? "unlimited" : render(n);
}

function configRows(cols: Columns, cfg: Cfg): void {
  cols.rowIf("Description", cfg.description, Boolean(cfg.description));
  cols.rowIf("Subjects", cfg.subjects, Array.isArray(cfg.subjects) && cfg.subjects.length > 0);
  cols.row("Replicas", cfg.num_replicas ?? 1);
  cols.rowIf("Sealed", true, cfg.sealed === true);
  cols.row("Storage", cap(cfg.storage));
  cols.rowIf("Compression", cfg.compression, cfg.compression !== undefined && cfg.compression !== "none");
  const republish = cfg.republish as { src?: string; dest?: string; headers_only?: boolean } | undefined;
  cols.section("Options");
  if (republish)
    cols.row(
      republish.headers_only ? "Republishing Headers" : "Republishing",
      `${republish.src} to ${republish.dest}`,
    );
  cols.row("Retention", RETENTION_NAMES[String(cfg.retention)] ?? cfg.retention);
  cols.row("Acknowledgments", cfg.no_ack !== true);
  cols.row("Discard Policy", cfg.discard_new_per_subject ? "New Per Subject" : cap(cfg.discard));
  cols.row("Duplicate Window", humanDuration(Number(cfg.duplicate_window ?? 0)));
  cols.rowIf("Direct Get", true, cfg.allow_direct === true);
  cols.rowIf("Mirror Direct Get", true, cfg.mirror_direct === true);
  cols.row("Allows Msg Delete", cfg.deny_delete !== true);
  cols.row("Allows Purge", cfg.deny_purge !== true);
  cols.row("Allows Per-Message TTL", cfg.allow_msg_ttl === true);
  cols.row("Allows Rollups", cfg.allow_rollup_hdrs === true);
  cols.section("Limits");
  cols.row("Maximum Messages", limit(cfg.max_msgs, comma));
  cols.row("Maximum Per Subject", limit(cfg.max_msgs_per_subject, comma));
  cols.row("Maximum Bytes", limit(cfg.max_bytes, formatIBytes));
  cols.row("Maximum Age", limit(cfg.max_age, humanDuration));
  cols.row("Maximum Message Size", limit(cfg.max_msg_size, formatIBytes));
  cols.row("Maximum Consumers", limit(cfg.max_consumers, comma));
  const mirror = cfg.mirror as { name?: string } | undefined;
  const sources = (cfg.sources as { name?: string }[] | undefined) ?? [];
  if (mirror || sources.length > 0) cols.section("Replication");
  if (mirror) cols.row("Mirror", mirror.name);
  if (sources.length > 0)
    cols.row(
      "Sources",
      sources.map((s) => s.name),
    );
  const meta = Object.entries((cfg.metadata as Record<string, string> | undefined) ?? {}).filter(
    ([k]) => !k.startsWith("_nats"),
  );
  if (meta.length > 0) {
    cols.section("Metadata");
    for (const [k, v] of meta) cols.row(k, v);
  }
}

function stateRows(cols: Columns, info: StreamInfo): void {
  const st = info.state as unknown as Record<string, number | string | undefined>;
  cols.section("State");
  cols.row("Messages", comma(Number(st.messages ?? 0)));
  cols.row("Bytes", formatIBytes(Number(st.bytes ?? 0)));
  cols.row(
    "First Sequence",
    st.first_ts && Number(st.messages) > 0
      ? `${comma(Number(st.first_seq))} @ ${formatTime(String(st.first_ts))}`
      : comma(Number(st.first_seq ?? 0)),
  );
  cols.row(
    "Last Sequence",
    st.last_ts && Number(st.last_seq) > 0
      ? `${comma(Number(st.last_seq))} @ ${formatTime(String(st.last_ts))}`
      : comma(Number(st.last_seq ?? 0)),
  );
  cols.rowIf("Deleted Messages", comma(Number(st.num_deleted ?? 0)), Number(st.num_deleted ?? 0) > 0);
  cols.row("Active Consumers", comma(Number(st.consumer_count ?? 0)));
  cols.rowIf("Number of Subjects", comma(Number(st.num_subjects ?? 0)), Number(st.num_subjects ?? 0) > 0);
}

/** The full `stream info` text; `stateOnly` prints just the State section (`stream state`). */
export function renderStreamInfo(info: StreamInfo, stateOnly = false): string {
  const cfg = info.config as unknown as Cfg;
  const what = stateOnly ? "State" : "Information";
  const cols = new Columns(`${what} for Stream ${String(cfg.name)} created ${formatTime(info.created)}`);
  if (!stateOnly) configRows(cols, cfg);
  stateRows(cols, info);
  return cols.render();
}

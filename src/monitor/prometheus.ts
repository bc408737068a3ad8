// /metrics in the Prometheus text exposition format (0.0.4), written directly (no client library).
// Three groups: natsgate_* (connections by protocol, traffic counters, JetStream, MQTT); the names
// prometheus-nats-exporter gives nats-server's /varz, /connz, /subsz and /jsz (gnatsd_*, jetstream_*),
// so existing NATS dashboards work unchanged; and prom-client's Node.js process names (nodejs_*, process_*).

import { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "../version.js";
import type { JetStreamMonitorView } from "./jsz.js";
import { jetStreamStatsJson, jetStreamTotals } from "./jsz.js";
import type { EventLoopLag } from "./process-stats.js";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface MetricsInput {
  serverId: string;
  serverName: string;
  /** /varz's answer: its numeric top-level fields become gnatsd_varz_* gauges. */
  varz: Record<string, unknown>;
  /** Open connections by connz type ("nats", "websocket", "mqtt"). */
  connectionsByType: Record<string, number>;
  /** /subsz statistics. */
  subsz: Record<string, number>;
  jetstream: JetStreamMonitorView | null;
  mqtt: { sessions: number; retainedMessages: number } | null;
  process: { lag: EventLoopLag; memory: NodeJS.MemoryUsage; cpuSeconds: number; startTimeSeconds: number };
}

type Labels = Record<string, string>;
type Sample = [Labels, number];

/** Accumulates metric families; each family is written once with its HELP and TYPE lines. */
class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: "gauge" | "counter", help: string, samples: Sample[] | number): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.lines.push(`# TYPE ${name} ${type}`);
    const list: Sample[] = typeof samples === "number" ? [[{}, samples]] : samples;
    for (const [labels, value] of list) this.lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  const parts = keys.map((k) => `${k}="${escapeLabel(labels[k] ?? "")}"`);
  return `{${parts.join(",")}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

export function renderMetrics(input: MetricsInput): string {
  const out = new Exposition();
  natsgateCore(out, input);
  natsgateJetStream(out, input.jetstream);
  out.family("natsgate_mqtt_sessions", "gauge", "MQTT sessions", input.mqtt?.sessions ?? 0);
  out.family(
    "natsgate_mqtt_retained_messages",
    "gauge",
    "MQTT retained messages",
    input.mqtt?.retainedMessages ?? 0,
  );
  exporterCompatible(out, input);
  nodeProcess(out, input.process);
  return out.text();
}

function natsgateCore(out: Exposition, input: MetricsInput): void {
  const v = input.varz;
  const n = (k: string) => (typeof v[k] === "number" ? (v[k] as number) : 0);
  out.family("natsgate_info", "gauge", "natsgate server identity and versions", [
    [
      {
        server_id: input.serverId,
        server_name: input.serverName,
        version: NATSGATE_VERSION,
        nats_server_version: NATS_SERVER_COMPAT_VERSION,
      },
      1,
    ],
  ]);
  const byType: Sample[] = ["nats", "websocket", "mqtt"].map((t) => [
    { protocol: t },
    input.connectionsByType[t] ?? 0,
  ]);
  for (const [t, count] of Object.entries(input.connectionsByType)) {
    if (!["nats", "websocket", "mqtt"].includes(t)) byType.push([{ protocol: t }, count]);
  }
  out.family("natsgate_connections", "gauge", "Open client connections by protocol", byType);
  out.family("natsgate_connections_total", "counter", "Client connections accepted", n("total_connections"));
  out.family("natsgate_messages_in_total", "counter", "Messages received from clients", n("in_msgs"));
  out.family("natsgate_messages_out_total", "counter", "Messages delivered to clients", n("out_msgs"));
  out.family("natsgate_bytes_in_total", "counter", "Payload bytes received from clients", n("in_bytes"));
  out.family("natsgate_bytes_out_total", "counter", "Payload bytes delivered to clients", n("out_bytes"));
  out.family(
    "natsgate_slow_consumers_total",
    "counter",
    "Clients closed as slow consumers",
    n("slow_consumers"),
  );
  out.family("natsgate_subscriptions", "gauge", "Subscriptions in all accounts", n("subscriptions"));
}

function natsgateJetStream(out: Exposition, js: JetStreamMonitorView | null): void {
  const stats = jetStreamStatsJson(js) as {
    memory: number;
    storage: number;
    api: { total: number; errors: number };
  };
  const totals = jetStreamTotals(js);
  out.family("natsgate_jetstream_enabled", "gauge", "1 when JetStream runs", js === null ? 0 : 1);
  out.family("natsgate_jetstream_streams", "gauge", "JetStream streams", totals.streams);
  out.family("natsgate_jetstream_consumers", "gauge", "JetStream consumers", totals.consumers);
  out.family("natsgate_jetstream_messages", "gauge", "Messages stored in JetStream", totals.messages);
  out.family("natsgate_jetstream_bytes", "gauge", "Bytes stored in JetStream", totals.bytes);
  out.family("natsgate_jetstream_memory_bytes", "gauge", "Bytes in memory streams", stats.memory);
  out.family("natsgate_jetstream_storage_bytes", "gauge", "Bytes in file streams", stats.storage);
  out.family("natsgate_jetstream_api_requests_total", "counter", "JetStream API requests", stats.api.total);
  out.family("natsgate_jetstream_api_errors_total", "counter", "JetStream API errors", stats.api.errors);
}

/** Field names of prometheus-nats-exporter: gnatsd_varz_*, gnatsd_connz_*, gnatsd_subsz_*, jetstream_*. */
function exporterCompatible(out: Exposition, input: MetricsInput): void {
  const id = { server_id: input.serverId };
  for (const [k, val] of Object.entries(input.varz)) {
    if (typeof val === "number") out.family(`gnatsd_varz_${k}`, "gauge", k, [[id, val]]);
  }
  for (const k of ["server_name", "version"]) {
    const val = input.varz[k];
    if (typeof val === "string") out.family(`gnatsd_varz_${k}`, "gauge", k, [[{ ...id, value: val }, 1]]);
  }
  const open = Object.values(input.connectionsByType).reduce((a, b) => a + b, 0);
  out.family("gnatsd_connz_num_connections", "gauge", "num_connections", [[id, open]]);
  out.family("gnatsd_connz_total", "gauge", "total", [[id, open]]);
  for (const [k, val] of Object.entries(input.subsz))
    out.family(`gnatsd_subsz_${k}`, "gauge", k, [[id, val]]);
  exporterJetStream(out, input);
}

function exporterJetStream(out: Exposition, input: MetricsInput): void {
  const js = input.jetstream;
  const config = js?.config();
  const server: Labels = {
    server_id: input.serverId,
    server_name: input.serverName,
    cluster: "",
    domain: config?.domain ?? "",
    meta_leader: "",
    is_meta_leader: "true",
  };
  const totals = jetStreamTotals(js);
  out.family("jetstream_server_jetstream_disabled", "gauge", "JetStream disabled or not", [
    [server, js ? 0 : 1],
  ]);
  out.family("jetstream_server_total_streams", "gauge", "Total number of streams in JetStream", [
    [server, totals.streams],
  ]);
  out.family("jetstream_server_total_consumers", "gauge", "Total number of consumers in JetStream", [
    [server, totals.consumers],
  ]);
  out.family("jetstream_server_total_messages", "gauge", "Total number of stored messages in JetStream", [
    [server, totals.messages],
  ]);
  out.family("jetstream_server_total_message_bytes", "gauge", "Total number of bytes stored in JetStream", [
    [server, totals.bytes],
  ]);
  out.family("jetstream_server_max_memory", "gauge", "JetStream Max Memory", [
    [server, config?.max_memory ?? 0],
  ]);
  out.family("jetstream_server_max_storage", "gauge", "JetStream Max Storage", [
    [server, config?.max_storage ?? 0],
  ]);
  const streams: Record<string, Sample[]> = {};
  const consumers: Record<string, Sample[]> = {};
  const add = (into: Record<string, Sample[]>, k: string, s: Sample) => {
    into[k] ??= [];
    into[k].push(s);
  };
  for (const a of js?.accounts() ?? []) {
    for (const s of a.streams()) {
      const sl = {
        ...server,
        account: a.name,
        account_id: a.name,
        stream_name: s.name,
        stream_leader: input.serverName,
        is_stream_leader: "true",
      };
      const st = s.state();
      for (const [k, f] of STREAM_FIELDS) add(streams, k, [sl, numberOf(st[f])]);
      for (const c of s.consumers()) {
        const cl = {
          ...sl,
          consumer_name: String(c.name ?? ""),
          consumer_leader: input.serverName,
          is_consumer_leader: "true",
          consumer_desc: String((c.config as { description?: string } | undefined)?.description ?? ""),
          consumer_created: String(c.created ?? ""),
        };
        for (const [k, path] of CONSUMER_FIELDS) add(consumers, k, [cl, numberOf(pick(c, path))]);
      }
    }
  }
  for (const [k] of STREAM_FIELDS) out.family(`jetstream_stream_${k}`, "gauge", k, streams[k] ?? []);
  for (const [k] of CONSUMER_FIELDS) out.family(`jetstream_consumer_${k}`, "gauge", k, consumers[k] ?? []);
}

const STREAM_FIELDS: [string, string][] = [
  ["total_messages", "messages"],
  ["total_bytes", "bytes"],
  ["first_seq", "first_seq"],
  ["last_seq", "last_seq"],
  ["consumer_count", "consumer_count"],
];

const CONSUMER_FIELDS: [string, string[]][] = [
  ["delivered_consumer_seq", ["delivered", "consumer_seq"]],
  ["delivered_stream_seq", ["delivered", "stream_seq"]],
  ["num_ack_pending", ["num_ack_pending"]],
  ["num_redelivered", ["num_redelivered"]],
  ["num_waiting", ["num_waiting"]],
  ["num_pending", ["num_pending"]],
  ["ack_floor_stream_seq", ["ack_floor", "stream_seq"]],
  ["ack_floor_consumer_seq", ["ack_floor", "consumer_seq"]],
];

function pick(o: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path)
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function numberOf(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

function nodeProcess(out: Exposition, p: MetricsInput["process"]): void {
  out.family(
    "process_cpu_seconds_total",
    "counter",
    "Total user and system CPU time spent in seconds.",
    p.cpuSeconds,
  );
  out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.memory.rss);
  out.family(
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since unix epoch in seconds.",
    p.startTimeSeconds,
  );
  out.family(
    "nodejs_heap_size_used_bytes",
    "gauge",
    "Process heap size used from Node.js in bytes.",
    p.memory.heapUsed,
  );
  out.family(
    "nodejs_heap_size_total_bytes",
    "gauge",
    "Process heap size from Node.js in bytes.",
    p.memory.heapTotal,
  );
  out.family(
    "nodejs_external_memory_bytes",
    "gauge",
    "Node.js external memory size in bytes.",
    p.memory.external,
  );
  out.family(
    "nodejs_eventloop_lag_seconds",
    "gauge",
    "Event loop lag (p99 of the recent window) in seconds.",
    p.lag.p99,
  );
  out.family(
    "nodejs_eventloop_lag_mean_seconds",
    "gauge",
    "The mean of the recorded event loop delays.",
    p.lag.mean,
  );
  out.family(
    "nodejs_eventloop_lag_p50_seconds",
    "gauge",
    "The 50th percentile of the recorded event loop delays.",
    p.lag.p50,
  );
  out.family(
    "nodejs_eventloop_lag_p90_seconds",
    "gauge",
    "The 90th percentile of the recorded event loop delays.",
    p.lag.p90,
  );
  out.family(
    "nodejs_eventloop_lag_p99_seconds",
    "gauge",
    "The 99th percentile of the recorded event loop delays.",
    p.lag.p99,
  );
  out.family(
    "nodejs_eventloop_lag_max_seconds",
    "gauge",
    "The maximum recorded event loop delay.",
    p.lag.max,
  );
}

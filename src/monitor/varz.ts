// /varz: server identity, configuration limits and runtime counters in nats-server 2.9.10's Varz shape
// (monitor.go createVarz/updateVarzRuntimeFields), plus natsgate's own version beside the compatible one.

import { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "../version.js";
import { goTime, goUptime, msToNs } from "./go-format.js";
import { type JetStreamMonitorView, jetStreamStatsJson } from "./jsz.js";
import type { MonitorSource } from "./monitor-source.js";

export interface VarzInput {
  source: MonitorSource;
  /** Open client connections of every protocol. */
  connections: number;
  jetstream: JetStreamMonitorView | null;
  /** The `websocket` and `mqtt` sections (their configuration), from those listeners when they run. */
  websocket: Record<string, unknown>;
  mqtt: Record<string, unknown>;
  httpReqStats: Readonly<Record<string, number>>;
  systemAccount?: string;
  configLoadTime: number;
  process: { cpu: number; mem: number; cores: number };
}

export function varz(input: VarzInput, now = Date.now()): Record<string, unknown> {
  const { source } = input;
  const o = source.options;
  const v: Record<string, unknown> = {
    server_id: source.serverId,
    server_name: source.serverName,
    version: NATS_SERVER_COMPAT_VERSION,
    natsgate_version: NATSGATE_VERSION,
    proto: 1,
    go: `natsgate ${NATSGATE_VERSION}`,
    host: o.host,
    port: source.port,
  };
  if (source.authenticator.required) v.auth_required = true;
  const tls = clientTlsFlags(o.extra.tls);
  if (tls.required) v.tls_required = true;
  if (tls.verify) v.tls_verify = true;
  v.max_connections = o.maxConnections;
  if (o.maxSubscriptions > 0) v.max_subscriptions = o.maxSubscriptions;
  Object.assign(v, {
    ping_interval: msToNs(o.pingInterval),
    ping_max: o.maxPingsOutstanding,
    http_host: o.httpHost,
    http_port: o.httpPort,
    http_base_path: "",
    https_port: o.httpsPort,
    auth_timeout: o.authTimeout / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: {},
    gateway: {},
    leaf: {},
    mqtt: input.mqtt,
    websocket: input.websocket,
    jetstream: jetstreamSection(input.jetstream),
    tls_timeout: 2,
    write_deadline: msToNs(o.writeDeadline),
  });
  Object.assign(v, runtimeFields(input, now));
  v.http_req_stats = { ...input.httpReqStats };
  v.config_load_time = goTime(input.configLoadTime);
  if (input.systemAccount) v.system_account = input.systemAccount;
  return v;
}

function runtimeFields(input: VarzInput, now: number): Record<string, unknown> {
  const { source } = input;
  const st = source.stats;
  let subscriptions = 0;
  for (const a of source.accounts.values()) subscriptions += a.sublist.count();
  return {
    start: goTime(st.start.getTime()),
    now: goTime(now),
    uptime: goUptime(now - st.start.getTime()),
    mem: input.process.mem,
    cores: input.process.cores,
    gomaxprocs: input.process.cores,
    cpu: input.process.cpu,
    connections: input.connections,
    total_connections: st.totalConnections,
    routes: 0,
    remotes: 0,
    leafnodes: 0,
    in_msgs: st.inMsgs,
    out_msgs: st.outMsgs,
    in_bytes: st.inBytes,
    out_bytes: st.outBytes,
    slow_consumers: st.slowConsumers,
    subscriptions,
  };
}

/** JetStreamVarz: config and stats when JetStream runs, `{}` otherwise. */
function jetstreamSection(js: JetStreamMonitorView | null): Record<string, unknown> {
  if (js === null) return {};
  return { config: js.config(), stats: jetStreamStatsJson(js) };
}

/** Whether the client port's `tls` block makes TLS required, and client certificates verified. */
function clientTlsFlags(raw: unknown): { required: boolean; verify: boolean } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return { required: false, verify: false };
  const block = raw as Record<string, unknown>;
  return { required: true, verify: block.verify === true || block.verify_and_map === true };
}

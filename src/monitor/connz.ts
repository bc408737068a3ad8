// /connz: open and recently closed client connections with nats-server 2.9.10's fields, sorting,
// paging and filters (server/monitor.go Connz, monitor_sort_opts.go).

import type { ClosedConnection, ConnectionSnapshot, SavedSubscription } from "./closed-connections.js";
import { snapshotConnection } from "./closed-connections.js";
import { goDuration, goTime, goUptime, msToNs } from "./go-format.js";
import type { MonitoredConnection } from "./monitor-source.js";
import { type MonitorQuery, MonitorRequestError } from "./query.js";

export const DEFAULT_CONN_LIST_SIZE = 1024;
const GLOBAL_ACCOUNT = "$G";

export type ConnState = "open" | "closed" | "all";

export const SORT_OPTIONS = [
  "cid",
  "start",
  "subs",
  "pending",
  "msgs_to",
  "msgs_from",
  "bytes_to",
  "bytes_from",
  "last",
  "idle",
  "uptime",
  "stop",
  "reason",
] as const;
export type SortOpt = (typeof SORT_OPTIONS)[number];

export interface ConnzOptions {
  sort?: string;
  auth?: boolean;
  subs?: boolean;
  subsDetail?: boolean;
  offset?: number;
  limit?: number;
  cid?: number;
  state?: ConnState;
  user?: string;
  acc?: string;
  mqttClient?: string;
}

export interface ConnzInput {
  serverId: string;
  /** Open client connections of every protocol. */
  connections: Iterable<MonitoredConnection>;
  /** Closed connections, oldest first. */
  closed: readonly ClosedConnection[];
  /** Names of the accounts that exist (filtering by an unknown account returns nothing). */
  accountExists(name: string): boolean;
  now?: number;
}

type Row = ConnectionSnapshot & { stop?: number; reason?: string };

/** Reads /connz's query parameters (HandleConnz). */
export function connzOptionsFromQuery(q: MonitorQuery): ConnzOptions {
  const auth = q.bool("auth");
  const subsDetail = q.get("subs").toLowerCase() === "detail";
  const subs = subsDetail ? false : q.bool("subs");
  const offset = q.int("offset");
  const limit = q.int("limit");
  const cid = q.uint("cid");
  return {
    sort: q.get("sort"),
    auth,
    subs,
    subsDetail,
    offset,
    limit,
    cid,
    state: decodeState(q.get("state")),
    user: q.get("user"),
    acc: q.get("acc"),
    mqttClient: q.get("mqtt_client"),
  };
}

function decodeState(s: string): ConnState {
  switch (s.toLowerCase()) {
    case "":
    case "open":
      return "open";
    case "closed":
      return "closed";
    case "any":
    case "all":
      return "all";
  }
  throw new MonitorRequestError(`Error decoding state for ${s}`);
}

export function connz(input: ConnzInput, opts: ConnzOptions = {}): Record<string, unknown> {
  const now = input.now ?? Date.now();
  const sort = (opts.sort || "cid") as SortOpt;
  if (!SORT_OPTIONS.includes(sort)) throw new MonitorRequestError(`invalid sorting option: ${opts.sort}`);
  const state = opts.state ?? "open";
  if (sort === "stop" && state !== "closed") {
    throw new MonitorRequestError("sort by stop only valid on closed connections");
  }
  if (sort === "reason" && state !== "closed") {
    throw new MonitorRequestError("sort by reason only valid on closed connections");
  }
  const offset = Math.max(0, opts.offset ?? 0);
  let limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : DEFAULT_CONN_LIST_SIZE;
  const cid = opts.cid ?? 0;
  if (cid > 0) limit = 1;
  const acc = opts.acc ?? "";
  const head = { server_id: input.serverId, now: goTime(now), num_connections: 0, total: 0, offset, limit };
  // nats-server returns before filling in its id when the account does not exist.
  if (acc !== "" && !input.accountExists(acc)) return { ...head, server_id: "", connections: null };

  const { rows, total } = selectRows(input, opts, state, cid);
  sortRows(rows, sort, now);
  const page = rows.slice(Math.min(offset, rows.length), Math.min(offset + limit, rows.length));
  return {
    ...head,
    num_connections: page.length,
    total,
    connections: page.map((r) => connInfo(r, now, opts)),
  };
}

function selectRows(
  input: ConnzInput,
  opts: ConnzOptions,
  state: ConnState,
  cid: number,
): { rows: Row[]; total: number } {
  const acc = opts.acc ?? "";
  const user = opts.user ?? "";
  const mqtt = opts.mqttClient ?? "";
  const keep = (r: { user: string; account: string; mqttClientId: string }) =>
    (acc === "" || r.account === acc) &&
    (user === "" || r.user === user) &&
    (mqtt === "" || r.mqttClientId === mqtt);
  const open =
    state === "closed"
      ? []
      : [...input.connections].filter((c) => acc === "" || (c.account !== null && c.account.name === acc));
  const closed = state === "open" ? [] : input.closed.filter((c) => acc === "" || c.account === acc);
  const total = open.length + closed.length;
  const rows: Row[] = [];
  if (cid > 0) {
    // As in nats-server, state=all with a cid only looks among the closed connections.
    if (state === "open") {
      const c = open.find((o) => o.cid === cid);
      if (c !== undefined) rows.push(snapshotConnection(c));
    } else {
      const c = closed.find((o) => o.cid === cid);
      if (c !== undefined) rows.push(c);
    }
    return { rows, total };
  }
  for (const c of open) {
    const snap = snapshotConnection(c);
    if (keep(snap)) rows.push(snap);
  }
  for (const c of closed) if (keep(c)) rows.push(c);
  return { rows, total };
}

function sortRows(rows: Row[], sort: SortOpt, now: number): void {
  const desc = (key: (r: Row) => number) => rows.sort((a, b) => key(b) - key(a));
  switch (sort) {
    case "cid":
    case "start":
      rows.sort((a, b) => a.cid - b.cid);
      return;
    case "subs":
      return void desc((r) => r.numSubs);
    case "pending":
      return void desc((r) => r.pendingBytes);
    case "msgs_to":
      return void desc((r) => r.outMsgs);
    case "msgs_from":
      return void desc((r) => r.inMsgs);
    case "bytes_to":
      return void desc((r) => r.outBytes);
    case "bytes_from":
      return void desc((r) => r.inBytes);
    case "last":
      return void desc((r) => r.lastActivity);
    case "idle":
      // nats-server's byIdle compares last activity minus start, descending.
      return void desc((r) => r.lastActivity - r.start);
    case "uptime":
      rows.sort((a, b) => (a.stop ?? now) - a.start - ((b.stop ?? now) - b.start));
      return;
    case "stop":
      return void desc((r) => r.stop ?? 0);
    case "reason":
      rows.sort((a, b) =>
        (a.reason ?? "") < (b.reason ?? "") ? -1 : (a.reason ?? "") > (b.reason ?? "") ? 1 : 0,
      );
      return;
  }
}

/** nats-server's ConnInfo, in its field order; `omitempty` fields only when set. */
function connInfo(r: Row, now: number, opts: ConnzOptions): Record<string, unknown> {
  const end = r.stop ?? now;
  const ci: Record<string, unknown> = {
    cid: r.cid,
    kind: "Client",
    type: connectionType(r.kind),
    ip: r.port !== 0 ? r.ip : "",
    port: r.port,
    start: goTime(r.start),
    last_activity: goTime(r.lastActivity),
  };
  if (r.stop !== undefined) ci.stop = goTime(r.stop);
  if (r.reason) ci.reason = r.reason;
  ci.rtt = goDuration(msToNs(r.rtt));
  ci.uptime = goUptime(end - r.start);
  ci.idle = goUptime(end - r.lastActivity);
  ci.pending_bytes = r.pendingBytes;
  ci.in_msgs = r.inMsgs;
  ci.out_msgs = r.outMsgs;
  ci.in_bytes = r.inBytes;
  ci.out_bytes = r.outBytes;
  ci.subscriptions = r.numSubs;
  if (r.name) ci.name = r.name;
  if (r.lang) ci.lang = r.lang;
  if (r.version) ci.version = r.version;
  if (opts.auth) {
    if (r.user) ci.authorized_user = r.user;
    if (r.account && r.account !== GLOBAL_ACCOUNT) ci.account = r.account;
  }
  if (r.subs.length > 0) {
    if (opts.subsDetail) ci.subscriptions_list_detail = r.subs.map((s) => subDetail(s, r.cid));
    else if (opts.subs) ci.subscriptions_list = r.subs.map((s) => s.subject);
  }
  if (opts.auth && r.jwt) ci.jwt = r.jwt;
  if (r.mqttClientId) ci.mqtt_client = r.mqttClientId;
  return ci;
}

/** nats-server's SubDetail (account only in /subsz). */
export function subDetail(s: SavedSubscription, cid: number, account?: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (account) d.account = account;
  d.subject = s.subject;
  if (s.queue) d.qgroup = s.queue;
  d.sid = s.sid;
  d.msgs = s.delivered;
  if (s.max > 0) d.max = s.max;
  d.cid = cid;
  return d;
}

/** nats-server's client type string: "nats", "websocket" or "mqtt". */
export function connectionType(kind: string): string {
  return kind === "client" ? "nats" : kind;
}

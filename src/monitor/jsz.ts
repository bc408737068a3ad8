// /jsz: JetStream's configuration, usage and (on request) accounts, streams and consumers, in nats-server
// 2.9.10's JSInfo shape. JetStream plugs in through JetStreamMonitorView; without it the answer is the
// `disabled` shape nats-server gives when JetStream is off.

import { goTime } from "./go-format.js";
import type { MonitorQuery } from "./query.js";

export interface JetStreamConfigJson {
  max_memory: number;
  max_storage: number;
  store_dir?: string;
  domain?: string;
}

export interface JetStreamUsage {
  memory: number;
  storage: number;
  reservedMemory: number;
  reservedStorage: number;
  apiTotal: number;
  apiErrors: number;
}

/** One stream as /jsz reports it. */
export interface JetStreamStreamMonitorView {
  readonly name: string;
  /** RFC 3339 creation time. */
  readonly created: string;
  /** StreamConfig JSON (snake_case). */
  config(): Record<string, unknown>;
  /** StreamState JSON: messages, bytes, first_seq, ..., consumer_count. */
  state(): Record<string, unknown>;
  /** ConsumerInfo JSON of each consumer. */
  consumers(): Record<string, unknown>[];
}

export interface JetStreamAccountMonitorView {
  readonly name: string;
  usage(): JetStreamUsage;
  streams(): JetStreamStreamMonitorView[];
}

/** What monitoring asks of JetStream (see jetstream-view.ts for the adapter over src/jetstream). */
export interface JetStreamMonitorView {
  /** False until stored streams are recovered and the API answers: /healthz reports unavailable till then. */
  readonly ready: boolean;
  config(): JetStreamConfigJson;
  accounts(): JetStreamAccountMonitorView[];
}

export interface JszOptions {
  acc?: string;
  accounts?: boolean;
  streams?: boolean;
  consumers?: boolean;
  config?: boolean;
  leaderOnly?: boolean;
  offset?: number;
  limit?: number;
}

export function jszOptionsFromQuery(q: MonitorQuery): JszOptions {
  return {
    accounts: q.bool("accounts"),
    streams: q.bool("streams"),
    consumers: q.bool("consumers"),
    config: q.bool("config"),
    offset: q.int("offset"),
    limit: q.int("limit"),
    leaderOnly: q.bool("leader-only"),
    acc: q.get("acc"),
  };
}

/** JetStreamStats JSON: usage summed over accounts. */
export function jetStreamStatsJson(js: JetStreamMonitorView | null): Record<string, unknown> {
  const sum: JetStreamUsage = {
    memory: 0,
    storage: 0,
    reservedMemory: 0,
    reservedStorage: 0,
    apiTotal: 0,
    apiErrors: 0,
  };
  const accounts = js?.accounts() ?? [];
  for (const a of accounts) {
    const u = a.usage();
    sum.memory += u.memory;
    sum.storage += u.storage;
    sum.reservedMemory += Math.max(0, u.reservedMemory);
    sum.reservedStorage += Math.max(0, u.reservedStorage);
    sum.apiTotal += u.apiTotal;
    sum.apiErrors += u.apiErrors;
  }
  return usageJson(sum, accounts.length);
}

function usageJson(u: JetStreamUsage, accounts: number): Record<string, unknown> {
  return {
    memory: u.memory,
    storage: u.storage,
    reserved_memory: u.reservedMemory,
    reserved_storage: u.reservedStorage,
    accounts,
    ha_assets: 0,
    api: { total: u.apiTotal, errors: u.apiErrors },
  };
}

/** Totals over every stream: streams, consumers, messages, bytes. */
export function jetStreamTotals(js: JetStreamMonitorView | null): {
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
} {
  const t = { streams: 0, consumers: 0, messages: 0, bytes: 0 };
  for (const a of js?.accounts() ?? []) {
    for (const s of a.streams()) {
      const st = s.state();
      t.streams++;
      t.consumers += num(st.consumer_count);
      t.messages += num(st.messages);
      t.bytes += num(st.bytes);
    }
  }
  return t;
}

export function jsz(
  server: { id: string; name: string },
  js: JetStreamMonitorView | null,
  opts: JszOptions = {},
  now = Date.now(),
): Record<string, unknown> {
  const head = { server_id: server.id, now: goTime(now) };
  if (js === null) {
    return {
      ...head,
      disabled: true,
      config: { max_memory: 0, max_storage: 0 },
      ...jetStreamStatsJson(null),
      streams: 0,
      consumers: 0,
      messages: 0,
      bytes: 0,
    };
  }
  const limit = opts.limit || 1024;
  const streams = opts.streams || opts.consumers;
  const wantAccounts = opts.accounts || streams;
  const out: Record<string, unknown> = {
    ...head,
    config: js.config(),
    ...jetStreamStatsJson(js),
    ...jetStreamTotals(js),
  };
  let accounts = js.accounts();
  const filtered = accounts.find((a) => a.name === opts.acc);
  if (filtered !== undefined) accounts = [filtered];
  else if (wantAccounts) {
    if (opts.offset) {
      accounts = [...accounts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      accounts = opts.offset > accounts.length ? [] : accounts.slice(opts.offset);
    }
    accounts = accounts.slice(0, limit);
  } else accounts = [];
  if (accounts.length > 0) {
    const what = {
      streams: streams === true,
      consumers: opts.consumers === true,
      config: opts.config === true,
    };
    out.account_details = accounts.map((a) => accountDetail(a, what, server.name));
  }
  return out;
}

function accountDetail(
  a: JetStreamAccountMonitorView,
  what: { streams: boolean; consumers: boolean; config: boolean },
  serverName: string,
): Record<string, unknown> {
  const detail: Record<string, unknown> = { name: a.name, id: a.name, ...usageJson(a.usage(), 0) };
  if (!what.streams) return detail;
  detail.stream_detail = a.streams().map((s) => {
    // A single server leads every stream it has (nats-server's clusterInfo without a raft group).
    const sd: Record<string, unknown> = { name: s.name, created: s.created, cluster: { leader: serverName } };
    if (what.config) sd.config = s.config();
    sd.state = s.state();
    if (what.consumers) {
      const consumers = s.consumers().map((c) => {
        if (what.config) return c;
        const { config: _omit, ...rest } = c;
        return rest;
      });
      if (consumers.length > 0) sd.consumer_detail = consumers;
    }
    return sd;
  });
  return detail;
}

function num(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

// /accountz (account names, or one account's detail with acc=) and /accstatz (per-account connection
// and traffic summary), in nats-server 2.9.10's shapes (monitor.go Accountz, AccountStatz).

import { goTime } from "./go-format.js";
import type { MonitoredAccount, MonitoredConnection } from "./monitor-source.js";
import { type MonitorQuery, MonitorRequestError } from "./query.js";
import { sublistStatsJson } from "./subsz.js";

export interface AccountzInput {
  serverId: string;
  accounts: ReadonlyMap<string, MonitoredAccount>;
  /** The system account's name, when there is one. */
  systemAccount?: string;
  /** Accounts with JetStream enabled. */
  jetstreamEnabled(account: string): boolean;
  /** When the account was created or last updated (epoch ms). */
  updated: number;
}

export function accountz(input: AccountzInput, acc: string, now = Date.now()): Record<string, unknown> {
  const out: Record<string, unknown> = { server_id: input.serverId, now: goTime(now) };
  if (input.systemAccount) out.system_account = input.systemAccount;
  if (acc === "") {
    out.accounts = [...input.accounts.keys()];
    return out;
  }
  const a = input.accounts.get(acc);
  if (a === undefined) throw new MonitorRequestError(`Account ${acc} does not exist`);
  const detail: Record<string, unknown> = { account_name: a.name, update_time: goTime(input.updated) };
  if (a.name === input.systemAccount) detail.is_system = true;
  detail.expired = false;
  detail.complete = true;
  detail.jetstream_enabled = input.jetstreamEnabled(a.name);
  detail.leafnode_connections = 0;
  detail.client_connections = a.numConnections;
  detail.subscriptions = a.sublist.count();
  detail.sublist_stats = sublistStatsJson([a]);
  out.account_detail = detail;
  return out;
}

export function accountzAccountFromQuery(q: MonitorQuery): string {
  return q.get("acc");
}

/**
 * /accstatz. nats-server counts traffic per account as it happens; natsgate sums the account's open
 * connections, so traffic of connections that have closed is not included.
 */
export function accstatz(
  serverId: string,
  accounts: ReadonlyMap<string, MonitoredAccount>,
  connections: Iterable<MonitoredConnection>,
  includeUnused: boolean,
  now = Date.now(),
): Record<string, unknown> {
  const byAccount = new Map<
    string,
    { sentMsgs: number; sentBytes: number; recvMsgs: number; recvBytes: number }
  >();
  for (const c of connections) {
    if (c.account === null) continue;
    let t = byAccount.get(c.account.name);
    if (t === undefined) {
      t = { sentMsgs: 0, sentBytes: 0, recvMsgs: 0, recvBytes: 0 };
      byAccount.set(c.account.name, t);
    }
    t.sentMsgs += c.outMsgs;
    t.sentBytes += c.outBytes;
    t.recvMsgs += c.inMsgs;
    t.recvBytes += c.inBytes;
  }
  const list: Record<string, unknown>[] = [];
  for (const a of accounts.values()) {
    if (!includeUnused && a.numConnections === 0) continue;
    const t = byAccount.get(a.name) ?? { sentMsgs: 0, sentBytes: 0, recvMsgs: 0, recvBytes: 0 };
    list.push({
      acc: a.name,
      conns: a.numConnections,
      leafnodes: 0,
      total_conns: a.numConnections,
      sent: { msgs: t.sentMsgs, bytes: t.sentBytes },
      received: { msgs: t.recvMsgs, bytes: t.recvBytes },
      slow_consumers: 0,
    });
  }
  return { server_id: serverId, now: goTime(now), account_statz: list };
}

// /subsz (alias /subscriptionsz): subscription index statistics over all accounts and, with subs=1,
// the subscriptions themselves, optionally only those a publish on `test` would reach (monitor.go Subsz).

import { isValidLiteralSubject, subjectMatchesFilter } from "../core/subject.js";
import type { SublistStats } from "../core/sublist.js";
import { subDetail } from "./connz.js";
import { goTime } from "./go-format.js";
import type { MonitoredAccount, MonitoredSubscription } from "./monitor-source.js";
import { type MonitorQuery, MonitorRequestError } from "./query.js";

export const DEFAULT_SUB_LIST_SIZE = 1024;

export interface SubszOptions {
  subs?: boolean;
  offset?: number;
  limit?: number;
  /** Only this account. */
  acc?: string;
  /** Only subscriptions a message published on this literal subject would reach. */
  test?: string;
}

export function subszOptionsFromQuery(q: MonitorQuery): SubszOptions {
  return {
    subs: q.bool("subs"),
    offset: q.int("offset"),
    limit: q.int("limit"),
    test: q.get("test"),
    acc: q.get("acc"),
  };
}

/** nats-server's SublistStats JSON, summed over `accounts` the way SublistStats.add does. */
export function sublistStatsJson(accounts: Iterable<MonitoredAccount>): Record<string, number> {
  let numSubs = 0;
  let numCache = 0;
  let numInserts = 0;
  let numRemoves = 0;
  let numMatches = 0;
  let cacheHits = 0;
  let maxFanout = 0;
  let totFanout = 0;
  for (const a of accounts) {
    const s: SublistStats = a.sublist.stats();
    numSubs += s.numSubs;
    numCache += s.numCache;
    numInserts += s.numInserts;
    numRemoves += s.numRemoves;
    numMatches += s.numMatches;
    cacheHits += Math.round(s.cacheHitRate * s.numMatches);
    maxFanout = Math.max(maxFanout, s.maxFanout);
    totFanout += Math.round(s.avgFanout * s.numCache);
  }
  return {
    num_subscriptions: numSubs,
    num_cache: numCache,
    num_inserts: numInserts,
    num_removes: numRemoves,
    num_matches: numMatches,
    cache_hit_rate: numMatches > 0 ? cacheHits / numMatches : 0,
    max_fanout: maxFanout,
    avg_fanout: totFanout > 0 ? totFanout / numCache : 0,
  };
}

/**
 * The /subsz answer. As nats-server's handler does, only the statistics are returned (no server_id, no
 * paging fields) when there is no subscription to list.
 */
export function subsz(
  serverId: string,
  accounts: Iterable<MonitoredAccount>,
  opts: SubszOptions = {},
  now = Date.now(),
): Record<string, unknown> {
  const offset = Math.max(0, opts.offset ?? 0);
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : DEFAULT_SUB_LIST_SIZE;
  const test = opts.test ?? "";
  if (test !== "" && !isValidLiteralSubject(test)) {
    throw new MonitorRequestError(`invalid test subject, must be valid publish subject: ${test}`);
  }
  const selected = [...accounts].filter((a) => !opts.acc || a.name === opts.acc);
  const stats = sublistStatsJson(selected);
  if (!opts.subs) return stats;
  const details: Record<string, unknown>[] = [];
  for (const a of selected) {
    a.sublist.forEach((sub: MonitoredSubscription) => {
      if (test !== "" && !subjectMatchesFilter(test, sub.subject)) return;
      details.push(subDetail(sub, sub.client.cid, a.name));
    });
  }
  const page = details.slice(Math.min(offset, details.length), Math.min(offset + limit, details.length));
  if (page.length === 0) return stats;
  return {
    server_id: serverId,
    now: goTime(now),
    ...stats,
    total: page.length,
    offset,
    limit,
    subscriptions_list: page,
  };
}

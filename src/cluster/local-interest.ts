// This server's own interest per account (subscriptions of clients, MQTT, JetStream; not of routes or leaf
// nodes), kept as counts per subject and queue group, so routes (RS+/RS-) and leaf nodes (LS+/LS-) can follow it.

import type { Account } from "../core/account.js";
import type { Subscription } from "../core/subscription.js";
import { RouteSubscription } from "./cluster-routing.js";

interface Entry {
  subject: string;
  queue: string | null;
  count: number;
}

/** A connection holding peer interest, asked whether it holds a key (to tell local counts from totals). */
export interface InterestHolder {
  holds(key: string): boolean;
}

/**
 * Told when local interest changes in a way peers must learn: plain subjects on 0 <-> 1, queue groups on
 * every weight change. `count` 0 means the interest is gone.
 */
export type LocalInterestListener = (
  account: Account,
  subject: string,
  queue: string | null,
  count: number,
) => void;

export class LocalInterest {
  private readonly byAccount = new Map<Account, Map<string, Entry>>();
  private readonly holderSources: (() => Iterable<InterestHolder>)[] = [];
  private readonly listeners: LocalInterestListener[] = [];

  /** Peers whose subscriptions sit in the sublists too (their counts are not ours). */
  addHolders(source: () => Iterable<InterestHolder>): void {
    this.holderSources.push(source);
  }

  addListener(listener: LocalInterestListener): void {
    this.listeners.push(listener);
  }

  /** Counts the account's current local subscriptions and follows its changes from now on (once per account). */
  attach(account: Account): void {
    if (this.byAccount.has(account)) return;
    const entries = new Map<string, Entry>();
    this.byAccount.set(account, entries);
    account.sublist.forEach((sub) => {
      if (sub instanceof RouteSubscription) return;
      const key = interestKey(account.name, sub.subject, sub.queue);
      const e = entries.get(key);
      if (e === undefined) entries.set(key, { subject: sub.subject, queue: sub.queue, count: 1 });
      else e.count++;
    });
    account.interestListener = (subject, queue, count, sub) =>
      this.changed(account, subject, queue, count, sub);
  }

  detach(account: Account): void {
    this.byAccount.delete(account);
    account.interestListener = null;
  }

  /** Visits the full local interest (sent to a peer once it is registered, route.go sendSubsToRoute). */
  forEach(fn: (account: Account, subject: string, queue: string | null, count: number) => void): void {
    for (const [account, entries] of this.byAccount)
      for (const e of entries.values()) fn(account, e.subject, e.queue, e.count);
  }

  private changed(
    account: Account,
    subject: string,
    queue: string | null,
    total: number,
    sub: Subscription | undefined,
  ): void {
    if (sub === undefined || sub instanceof RouteSubscription) return;
    const entries = this.byAccount.get(account);
    if (entries === undefined) return;
    const key = interestKey(account.name, subject, queue);
    let remote = 0;
    for (const source of this.holderSources) for (const h of source()) if (h.holds(key)) remote++;
    const local = Math.max(0, total - remote);
    const e = entries.get(key);
    const before = e?.count ?? 0;
    if (local === before) return;
    if (local === 0) entries.delete(key);
    else if (e === undefined) entries.set(key, { subject, queue, count: local });
    else e.count = local;
    // Plain interest is binary (told on 0 <-> 1); queue groups carry their weight, told on every change.
    if (queue === null && local > 0 && before > 0) return;
    for (const l of this.listeners) l(account, subject, queue, local);
  }
}

/** `<account> <subject>[ <queue>]`: the RS+ key of nats-server, used for every peer's subscriptions here. */
export function interestKey(account: string, subject: string, queue: string | null): string {
  return queue === null ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}

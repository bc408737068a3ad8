// This server's own interest per account (subscriptions of clients, MQTT, JetStream; not of routes), kept
// as counts per subject and queue group and propagated to routes as RS+/RS- (route.go updateRouteSubscriptionMap).

import type { Account } from "../core/account.js";
import type { Subscription } from "../core/subscription.js";
import { RouteSubscription } from "./cluster-routing.js";

interface Entry {
  subject: string;
  queue: string | null;
  count: number;
}

/** A connection holding peer interest, asked whether it holds the RS+ key (to tell local counts from totals). */
export interface InterestHolder {
  holds(key: string): boolean;
}

export class LocalInterest {
  private readonly byAccount = new Map<Account, Map<string, Entry>>();

  constructor(
    private readonly holders: () => Iterable<InterestHolder>,
    /** Sends one RS+/RS- line to every registered route. */
    private readonly broadcast: (line: string) => void,
  ) {}

  /** Counts the account's current local subscriptions and follows its changes from now on. */
  attach(account: Account): void {
    const entries = new Map<string, Entry>();
    this.byAccount.set(account, entries);
    account.sublist.forEach((sub) => {
      if (sub instanceof RouteSubscription) return;
      const key = keyOf(account.name, sub.subject, sub.queue);
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

  /** The full local interest, sent to a route once it is registered (route.go sendSubsToRoute). */
  sendAll(route: { sendProto(text: string): void }): void {
    let text = "";
    for (const [account, entries] of this.byAccount) {
      for (const e of entries.values()) {
        text += subLine(account.name, e);
        if (text.length > 64 * 1024) {
          route.sendProto(text);
          text = "";
        }
      }
    }
    if (text !== "") route.sendProto(text);
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
    const key = keyOf(account.name, subject, queue);
    let remote = 0;
    for (const h of this.holders()) if (h.holds(key)) remote++;
    const local = Math.max(0, total - remote);
    const e = entries.get(key);
    const before = e?.count ?? 0;
    if (local === before) return;
    if (local === 0) {
      entries.delete(key);
      this.broadcast(
        queue === null ? `RS- ${account.name} ${subject}\r\n` : `RS- ${account.name} ${subject} ${queue}\r\n`,
      );
      return;
    }
    const entry = e ?? { subject, queue, count: 0 };
    entry.count = local;
    if (e === undefined) entries.set(key, entry);
    // Plain interest is binary (sent on 0 -> 1); queue groups carry their weight, sent on every change.
    if (queue !== null || before === 0) this.broadcast(subLine(account.name, entry));
  }
}

function keyOf(account: string, subject: string, queue: string | null): string {
  return queue === null ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}

function subLine(account: string, e: Entry): string {
  return e.queue === null
    ? `RS+ ${account} ${e.subject}\r\n`
    : `RS+ ${account} ${e.subject} ${e.queue} ${e.count}\r\n`;
}

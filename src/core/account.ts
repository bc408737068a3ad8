// An account: an isolated subject space with its own subscription index. Every connection belongs to one.

import type { ClientHandle } from "./client.js";
import { type InterestListener, Sublist, type SublistResult } from "./sublist.js";

export const GLOBAL_ACCOUNT = "$G";

/**
 * Routing for a server in a cluster (src/cluster): delivers to local subscribers and forwards to the
 * peers whose interest matches. Set on every account of a clustered server, null otherwise, so the
 * non-clustered hot path pays one null check.
 */
export interface RemoteRouting {
  route(
    account: Account,
    sender: ClientHandle | null,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
    result: SublistResult,
  ): number;
}

export class Account {
  /** Told of every interest change (the cluster layer propagates local interest to peers). */
  interestListener: InterestListener | null = null;
  /** See RemoteRouting; null when the server has no routes. */
  remote: RemoteRouting | null = null;
  /** Also told of every interest change: in-server watchers such as JetStream push consumers. */
  readonly interestWatchers = new Set<InterestListener>();
  readonly sublist = new Sublist({
    onInterestChange: (subject, queue, count, sub) => {
      this.interestListener?.(subject, queue, count, sub);
      if (this.interestWatchers.size > 0)
        for (const w of this.interestWatchers) w(subject, queue, count, sub);
    },
  });
  /** Connections currently bound to this account. */
  numConnections = 0;

  constructor(readonly name: string) {}
}

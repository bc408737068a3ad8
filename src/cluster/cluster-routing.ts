// Message fan-out on a clustered server (nats-server client.go processMsgResults): local subscribers, one
// RMSG per peer route with interest (however many of its subscriptions match), queue groups local-first.

import type { Account, RemoteRouting } from "../core/account.js";
import type { ClientHandle } from "../core/client.js";
import { deliverTo } from "../core/router.js";
import type { SublistResult } from "../core/sublist.js";
import { Subscription } from "../core/subscription.js";

/** The sending side of a route connection, as the fan-out sees it. */
export interface RouteSink extends ClientHandle {
  /** A leaf link we dialled (we are the spoke): what arrives on it is not forwarded to routes. */
  readonly spoke: boolean;
  /** Queues one RMSG/HMSG; `queues` names the queue groups this peer was picked for. */
  forward(
    account: string,
    subject: string,
    reply: string | null,
    headers: Buffer | null,
    payload: Buffer,
    queues: string[] | null,
  ): boolean;
}

/** One RS+ entry of a peer: a subscription in the account's sublist owned by the route connection. */
export class RouteSubscription extends Subscription {
  constructor(
    readonly route: RouteSink,
    subject: string,
    queue: string | null,
    /** The RS+ key (`<account> <subject>[ <queue>]`), also used as sid. */
    key: string,
    /** Queue weight: how many members the peer has in this group. */
    public weight: number,
  ) {
    super(route, subject, queue, key);
  }
}

/** Installed as Account.remote on every account of a server with routes. */
export const clusterRouting: RemoteRouting = {
  route(account, sender, subject, reply, headers, payload, result) {
    return fanOut(account, sender, subject, reply, headers, payload, result, null);
  },
};

interface Target {
  route: RouteSink;
  queues: string[] | null;
}

/**
 * Delivers locally and forwards to routes and leaf links. A message that came from a route is never sent to
 * another route (full mesh, one hop), nor is one from our hub; nothing goes back to the peer it came from;
 * a message from a peer reaches queue groups only when `queueFilter` names them (client.go processMsgResults).
 */
export function fanOut(
  account: Account,
  sender: ClientHandle | null,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
  result: SublistResult,
  queueFilter: readonly string[] | null,
): number {
  const fromPeer = sender !== null && (sender.kind === "route" || sender.kind === "leaf");
  const noRoutes = fromPeer && (sender.kind === "route" || (sender as RouteSink).spoke);
  const noEcho = sender !== null && !sender.echo;
  let targets: Target[] | null = null;
  let delivered = 0;
  const psubs = result.psubs;
  for (let i = 0; i < psubs.length; i++) {
    const sub = psubs[i]!;
    if (sub instanceof RouteSubscription) {
      const peer = sub.route;
      if (peer !== sender && !(noRoutes && peer.kind === "route")) targets = addTarget(targets, peer, null);
      continue;
    }
    if (noEcho && sub.client === sender) continue;
    if (deliverTo(sub, subject, reply, headers, payload)) delivered++;
  }
  const qsubs = result.qsubs;
  if (!fromPeer || queueFilter !== null) {
    for (let g = 0; g < qsubs.length; g++) {
      const group = qsubs[g]!;
      if (group.length === 0) continue;
      const name = group[0]!.queue!;
      if (queueFilter !== null && !queueFilter.includes(name)) continue;
      if (deliverLocalMember(group, sender, noEcho, subject, reply, headers, payload)) {
        delivered++;
        continue;
      }
      if (fromPeer) continue;
      const remote = pickWeighted(group);
      if (remote !== null) targets = addTarget(targets, remote.route, name);
    }
  }
  if (targets === null) return delivered;
  for (let t = 0; t < targets.length; t++) {
    const target = targets[t]!;
    if (target.route.forward(account.name, subject, reply, headers, payload, target.queues)) delivered++;
  }
  return delivered;
}

/** Local members are preferred: a random start spreads load, as in the non-clustered router. */
function deliverLocalMember(
  group: readonly Subscription[],
  sender: ClientHandle | null,
  noEcho: boolean,
  subject: string,
  reply: string | null,
  headers: Buffer | null,
  payload: Buffer,
): boolean {
  const n = group.length;
  const start = n === 1 ? 0 : Math.floor(Math.random() * n);
  for (let k = 0; k < n; k++) {
    const sub = group[(start + k) % n]!;
    if (sub instanceof RouteSubscription) continue;
    if (noEcho && sub.client === sender) continue;
    if (deliverTo(sub, subject, reply, headers, payload)) return true;
  }
  return false;
}

/** A peer chosen in proportion to its queue weight (its number of members), as nats-server's expanded list. */
function pickWeighted(group: readonly Subscription[]): RouteSubscription | null {
  let total = 0;
  for (const sub of group) if (sub instanceof RouteSubscription) total += Math.max(1, sub.weight);
  if (total === 0) return null;
  let r = Math.floor(Math.random() * total);
  for (const sub of group) {
    if (!(sub instanceof RouteSubscription)) continue;
    r -= Math.max(1, sub.weight);
    if (r < 0) return sub;
  }
  return null;
}

function addTarget(targets: Target[] | null, route: RouteSink, queue: string | null): Target[] {
  const list = targets ?? [];
  for (const t of list) {
    if (t.route !== route) continue;
    if (queue !== null) {
      if (t.queues === null) t.queues = [queue];
      else if (!t.queues.includes(queue)) t.queues.push(queue);
    }
    return list;
  }
  list.push({ route, queues: queue === null ? null : [queue] });
  return list;
}

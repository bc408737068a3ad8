// /routez and /leafz bodies with nats-server 2.9.10's fields (server/monitor.go Routez, RouteInfo, Leafz,
// LeafInfo), built from the live routes and leaf links; the monitoring module serves them.

import { goTime, goUptime } from "../monitor/go-format.js";
import type { Cluster } from "./cluster.js";
import type { LeafNodes } from "./leaf-nodes.js";
import type { RouteConnection } from "./route-connection.js";

export interface PeerzOptions {
  /** `?subs=1`: include subscriptions_list. */
  subs?: boolean;
  now?: number;
}

export function routezOf(
  serverId: string,
  cluster: Cluster | null,
  opts: PeerzOptions = {},
): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const routes =
    cluster === null ? [] : [...cluster.routes.values()].map((r) => routeInfo(cluster, r, now, opts));
  return { server_id: serverId, now: goTime(now), num_routes: routes.length, routes };
}

export function leafzOf(
  serverId: string,
  leafNodes: LeafNodes | null,
  opts: PeerzOptions = {},
): Record<string, unknown> {
  const now = opts.now ?? Date.now();
  const links = leafNodes === null ? [] : [...leafNodes.links].filter((l) => l.registered);
  // nats-server marshals its nil slice as null when there are no leaf nodes.
  const leafs = links.length === 0 ? null : links.map((l) => leafInfo(l, opts));
  return { server_id: serverId, now: goTime(now), leafnodes: links.length, leafs };
}

function routeInfo(
  cluster: Cluster,
  r: RouteConnection,
  now: number,
  opts: PeerzOptions,
): Record<string, unknown> {
  const [ip, port] = splitAddress(r.remoteAddress);
  const out: Record<string, unknown> = {
    rid: r.cid,
    remote_id: r.remoteId,
    did_solicit: r.solicited !== null,
    is_configured:
      r.solicited?.explicit === true && cluster.options.routes.some((u) => u.host === r.solicited!.url.host),
    ip,
    port,
    start: goTime(r.startedAt),
    last_activity: goTime(r.lastActivity),
    uptime: goUptime(now - r.startedAt),
    idle: goUptime(now - r.lastActivity),
    pending_size: r.pendingBytes,
    in_msgs: r.inMsgs,
    out_msgs: r.outMsgs,
    in_bytes: r.inBytes,
    out_bytes: r.outBytes,
    subscriptions: r.subscriptionCount,
  };
  if (opts.subs) out.subscriptions_list = r.subscriptionList();
  return out;
}

function leafInfo(l: RouteConnection, opts: PeerzOptions): Record<string, unknown> {
  const [ip, port] = splitAddress(l.remoteAddress);
  const out: Record<string, unknown> = {
    account: l.leafAccount?.name ?? "",
    ip,
    port,
    in_msgs: l.inMsgs,
    out_msgs: l.outMsgs,
    in_bytes: l.inBytes,
    out_bytes: l.outBytes,
    subscriptions: l.subscriptionCount,
  };
  if (opts.subs) out.subscriptions_list = l.subscriptionList();
  return out;
}

function splitAddress(addr: string): [string, number] {
  const i = addr.lastIndexOf(":");
  return [addr.slice(0, i).replace(/^\[|\]$/g, ""), Number(addr.slice(i + 1))];
}

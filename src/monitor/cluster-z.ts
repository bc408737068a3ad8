// /routez, /leafz and /gatewayz: natsgate has no routes, leaf nodes or gateways yet, so these are
// nats-server 2.9.10's answers for a server without them (field names kept for dashboards and tools).

import { goTime } from "./go-format.js";

export function routez(serverId: string, now = Date.now()): Record<string, unknown> {
  return { server_id: serverId, now: goTime(now), num_routes: 0, routes: [] };
}

export function leafz(serverId: string, now = Date.now()): Record<string, unknown> {
  // nats-server marshals its nil slice as null when there are no leaf nodes.
  return { server_id: serverId, now: goTime(now), leafnodes: 0, leafs: null };
}

export function gatewayz(serverId: string, now = Date.now()): Record<string, unknown> {
  return { server_id: serverId, now: goTime(now), outbound_gateways: {}, inbound_gateways: {} };
}

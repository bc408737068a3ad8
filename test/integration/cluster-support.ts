// Helpers for cluster tests: natsgate nodes with a cluster block on loopback, waiting for routes and interest.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createServer, type NatsgateServer } from "../../src/index.js";

export const CLUSTER_NAME = "test-cluster";

/** A natsgate node with routes to `routes` (`nats-route://127.0.0.1:<port>`) and a random cluster port. */
export function startNode(
  routes: string[] = [],
  extra: Record<string, unknown> = {},
): Promise<NatsgateServer> {
  return createServer({
    port: 0,
    extra: { cluster: { name: CLUSTER_NAME, listen: "127.0.0.1:-1", routes, ...extra } },
  });
}

export function routeUrl(server: NatsgateServer): string {
  return `nats-route://127.0.0.1:${server.cluster!.port}`;
}

/** Polls `cond` every 20 ms until true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function waitRoutes(server: NatsgateServer, n: number): Promise<void> {
  return waitFor(`${n} routes`, () => server.cluster !== null && server.cluster.routes.size === n);
}

/** True when `server` (natsgate) has some subscription, local or a peer's, matching `subject` in $G. */
export function hasInterest(server: NatsgateServer, subject: string): boolean {
  return server.lookupAccount("$G")!.sublist.hasInterest(subject);
}

export async function client(port: number, opts: Record<string, unknown> = {}): Promise<NatsConnection> {
  return connect({ servers: `127.0.0.1:${port}`, reconnect: false, ...opts });
}

let probeSeq = 0;

/**
 * Waits until interest registered on `subscriber`'s server so far has reached the server of `publisher`:
 * RS+ travel in order on a route, so once a probe subscription made afterwards is reached, so is everything before.
 */
export async function syncInterest(subscriber: NatsConnection, publisher: NatsConnection): Promise<void> {
  const subject = `_probe.${process.pid}.${++probeSeq}`;
  let got = false;
  const sub = subscriber.subscribe(subject, {
    callback: () => {
      got = true;
    },
  });
  await subscriber.flush();
  await waitFor(`interest on ${subject}`, async () => {
    publisher.publish(subject);
    await publisher.flush();
    await new Promise((r) => setTimeout(r, 20));
    return got;
  });
  sub.unsubscribe();
  await subscriber.flush();
}

/** Collects the payloads a subscription receives. */
export function collect(nc: NatsConnection, subject: string, queue?: string): string[] {
  const got: string[] = [];
  nc.subscribe(subject, {
    queue,
    callback: (_err, m) => {
      got.push(m.string());
    },
  });
  return got;
}

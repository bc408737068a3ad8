// Idle connections: opens N fully handshaken clients (INFO, CONNECT, PING/PONG) that then stay
// silent, and reports the server's resident memory growth per connection.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { rssKb } from "../lib/proc-stats.mjs";
import { connect } from "./wire.mjs";

/** Handshakes in flight at once: enough to be quick, few enough not to overflow the listen backlog. */
const CONNECT_CONCURRENCY = 64;

export async function runIdleConnections(job, status) {
  const conns = [];
  status.progress = () => `${conns.length}/${job.connections} connected`;
  // A fixed pause, not a wait for an event: the point is to let the server's memory settle.
  await sleep(job.settleMs);
  const rssBeforeKb = rssKb(job.serverPid);
  const t0 = performance.now();
  let next = 0;
  const opener = async () => {
    while (next < job.connections) {
      next++;
      const conn = await connect(job.port, job.host, `bench-idle-${next}`);
      conns.push(conn);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, opener));
  const connectSec = (performance.now() - t0) / 1000;
  await sleep(job.settleMs);
  const rssAfterKb = rssKb(job.serverPid);
  // Every connection must still be alive (checked after the reading, so the PINGs do not add to
  // it): a server that dropped some would look cheaper.
  const closed = conns.filter((c) => c.closed);
  if (closed.length > 0) {
    throw new Error(`${closed.length} idle connections were closed by the server: ${closed[0].closeReason}`);
  }
  await Promise.all(conns.map((c) => c.flush()));
  for (const conn of conns) conn.close();
  return {
    wallSec: connectSec,
    connections: conns.length,
    connectSec,
    rssBeforeKb,
    rssAfterKb,
    rssPerConnKb: (rssAfterKb - rssBeforeKb) / conns.length,
  };
}

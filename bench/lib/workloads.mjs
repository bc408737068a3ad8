// The workload catalogue: what each workload does, its fixed amounts of work (full and --quick),
// and which figures are compared between servers.
const PAYLOAD = 16;
// Messages a publisher may be ahead of its subscribers; keeps each subscriber's pending bytes in
// the server far below nats-server's 64 MB slow-consumer limit even if the reader lags.
const WINDOW = 200_000;

const rate = (count) => ({
  key: "rate",
  label: "msgs/s",
  better: "higher",
  get: (r) => count(r) / r.wallSec,
});

const latency = (key, label) => ({ key, label, better: "lower", get: (r) => r[key] });

export const WORKLOADS = [
  {
    name: "pub-only",
    about: "1 publisher, 16-byte payloads, no subscribers; ends at the PONG after the last PUB",
    job: { kind: "flow", subject: "bench.pub", subjects: 1, subConns: 0, publishers: 1 },
    full: { messages: 20_000_000 },
    quick: { messages: 1_000_000 },
    metrics: [rate((r) => r.published)],
  },
  {
    name: "pub-sub",
    about: "1 publisher -> 1 subscriber, 16-byte payloads",
    job: { kind: "flow", subject: "bench.ps", subjects: 1, subConns: 1, publishers: 1 },
    full: { messages: 8_000_000 },
    quick: { messages: 400_000 },
    metrics: [rate((r) => r.delivered)],
  },
  {
    name: "fan-out",
    about: "1 publisher -> 8 subscribers on one subject; rate counts deliveries (8 per message)",
    job: { kind: "flow", subject: "bench.fan", subjects: 1, subConns: 8, publishers: 1 },
    full: { messages: 2_000_000 },
    quick: { messages: 100_000 },
    metrics: [rate((r) => r.delivered)],
  },
  {
    name: "queue-group",
    about: "1 publisher -> queue group of 4 subscribers, each message to one of them",
    job: { kind: "flow", subject: "bench.q", subjects: 1, subConns: 4, publishers: 1, queue: "workers" },
    full: { messages: 8_000_000 },
    quick: { messages: 400_000 },
    metrics: [rate((r) => r.delivered)],
  },
  {
    name: "routing-10k",
    about: "10,000 subscriptions on distinct subjects (over 4 connections), 2 publishers cycling over them",
    job: { kind: "flow", subject: "bench.r", subjects: 10_000, subConns: 4, publishers: 2 },
    full: { messages: 3_000_000 },
    quick: { messages: 200_000 },
    metrics: [rate((r) => r.delivered)],
  },
  {
    name: "request-reply",
    about: "1 requester, 1 responder, sequential round trips (one outstanding request)",
    job: { kind: "request-reply" },
    full: { requests: 20_000 },
    quick: { requests: 2_000 },
    metrics: [latency("p50Us", "p50 us"), latency("p90Us", "p90 us"), latency("p99Us", "p99 us")],
  },
  {
    name: "idle-conns",
    about: "2,000 handshaken idle connections on a fresh server; server VmRSS growth per connection",
    job: { kind: "idle" },
    full: { connections: 2_000, settleMs: 1_000 },
    quick: { connections: 2_000, settleMs: 300 },
    freshServer: true,
    metrics: [latency("rssPerConnKb", "RSS KiB/conn")],
  },
];

/** The job a generator receives for one round of `workload`. */
export function jobFor(workload, quick, server, extra) {
  return {
    payloadSize: PAYLOAD,
    window: WINDOW,
    ...workload.job,
    ...(quick ? workload.quick : workload.full),
    host: server.host,
    port: server.port,
    serverPid: server.pid,
    ...extra,
  };
}

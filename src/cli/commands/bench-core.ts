// Core NATS workers of `natsgate bench`: publishers, subscribers, requesters and repliers, each on its own
// connection, with the publish time carried in the payload so subscribers can measure latency.

import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ClientSample, LatencyRecorder } from "./bench-stats.js";
import type { Progress } from "./progress-bar.js";

export interface BenchShape {
  subject: string;
  size: number;
  multisubject: boolean;
  multisubjectMax: number;
  progress: Progress;
  /** Publisher-side latency: request round trip or JetStream publish-to-ack. */
  pubLatency: LatencyRecorder;
  /** Subscriber-side latency: publish to receive, from the send time in the payload. */
  subLatency: LatencyRecorder;
  timeoutMs: number;
}

// Flushing every so many messages keeps the client's outbound buffer bounded and lets the server keep up;
// without it a fast loop would queue the whole run in memory before the first byte is sent.
const FLUSH_EVERY = 1000;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between this process's connections. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A payload of `size` bytes whose first 8 bytes (when it has them) are the send time. */
export function stampedPayload(size: number): Uint8Array {
  const buf = new Uint8Array(size);
  if (size >= 8) new DataView(buf.buffer).setFloat64(0, nowMs(), true);
  return buf;
}

/** The send time carried by a payload, or undefined when it is too short to carry one. */
export function payloadStamp(data: Uint8Array): number | undefined {
  if (data.length < 8) return undefined;
  return new DataView(data.buffer, data.byteOffset, 8).getFloat64(0, true);
}

export function publishSubject(shape: BenchShape, n: number): string {
  return shape.multisubject ? `${shape.subject}.${n % shape.multisubjectMax}` : shape.subject;
}

export function subscribeSubject(shape: BenchShape): string {
  return shape.multisubject ? `${shape.subject}.>` : shape.subject;
}

/** Counts one received message into `sample` (first message starts the clock) and the latency recorder. */
export function countReceived(shape: BenchShape, sample: ClientSample, data: Uint8Array): void {
  const now = performance.now();
  if (sample.msgs === 0) sample.start = now;
  sample.msgs++;
  sample.bytes += data.length;
  sample.end = now;
  const stamp = payloadStamp(data);
  if (stamp !== undefined) shape.subLatency.record(nowMs() - stamp);
  shape.progress.add(1);
}

export async function corePublisher(
  nc: NatsConnection,
  shape: BenchShape,
  sample: ClientSample,
  count: number,
): Promise<void> {
  sample.start = performance.now();
  for (let i = 0; i < count; i++) {
    nc.publish(publishSubject(shape, i), stampedPayload(shape.size));
    sample.msgs++;
    sample.bytes += shape.size;
    shape.progress.add(1);
    if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await nc.flush();
  }
  await nc.flush();
  sample.end = performance.now();
}

export async function coreRequester(
  nc: NatsConnection,
  shape: BenchShape,
  sample: ClientSample,
  count: number,
): Promise<void> {
  sample.start = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await nc.request(publishSubject(shape, i), stampedPayload(shape.size), { timeout: shape.timeoutMs });
    shape.pubLatency.record(performance.now() - t0);
    sample.msgs++;
    sample.bytes += shape.size;
    shape.progress.add(1);
  }
  sample.end = performance.now();
}

/** Subscribes and resolves `done` once `expected` messages arrived; returns after the server has the SUB. */
export async function coreSubscriber(
  nc: NatsConnection,
  shape: BenchShape,
  sample: ClientSample,
  expected: number,
): Promise<{ done: Promise<void>; sub: Subscription }> {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((res) => {
    finish = res;
  });
  const sub = nc.subscribe(subscribeSubject(shape), {
    max: expected,
    callback: (_err, m: Msg) => {
      countReceived(shape, sample, m.data);
      if (sample.msgs >= expected) finish();
    },
  });
  await nc.flush();
  if (expected <= 0) finish();
  return { done, sub };
}

/** A replier in a queue group echoing each request; runs until its subscription is closed. */
export async function coreReplier(
  nc: NatsConnection,
  shape: BenchShape,
  sample: ClientSample,
): Promise<Subscription> {
  const sub = nc.subscribe(subscribeSubject(shape), {
    queue: "natsgate-bench-reply",
    callback: (_err, m: Msg) => {
      const now = performance.now();
      if (sample.msgs === 0) sample.start = now;
      sample.msgs++;
      sample.bytes += m.data.length;
      sample.end = now;
      shape.progress.add(1);
      m.respond(m.data);
    },
  });
  await nc.flush();
  return sub;
}

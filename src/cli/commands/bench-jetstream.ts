// JetStream workers of `natsgate bench`: the benchmark stream, publishers awaiting acks in batches, and
// pull or push subscribers sharing one durable consumer so the messages are split between them.

import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BenchShape,
  countReceived,
  publishSubject,
  stampedPayload,
  subscribeSubject,
} from "./bench-core.js";
import type { ClientSample } from "./bench-stats.js";
import { withContext } from "./cli-error.js";

export interface JsPlan {
  stream: string;
  storage: "memory" | "file";
  replicas: number;
  purge: boolean;
  pull: boolean;
  pubBatch: number;
  syncPub: boolean;
  consumerBatch: number;
  maxAckPending: number;
}

export const BENCH_CONSUMER = "natsgate-bench";

/** Creates the stream when missing (or reuses it), purging first with --purge. */
export async function prepareStream(jsm: JetStreamManager, shape: BenchShape, plan: JsPlan): Promise<void> {
  const exists = await jsm.streams.info(plan.stream).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await jsm.streams
      .add({
        name: plan.stream,
        subjects: [subscribeSubject(shape)],
        storage: plan.storage === "file" ? StorageType.File : StorageType.Memory,
        num_replicas: plan.replicas,
      })
      .catch((e: unknown) => {
        throw withContext(`could not create stream ${plan.stream}`, e);
      });
  } else if (plan.purge) {
    await jsm.streams.purge(plan.stream);
  }
}

/** The shared durable consumer every subscriber reads from; push consumers deliver to a queue group. */
export async function prepareConsumer(jsm: JetStreamManager, plan: JsPlan): Promise<void> {
  await jsm.consumers.delete(plan.stream, BENCH_CONSUMER).catch(() => undefined);
  const push = plan.pull
    ? {}
    : { deliver_subject: `_INBOX.natsgate-bench.${Date.now()}`, deliver_group: BENCH_CONSUMER };
  await jsm.consumers
    .add(plan.stream, {
      durable_name: BENCH_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: plan.maxAckPending,
      ...push,
    })
    .catch((e: unknown) => {
      throw withContext("could not create the benchmark consumer", e);
    });
}

export async function removeConsumer(nc: NatsConnection, plan: JsPlan): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  await jsm.consumers.delete(plan.stream, BENCH_CONSUMER).catch(() => undefined);
}

export async function jsPublisher(
  js: JetStreamClient,
  shape: BenchShape,
  plan: JsPlan,
  sample: ClientSample,
  count: number,
): Promise<void> {
  const batch = plan.syncPub ? 1 : Math.max(1, plan.pubBatch);
  sample.start = performance.now();
  for (let sent = 0; sent < count; ) {
    const n = Math.min(batch, count - sent);
    const acks: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      acks.push(
        js.publish(publishSubject(shape, sent + i), stampedPayload(shape.size)).then(() => {
          shape.pubLatency.record(performance.now() - t0);
          shape.progress.add(1);
        }),
      );
    }
    await Promise.all(acks);
    sent += n;
    sample.msgs += n;
    sample.bytes += n * shape.size;
  }
  sample.end = performance.now();
}

/** Shared by the subscribers of one run: how many messages all of them still need. */
export class ConsumeQuota {
  received = 0;
  private readonly iterators: ConsumerMessages[] = [];

  constructor(readonly total: number) {}

  register(it: ConsumerMessages): void {
    this.iterators.push(it);
    if (this.received >= this.total) void it.stop();
  }

  /** Counts one message; once the total is reached every subscriber's iterator is stopped. */
  take(): boolean {
    this.received++;
    if (this.received === this.total) for (const it of this.iterators) void it.stop();
    return this.received <= this.total;
  }
}

/** Consumes from the shared consumer until the quota is met; resolves when this subscriber stops. */
export async function jsSubscriber(
  nc: NatsConnection,
  shape: BenchShape,
  plan: JsPlan,
  sample: ClientSample,
  quota: ConsumeQuota,
): Promise<() => Promise<void>> {
  const js = jetstream(nc);
  const messages = plan.pull
    ? await (await js.consumers.get(plan.stream, BENCH_CONSUMER)).consume({
        max_messages: plan.consumerBatch,
      })
    : await (await js.consumers.getPushConsumer(plan.stream, BENCH_CONSUMER)).consume();
  quota.register(messages);
  return async () => {
    for await (const m of messages) {
      if (!quota.take()) break;
      countReceived(shape, sample, m.data);
      m.ack();
    }
    await nc.flush();
  };
}

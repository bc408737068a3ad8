// Consumer advisories and metrics on `$JS.EVENT.…`, shaped as nats-server 2.9.10 publishes them
// (server/jetstream_events.go). Bodies carry `type` and the event's fields; the account context's
// advisory() adds the id, timestamp and domain header fields and publishes only when someone listens.

export const ADVISORY_CONSUMER_CREATED = "$JS.EVENT.ADVISORY.CONSUMER.CREATED";
export const ADVISORY_CONSUMER_DELETED = "$JS.EVENT.ADVISORY.CONSUMER.DELETED";
export const ADVISORY_MAX_DELIVERIES = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES";
export const ADVISORY_MSG_NAKED = "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED";
export const ADVISORY_MSG_TERMINATED = "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED";
export const METRIC_CONSUMER_ACK = "$JS.EVENT.METRIC.CONSUMER.ACK";

/** Where and what to publish: the subject already carries `.<stream>.<consumer>`. */
export interface Advisory {
  subject: string;
  body: object;
}

export function consumerActionAdvisory(
  action: "create" | "delete",
  stream: string,
  consumer: string,
): Advisory {
  const prefix = action === "create" ? ADVISORY_CONSUMER_CREATED : ADVISORY_CONSUMER_DELETED;
  const body = { type: "io.nats.jetstream.advisory.v1.consumer_action", stream, consumer, action };
  return { subject: `${prefix}.${stream}.${consumer}`, body };
}

/** A message reached max_deliver (nats-server sends it once per message). */
export function maxDeliveriesAdvisory(
  stream: string,
  consumer: string,
  streamSeq: number,
  deliveries: number,
): Advisory {
  const body = {
    type: "io.nats.jetstream.advisory.v1.max_deliver",
    stream,
    consumer,
    stream_seq: streamSeq,
    deliveries,
  };
  return { subject: `${ADVISORY_MAX_DELIVERIES}.${stream}.${consumer}`, body };
}

/** A delivery was NAKed or TERMinated. */
export function deliveryAdvisory(
  kind: "nak" | "terminated",
  stream: string,
  consumer: string,
  consumerSeq: number,
  streamSeq: number,
  deliveries: number,
): Advisory {
  const type =
    kind === "nak" ? "io.nats.jetstream.advisory.v1.nak" : "io.nats.jetstream.advisory.v1.terminated";
  const prefix = kind === "nak" ? ADVISORY_MSG_NAKED : ADVISORY_MSG_TERMINATED;
  const body = {
    type,
    stream,
    consumer,
    consumer_seq: consumerSeq,
    stream_seq: streamSeq,
    deliveries,
  };
  return { subject: `${prefix}.${stream}.${consumer}`, body };
}

/** Ack latency sample (sample_freq), `ack_time` in nanoseconds. */
export function ackMetric(
  stream: string,
  consumer: string,
  consumerSeq: number,
  streamSeq: number,
  ackTimeNanos: number,
  deliveries: number,
): Advisory {
  const body = {
    type: "io.nats.jetstream.metric.v1.consumer_ack",
    stream,
    consumer,
    consumer_seq: consumerSeq,
    stream_seq: streamSeq,
    ack_time: ackTimeNanos,
    deliveries,
  };
  return { subject: `${METRIC_CONSUMER_ACK}.${stream}.${consumer}`, body };
}

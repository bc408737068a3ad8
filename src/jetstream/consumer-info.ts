// ConsumerInfo as nats-server 2.9.10 reports it (CONSUMER.INFO, CREATE, LIST): field order and omissions
// follow Go's struct tags so responses match nats-server's JSON.

import { formatRfc3339Nano } from "../storage/store.js";
import type { Consumer } from "./consumer.js";
import { consumerConfigJson } from "./consumer-config.js";

export interface SequenceInfoJson {
  consumer_seq: number;
  stream_seq: number;
  last_active?: string;
}

export interface ConsumerInfoJson {
  stream_name: string;
  name: string;
  created: string;
  config: Record<string, unknown>;
  delivered: SequenceInfoJson;
  ack_floor: SequenceInfoJson;
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
  push_bound?: boolean;
}

export function consumerInfo(o: Consumer): ConsumerInfoJson {
  const s = o.state;
  const delivered: SequenceInfoJson = { consumer_seq: s.dseq - 1, stream_seq: s.sseq - 1 };
  if (o.lastDelivered > 0) delivered.last_active = formatRfc3339Nano(o.lastDelivered, 0);
  const ackFloor: SequenceInfoJson = { consumer_seq: s.adflr, stream_seq: s.asflr };
  if (o.lastAcked > 0) ackFloor.last_active = formatRfc3339Nano(o.lastAcked, 0);
  const info: ConsumerInfoJson = {
    stream_name: o.stream.name,
    name: o.name,
    created: formatRfc3339Nano(o.created.ms, o.created.nanos),
    config: consumerConfigJson(o.config),
    delivered,
    ack_floor: ackFloor,
    num_ack_pending: s.pending.size,
    num_redelivered: s.rdc.size,
    num_waiting: o.pull?.waiting.length ?? 0,
    num_pending: o.picker.streamNumPending(),
  };
  if (o.pushBound) info.push_bound = true;
  return info;
}

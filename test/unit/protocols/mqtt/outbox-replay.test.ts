// The MQTT outbox log replayed at start: queued messages minus finished ones, with the last flow state
// (packet id, PUBREL sent) of each, inbound QoS 2 ids added and released, foreign records ignored.

import { describe, expect, it } from "vitest";
import { replayOutbox } from "../../../../src/protocols/mqtt/js-stores.js";
import type { OutboundMessage } from "../../../../src/protocols/mqtt/mqtt-session.js";
import {
  decodeOutboxRecord,
  encodeInboundQos2,
  encodeOutbound,
  encodeOutboxUpdates,
  type OutboxRecord,
} from "../../../../src/protocols/mqtt/store-records.js";

function msg(oseq: number, topic: string, qos = 1): OutboundMessage {
  return {
    topic,
    payload: Buffer.from(topic),
    qos,
    retain: false,
    properties: {},
    expiresAt: 0,
    packetId: 0,
    state: "queued",
    oseq,
  };
}

function records(bufs: Buffer[]): OutboxRecord[] {
  return bufs.map((b) => decodeOutboxRecord(b)).filter((r): r is OutboxRecord => r !== null);
}

describe("replayOutbox", () => {
  it("keeps unfinished messages in log order with their last state", () => {
    const kept = replayOutbox(
      records([
        encodeOutbound("dev", msg(1, "a")),
        encodeOutbound("dev", msg(2, "b", 2)),
        encodeOutbound("dev", msg(3, "c")),
        encodeOutboxUpdates("dev", [
          [1, "publish", 11],
          [2, "publish", 12],
          [3, "publish", 13],
        ]),
        encodeOutboxUpdates("dev", [
          [1, "done", 11],
          [2, "pubrel", 12],
          [99, "done", 5],
        ]),
        encodeOutbound("other", msg(1, "x")),
        encodeOutboxUpdates("other", [[1, "done", 0]]),
        Buffer.from("not a record"),
      ]),
    );
    const dev = kept.get("dev");
    expect(dev?.messages.map((m) => [m.topic, m.state, m.packetId, m.oseq])).toEqual([
      ["b", "pubrel", 12, 2],
      ["c", "publish", 13, 3],
    ]);
    expect(dev?.messages[0].payload.toString()).toBe("b");
    // A client whose messages are all finished has nothing kept.
    expect(kept.has("other")).toBe(false);
  });

  it("replays inbound QoS 2 ids", () => {
    const kept = replayOutbox(
      records([
        encodeInboundQos2("pub", 7, true),
        encodeInboundQos2("pub", 8, true),
        encodeInboundQos2("pub", 7, false),
      ]),
    );
    expect(kept.get("pub")).toEqual({ messages: [], inboundQos2: [8] });
  });
});

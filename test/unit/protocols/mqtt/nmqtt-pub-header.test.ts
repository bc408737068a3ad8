// The Nmqtt-Pub header block of MQTT publishes: the prebuilt block equals the generic one, and the QoS
// is read back the same on the byte-compare fast path and the header-parsing path.

import { describe, expect, it } from "vitest";
import { buildHeaders } from "../../../../src/core/headers.js";
import { NMQTT_PUB, pubOnlyHeaders, qosFromHeader } from "../../../../src/protocols/mqtt/mqtt-session.js";

describe("Nmqtt-Pub header block", () => {
  it("builds the same bytes as buildHeaders, a fresh Buffer each time", () => {
    for (const qos of [0, 1, 2]) {
      const block = pubOnlyHeaders(qos);
      expect(block.toString("latin1")).toBe(buildHeaders([[NMQTT_PUB, String(qos)]]).toString("latin1"));
      expect(pubOnlyHeaders(qos)).not.toBe(block);
    }
    // Changing one copy leaves the next one intact.
    pubOnlyHeaders(1).fill(0);
    expect(pubOnlyHeaders(1).toString("latin1")).toBe("NATS/1.0\r\nNmqtt-Pub: 1\r\n\r\n");
  });

  it("reads the QoS from the prebuilt block and from longer blocks", () => {
    expect([0, 1, 2].map((q) => qosFromHeader(pubOnlyHeaders(q)))).toEqual([0, 1, 2]);
    const withUser = buildHeaders([
      [NMQTT_PUB, "2"],
      ["k", "v"],
    ]);
    expect(qosFromHeader(withUser)).toBe(2);
    expect(qosFromHeader(buildHeaders([["A", "b"]]))).toBe(0);
  });

  it("does not take a same-length block with another header for an Nmqtt-Pub one", () => {
    const other = Buffer.from("NATS/1.0\r\nNmqtt-Pux: 1\r\n\r\n", "latin1");
    expect(other.length).toBe(pubOnlyHeaders(1).length);
    expect(qosFromHeader(other)).toBe(0);
    // An out-of-range digit is QoS 0, as on the parsing path.
    expect(qosFromHeader(Buffer.from("NATS/1.0\r\nNmqtt-Pub: 7\r\n\r\n", "latin1"))).toBe(0);
  });
});

// Ack subjects and payloads (ack.ts), Go durations (consumer-duration.ts), Go JSON syntax errors.

import { describe, expect, it } from "vitest";
import {
  ackReplyPrefix,
  ackSubscriptionSubject,
  buildAckReply,
  parseAck,
  parseAckReply,
} from "../../../src/jetstream/ack.js";
import { formatGoDuration, nanosToMs, parseGoDuration } from "../../../src/jetstream/consumer-duration.js";
import { goJsonSyntaxError } from "../../../src/jetstream/consumer-json-errors.js";

describe("ack reply subjects", () => {
  it("builds $JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts nanos>.<pending>", () => {
    const prefix = ackReplyPrefix("ORDERS", "dur");
    expect(buildAckReply(prefix, 2, 17, 40, 1_700_000_000_123, 456_789, 5)).toBe(
      "$JS.ACK.ORDERS.dur.2.17.40.1700000000123456789.5",
    );
    // Nanoseconds are padded to six digits after the milliseconds.
    expect(buildAckReply(prefix, 1, 1, 1, 1_700_000_000_000, 7, 0)).toBe(
      "$JS.ACK.ORDERS.dur.1.1.1.1700000000000000007.0",
    );
    expect(ackSubscriptionSubject("ORDERS", "dur")).toBe("$JS.ACK.ORDERS.dur.*.*.*.*.*");
  });

  it("parses the delivery count and sequences back", () => {
    expect(parseAckReply("$JS.ACK.S.C.3.10.12.1700000000000000000.4")).toEqual({
      deliveryCount: 3,
      streamSeq: 10,
      deliverySeq: 12,
    });
  });

  it("refuses subjects that are not ack subjects or hold non-numbers", () => {
    expect(parseAckReply("$JS.ACK.S.C.1.2.3.4")).toBeNull();
    expect(parseAckReply("$JS.ACK.S.C.1.2.3.4.5.6")).toBeNull();
    expect(parseAckReply("$JS.NAK.S.C.1.2.3.4.5")).toBeNull();
    expect(parseAckReply("$JS.ACK.S.C.1.x.3.4.5")).toBeNull();
    expect(parseAckReply("$JS.ACK.S.C.1.-2.3.4.5")).toBeNull();
    expect(parseAckReply("$JS.ACK.S.C.1..3.4.5")).toBeNull();
  });
});

describe("ack payloads", () => {
  const kind = (p: string) => parseAck(Buffer.from(p)).kind;

  it("reads each kind as nats-server does", () => {
    expect(kind("")).toBe("ack");
    expect(kind("+ACK")).toBe("ack");
    expect(kind("+OK")).toBe("ack");
    expect(kind("-NAK")).toBe("nak");
    expect(kind("+WPI")).toBe("progress");
    expect(kind("+TERM")).toBe("term");
    expect(kind("+TERM no longer wanted")).toBe("term");
    expect(kind("+NXT")).toBe("next");
    expect(kind("+ACK ")).toBe("unknown");
    expect(kind("+WPI please")).toBe("unknown");
    expect(kind("+TERMINATE")).toBe("unknown");
    expect(kind("hello")).toBe("unknown");
  });

  it("reads NAK delays as JSON nanoseconds or Go durations", () => {
    expect(parseAck(Buffer.from('-NAK {"delay": 2000000000}')).nakDelayNanos).toBe(2_000_000_000);
    expect(parseAck(Buffer.from("-NAK 1.5s")).nakDelayNanos).toBe(1_500_000_000);
    expect(parseAck(Buffer.from("-NAK  300ms ")).nakDelayNanos).toBe(300_000_000);
    expect(parseAck(Buffer.from("-NAK {}")).nakDelayNanos).toBe(0);
    const bad = parseAck(Buffer.from("-NAK soon"));
    expect(bad.kind).toBe("nak");
    expect(bad.nakDelayNanos).toBeNull();
    expect(bad.badNakDelay).toBe("soon");
    expect(parseAck(Buffer.from('-NAK {"delay": "1s"}')).badNakDelay).toBe('{"delay": "1s"}');
  });

  it("keeps what follows +NXT as the next request", () => {
    expect(parseAck(Buffer.from('+NXT {"batch":3}')).nextRequest?.toString()).toBe(' {"batch":3}');
  });
});

describe("Go durations", () => {
  it("parses time.ParseDuration syntax", () => {
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("1h2m3.5s")).toBe(3_723_500_000_000);
    expect(parseGoDuration("-250ms")).toBe(-250_000_000);
    expect(parseGoDuration("10us")).toBe(10_000);
    expect(parseGoDuration("10µs")).toBe(10_000);
    expect(parseGoDuration("7")).toBeNull();
    expect(parseGoDuration("1d")).toBeNull();
    expect(parseGoDuration("")).toBeNull();
    expect(parseGoDuration(".s")).toBeNull();
  });

  it("prints like Duration.String", () => {
    expect(formatGoDuration(0)).toBe("0s");
    expect(formatGoDuration(2_000_000_000)).toBe("2s");
    expect(formatGoDuration(1_500_000_000)).toBe("1.5s");
    expect(formatGoDuration(90_000_000_000)).toBe("1m30s");
    expect(formatGoDuration(3_600_000_000_000)).toBe("1h0m0s");
    expect(formatGoDuration(250_000_000)).toBe("250ms");
    expect(formatGoDuration(1_500)).toBe("1.5µs");
    expect(formatGoDuration(42)).toBe("42ns");
  });

  it("rounds sub-millisecond waits up for timers", () => {
    expect(nanosToMs(1)).toBe(1);
    expect(nanosToMs(2_000_000)).toBe(2);
    expect(nanosToMs(0)).toBe(0);
    expect(nanosToMs(-5)).toBe(0);
  });
});

describe("Go JSON syntax errors", () => {
  it("names the character and the scanner state", () => {
    expect(goJsonSyntaxError("{nope")).toBe(
      "invalid character 'n' looking for beginning of object key string",
    );
    expect(goJsonSyntaxError('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(goJsonSyntaxError('{"a":1 "b"}')).toBe("invalid character '\"' after object key:value pair");
    expect(goJsonSyntaxError("[1 2]")).toBe("invalid character '2' after array element");
    expect(goJsonSyntaxError("{} x")).toBe("invalid character 'x' after top-level value");
    expect(goJsonSyntaxError('{"a":tru}')).toBe("invalid character '}' in literal true (expecting 'e')");
    expect(goJsonSyntaxError('{"a":1.}')).toBe(
      "invalid character '}' after decimal point in numeric literal",
    );
    expect(goJsonSyntaxError('{"a":')).toBe("unexpected end of JSON input");
  });
});

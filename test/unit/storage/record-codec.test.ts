// Record framing and checksums of the file store log, and the CRC-32 they rely on.

import { describe, expect, it } from "vitest";
import { crc32, crc32Table } from "../../../src/storage/crc32.js";
import {
  decodeMessage,
  encodeErased,
  encodeMarker,
  encodeMessage,
  KIND_ERASED,
  KIND_FLOOR,
  MIN_RECORD_LEN,
  recordKind,
  recordSeq,
  validRecordLength,
} from "../../../src/storage/record-codec.js";

describe("crc32", () => {
  it("computes the standard CRC-32 check value, natively and by table", () => {
    const data = Buffer.from("123456789");
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32Table(data)).toBe(0xcbf43926);
    const random = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    expect(crc32Table(random)).toBe(crc32(random));
    expect(crc32Table(random, 10, 900)).toBe(crc32(random, 10, 900));
  });
});

describe("record codec", () => {
  it("round-trips a message with headers, TTL, big sequence and nanosecond time", () => {
    const seq = 2 ** 40 + 3;
    const rec = encodeMessage(
      seq,
      "orders.ü",
      Buffer.from("NATS/1.0\r\n\r\n"),
      Buffer.from("body"),
      1_700_000_000_123,
      999_999,
      5000,
    );
    expect(validRecordLength(rec, 0, rec.length)).toBe(rec.length);
    const m = decodeMessage(rec, 0);
    expect(m).toEqual({
      seq,
      subject: "orders.ü",
      headers: Buffer.from("NATS/1.0\r\n\r\n"),
      payload: Buffer.from("body"),
      ts: 1_700_000_000_123,
      tsNanos: 999_999,
      ttl: 5000,
    });
  });

  it("encodes markers and erased records that validate", () => {
    const floor = encodeMarker(KIND_FLOOR, 77);
    expect(floor.length).toBe(MIN_RECORD_LEN);
    expect(validRecordLength(floor, 0, floor.length)).toBe(MIN_RECORD_LEN);
    expect([recordKind(floor, 0), recordSeq(floor, 0)]).toEqual([KIND_FLOOR, 77]);
    const erased = encodeErased(9, 120);
    expect(validRecordLength(erased, 0, erased.length)).toBe(120);
    expect([recordKind(erased, 0), recordSeq(erased, 0)]).toEqual([KIND_ERASED, 9]);
  });

  it("rejects torn and corrupted records", () => {
    const rec = encodeMessage(1, "a", null, Buffer.from("payload"), 1, 0, 0);
    expect(validRecordLength(rec, 0, rec.length - 1)).toBe(0);
    const flipped = Buffer.from(rec);
    flipped[rec.length - 6] ^= 1;
    expect(validRecordLength(flipped, 0, flipped.length)).toBe(0);
    const badLen = Buffer.from(rec);
    badLen.writeUInt32LE(10, 0);
    expect(validRecordLength(badLen, 0, badLen.length)).toBe(0);
  });
});

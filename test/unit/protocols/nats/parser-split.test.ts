// Chunk-boundary independence of the NATS parser: a stream with every operation must parse the same
// whether it arrives whole, split at any byte (also inside "\r\n" and payloads), or one byte at a time.

import { describe, expect, it } from "vitest";
import {
  hpubFrame,
  type ParsedEvent,
  parseChunks,
  pubFrame,
  splitAt,
} from "../../../helpers/parser-recorder.js";

const HDR = "NATS/1.0\r\nX-A: 1\r\nX-A: 2\r\n\r\n";

/** One of every operation, payloads with CRLF and protocol text in them, empty payloads, mixed case. */
const SAMPLE = Buffer.from(
  'CONNECT {"verbose":false,"headers":true,"name":"split test"}\r\n' +
    'INFO {"server_id":"x"}\r\n' +
    "PING\r\n" +
    "PONG\r\n" +
    "SUB foo.* 1\r\n" +
    "SUB foo.> workers 2\r\n" +
    pubFrame("foo.bar", null, "hello") +
    pubFrame("foo.bar", "_INBOX.r1", "") +
    pubFrame("foo.baz", null, "PUB foo 3\r\nabc\r\n\r\n") +
    hpubFrame("foo.h", null, HDR, "body\r\n") +
    hpubFrame("foo.h", "_INBOX.r2", "NATS/1.0\r\n\r\n", "") +
    "UNSUB 1\r\n" +
    "UNSUB 2 10\r\n" +
    "ping\n" +
    "sub\tq.x\t\tsid-3\r\n" +
    pubFrame("q.x", null, "\r\n"),
  "latin1",
);

const EXPECTED: ParsedEvent[] = [
  ["connect", '{"verbose":false,"headers":true,"name":"split test"}'],
  ["info", '{"server_id":"x"}'],
  ["ping"],
  ["pong"],
  ["sub", "foo.*", null, "1"],
  ["sub", "foo.>", "workers", "2"],
  ["pub", "foo.bar", null, "hello"],
  ["pub", "foo.bar", "_INBOX.r1", ""],
  ["pub", "foo.baz", null, "PUB foo 3\r\nabc\r\n\r\n"],
  ["hpub", "foo.h", null, HDR, "body\r\n"],
  ["hpub", "foo.h", "_INBOX.r2", "NATS/1.0\r\n\r\n", ""],
  ["unsub", "1", 0],
  ["unsub", "2", 10],
  ["ping"],
  ["sub", "q.x", null, "sid-3"],
  ["pub", "q.x", null, "\r\n"],
];

/** A small deterministic PRNG so a failing chunking can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("NatsParser split buffers", () => {
  it("parses the sample stream in one chunk", () => {
    expect(parseChunks([SAMPLE])).toEqual(EXPECTED);
  });

  it("parses identically when split at every byte position", () => {
    for (let i = 1; i < SAMPLE.length; i++) {
      const events = parseChunks(splitAt(SAMPLE, [i]));
      if (JSON.stringify(events) !== JSON.stringify(EXPECTED)) {
        expect(
          events,
          `split at byte ${i}: ${JSON.stringify(SAMPLE.subarray(i - 3, i + 3).toString())}`,
        ).toEqual(EXPECTED);
      }
    }
  });

  it("parses identically when split at every pair of byte positions", () => {
    for (let i = 1; i < SAMPLE.length; i += 1) {
      for (let j = i + 1; j < SAMPLE.length; j += 7) {
        const events = parseChunks(splitAt(SAMPLE, [i, j]));
        if (JSON.stringify(events) !== JSON.stringify(EXPECTED)) {
          expect(events, `split at bytes ${i} and ${j}`).toEqual(EXPECTED);
        }
      }
    }
  });

  it("parses identically when fed one byte at a time", () => {
    const bytes: Buffer[] = [];
    for (let i = 0; i < SAMPLE.length; i++) bytes.push(SAMPLE.subarray(i, i + 1));
    expect(parseChunks(bytes)).toEqual(EXPECTED);
  });

  it("parses identically under random chunkings", () => {
    const rnd = lcg(12345);
    for (let round = 0; round < 300; round++) {
      const offsets: number[] = [];
      let at = 0;
      for (;;) {
        at += 1 + Math.floor(rnd() * 24);
        if (at >= SAMPLE.length) break;
        offsets.push(at);
      }
      const events = parseChunks(splitAt(SAMPLE, offsets));
      if (JSON.stringify(events) !== JSON.stringify(EXPECTED)) {
        expect(events, `round ${round}, offsets ${offsets.join(",")}`).toEqual(EXPECTED);
      }
    }
  });

  it("reassembles a large payload that spans many chunks, and the stream continues after it", () => {
    const payload = Buffer.alloc(200_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const data = Buffer.concat([
      Buffer.from(`PUB big 7 ${payload.length}\r\n`),
      payload,
      Buffer.from("\r\nPING\r\n"),
    ]);
    const offsets: number[] = [];
    for (let o = 5; o < data.length; o += 16_384) offsets.push(o);
    expect(parseChunks(splitAt(data, offsets))).toEqual([
      ["pub", "big", "7", payload.toString("latin1")],
      ["ping"],
    ]);
  });
});

// MSG/HMSG framing of deliveries: the bytes written for literal subscriptions (pre-encoded line start),
// wildcard subscriptions, headers, replies, UTF-8 subjects and payloads queued by reference.

import { describe, expect, it } from "vitest";
import { lineStartOf, type MsgTarget, writeMsg } from "../../../../src/protocols/nats/msg-encoder.js";
import { OutboundBuffer } from "../../../../src/util/outbound-buffer.js";

function target(subject: string, sid: string): MsgTarget {
  return { subject, sidBytes: Buffer.from(sid, "utf8"), lineStart: lineStartOf(subject, sid) };
}

function encode(
  subject: string,
  t: MsgTarget,
  reply: string | null,
  headers: string | null,
  payload: Buffer | string,
): { bytes: string; size: number } {
  const out = new OutboundBuffer();
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const size = writeMsg(out, subject, t, reply, headers === null ? null : Buffer.from(headers), body);
  return { bytes: Buffer.concat(out.take()).toString("utf8"), size };
}

describe("writeMsg", () => {
  it("pre-encodes the line start of literal subscriptions only", () => {
    expect(lineStartOf("foo.bar", "7")?.toString()).toBe("foo.bar 7 ");
    expect(lineStartOf("foo.*", "7")).toBeNull();
    expect(lineStartOf("foo.>", "7")).toBeNull();
    // '*' inside a token is a literal character, not a wildcard.
    expect(lineStartOf("foo*", "7")?.toString()).toBe("foo* 7 ");
  });

  it("frames MSG for a literal subscription, with and without reply", () => {
    const t = target("foo.bar", "7");
    expect(encode("foo.bar", t, null, null, "hello")).toEqual({
      bytes: "MSG foo.bar 7 5\r\nhello\r\n",
      size: 5,
    });
    expect(encode("foo.bar", t, "_INBOX.1", null, "")).toEqual({
      bytes: "MSG foo.bar 7 _INBOX.1 0\r\n\r\n",
      size: 0,
    });
  });

  it("writes the delivered subject for wildcard subscriptions and when it differs from the subscribed one", () => {
    expect(encode("foo.baz", target("foo.*", "12"), null, null, "x").bytes).toBe("MSG foo.baz 12 1\r\nx\r\n");
    // A literal target given another subject (e.g. a mapped delivery) must not reuse its pre-encoded line.
    expect(encode("other.sub", target("foo.bar", "3"), null, null, "x").bytes).toBe(
      "MSG other.sub 3 1\r\nx\r\n",
    );
  });

  it("frames HMSG with header and total sizes", () => {
    const hdr = "NATS/1.0\r\nA: 1\r\n\r\n";
    expect(encode("foo.bar", target("foo.bar", "7"), "r", hdr, "hi")).toEqual({
      bytes: `HMSG foo.bar 7 r 18 20\r\n${hdr}hi\r\n`,
      size: 20,
    });
    expect(encode("a.b", target("a.*", "1"), null, hdr, "").bytes).toBe(`HMSG a.b 1 18 18\r\n${hdr}\r\n`);
  });

  it("encodes UTF-8 subjects and sids on both paths", () => {
    const subject = "caf\u00e9.\u00fc";
    expect(encode(subject, target(subject, "s\u00e9"), null, null, "x").bytes).toBe(
      `MSG ${subject} s\u00e9 1\r\nx\r\n`,
    );
    expect(encode(subject, target("caf\u00e9.*", "9"), null, null, "x").bytes).toBe(
      `MSG ${subject} 9 1\r\nx\r\n`,
    );
  });

  it("queues large payloads by reference and still frames them", () => {
    const payload = Buffer.alloc(64 * 1024, 0x61);
    const { bytes, size } = encode("big", target("big", "1"), null, null, payload);
    expect(size).toBe(payload.length);
    expect(bytes).toBe(`MSG big 1 65536\r\n${"a".repeat(65536)}\r\n`);
  });
});

// Every client operation of the NATS protocol through the byte parser, in the spellings nats-server 2.9.10
// accepts (server/parser.go): any letter case, spaces or tabs between arguments, CRLF or bare LF line ends.

import { describe, expect, it } from "vitest";
import { hpubFrame, parseChunks, pubFrame } from "../../../helpers/parser-recorder.js";

describe("NatsParser operations", () => {
  it("parses PUB without and with a reply subject", () => {
    expect(parseChunks(["PUB foo 5\r\nhello\r\nPUB foo.bar _INBOX.x 3\r\nabc\r\n"])).toEqual([
      ["pub", "foo", null, "hello"],
      ["pub", "foo.bar", "_INBOX.x", "abc"],
    ]);
  });

  it("parses HPUB, splitting the header block from the payload", () => {
    const hdr = "NATS/1.0\r\nA: 1\r\n\r\n";
    expect(parseChunks([hpubFrame("foo", null, hdr, "hi"), hpubFrame("foo", "r.1", hdr, "")])).toEqual([
      ["hpub", "foo", null, hdr, "hi"],
      ["hpub", "foo", "r.1", hdr, ""],
    ]);
    // The sizes on the wire are the header length and the total length.
    expect(hpubFrame("foo", null, hdr, "hi")).toBe(`HPUB foo 18 20\r\n${hdr}hi\r\n`);
  });

  it("parses SUB without and with a queue group", () => {
    expect(parseChunks(["SUB foo.* 1\r\nSUB foo.> workers 22\r\n"])).toEqual([
      ["sub", "foo.*", null, "1"],
      ["sub", "foo.>", "workers", "22"],
    ]);
  });

  it("parses UNSUB without and with a max", () => {
    expect(parseChunks(["UNSUB 1\r\nUNSUB 22 10\r\n"])).toEqual([
      ["unsub", "1", 0],
      ["unsub", "22", 10],
    ]);
  });

  it("parses PING, PONG, CONNECT and INFO", () => {
    const connect = '{"verbose":false,"pedantic":false,"name":"a b","headers":true}';
    expect(parseChunks([`PING\r\nPONG\r\nCONNECT ${connect}\r\nINFO {"x":1}\r\n`])).toEqual([
      ["ping"],
      ["pong"],
      ["connect", connect],
      ["info", '{"x":1}'],
    ]);
  });

  it("accepts operations in any letter case", () => {
    const stream =
      "pub a 1\r\nx\r\nPuB b 1\r\ny\r\nhPuB c 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
      "sub a 1\r\nSuB a q 2\r\nunsub 1\r\nUnSuB 2 5\r\nping\r\nPiNg\r\npong\r\npOnG\r\n" +
      "connect {}\r\ncOnNeCt {}\r\ninfo {}\r\n";
    expect(parseChunks([stream])).toEqual([
      ["pub", "a", null, "x"],
      ["pub", "b", null, "y"],
      ["hpub", "c", null, "NATS/1.0\r\n\r\n", ""],
      ["sub", "a", null, "1"],
      ["sub", "a", "q", "2"],
      ["unsub", "1", 0],
      ["unsub", "2", 5],
      ["ping"],
      ["ping"],
      ["pong"],
      ["pong"],
      ["connect", "{}"],
      ["connect", "{}"],
      ["info", "{}"],
    ]);
  });

  it("accepts tabs and runs of spaces between arguments, and trailing whitespace", () => {
    const stream =
      "PUB\tfoo\t \t3  \r\nabc\r\n" +
      "PUB  foo   bar  3\t\r\nabc\r\n" +
      "HPUB \t foo \t 12 \t 13 \r\nNATS/1.0\r\n\r\nz\r\n" +
      "SUB\t\tfoo\t\tq\t\t7\r\n" +
      "UNSUB    7    3   \r\n" +
      "CONNECT \t {}\r\n";
    expect(parseChunks([stream])).toEqual([
      ["pub", "foo", null, "abc"],
      ["pub", "foo", "bar", "abc"],
      ["hpub", "foo", null, "NATS/1.0\r\n\r\n", "z"],
      ["sub", "foo", "q", "7"],
      ["unsub", "7", 3],
      ["connect", "{}"],
    ]);
  });

  it("accepts control lines ended by a bare LF (the payload still ends with CRLF)", () => {
    expect(parseChunks(["PING\nSUB foo 1\nPUB foo 2\nhi\r\nUNSUB 1\n"])).toEqual([
      ["ping"],
      ["sub", "foo", null, "1"],
      ["pub", "foo", null, "hi"],
      ["unsub", "1", 0],
    ]);
  });

  it("treats CRLF and protocol text inside a payload as data", () => {
    const tricky = "PUB foo 5\r\nhello\r\nPING\r\n\r\nSUB x 1\r\n";
    expect(parseChunks([pubFrame("foo", "r", tricky), "PING\r\n"])).toEqual([
      ["pub", "foo", "r", tricky],
      ["ping"],
    ]);
    const hdr = "NATS/1.0\r\nX: PUB a 1\r\n\r\n";
    expect(parseChunks([hpubFrame("foo", null, hdr, "\r\n\r\n"), "PONG\r\n"])).toEqual([
      ["hpub", "foo", null, hdr, "\r\n\r\n"],
      ["pong"],
    ]);
  });

  it("parses zero-length payloads", () => {
    expect(
      parseChunks(["PUB foo 0\r\n\r\nPUB foo r 0\r\n\r\nHPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"]),
    ).toEqual([
      ["pub", "foo", null, ""],
      ["pub", "foo", "r", ""],
      ["hpub", "foo", null, "NATS/1.0\r\n\r\n", ""],
      ["ping"],
    ]);
  });

  it("passes every byte value through a binary payload unchanged", () => {
    const all = Buffer.alloc(512);
    for (let i = 0; i < all.length; i++) all[i] = i & 0xff;
    const frame = Buffer.concat([Buffer.from("PUB bin 512\r\n"), all, Buffer.from("\r\n")]);
    expect(parseChunks([frame])).toEqual([["pub", "bin", null, all.toString("latin1")]]);
  });

  it("accepts a payload of exactly maxPayload bytes", () => {
    const limits = { maxControlLine: 4096, maxPayload: 100 };
    const payload = "p".repeat(100);
    expect(parseChunks([pubFrame("foo", null, payload)], limits)).toEqual([["pub", "foo", null, payload]]);
    const hdr = "NATS/1.0\r\n\r\n";
    const rest = "q".repeat(100 - hdr.length);
    expect(parseChunks([hpubFrame("foo", null, hdr, rest)], limits)).toEqual([
      ["hpub", "foo", null, hdr, rest],
    ]);
  });

  it("keeps UTF-8 subjects and sids intact", () => {
    expect(parseChunks([Buffer.from("SUB föö.бар 1\r\nPUB föö.бар 2\r\nhi\r\n", "utf8")])).toEqual([
      ["sub", "föö.бар", null, "1"],
      ["pub", "föö.бар", null, "hi"],
    ]);
  });

  // nats-server (server/parser.go OP_PING/OP_PONG) ignores whatever follows PING or PONG up to the newline,
  // and lets CONNECT and INFO be followed directly by their JSON.
  it("matches nats-server's leniency after PING/PONG and before CONNECT/INFO JSON", () => {
    expect(parseChunks(["PING x\r\nPINGX\r\nPONG junk\r\nCONNECT{}\r\nINFO{}\r\n"])).toEqual([
      ["ping"],
      ["ping"],
      ["pong"],
      ["connect", "{}"],
      ["info", "{}"],
    ]);
  });

  it("ignores +OK from a client, as nats-server does", () => {
    expect(parseChunks(["+OK\r\nPING\r\n"])).toEqual([["ping"]]);
  });

  it("decodes each PUB subject right when the per-connection last-subject cache hits and misses", () => {
    const long = `a.${"x".repeat(200)}`;
    const utf8 = "caf\u00e9.\u00fc";
    const stream =
      "PUB foo.bar 1\r\na\r\nPUB foo.bar 1\r\nb\r\nPUB foo.baz 1\r\nc\r\nHPUB foo.baz 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
      `PUB ${long} 1\r\nd\r\nPUB ${long} 1\r\ne\r\nPUB ${utf8} 1\r\nf\r\nPUB ${utf8} 1\r\ng\r\nPUB foo.bar 1\r\nh\r\n`;
    // Split at every byte too: the cache must not depend on where chunks end.
    const bytes = Buffer.from(stream, "utf8");
    const split = [...bytes].map((b) => Buffer.from([b]));
    const expected = [
      ["pub", "foo.bar", null, "a"],
      ["pub", "foo.bar", null, "b"],
      ["pub", "foo.baz", null, "c"],
      ["hpub", "foo.baz", null, "NATS/1.0\r\n\r\n", ""],
      ["pub", long, null, "d"],
      ["pub", long, null, "e"],
      ["pub", utf8, null, "f"],
      ["pub", utf8, null, "g"],
      ["pub", "foo.bar", null, "h"],
    ];
    expect(parseChunks([bytes])).toEqual(expected);
    expect(parseChunks(split)).toEqual(expected);
  });
});

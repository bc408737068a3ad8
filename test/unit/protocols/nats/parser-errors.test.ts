// Malformed input and limits in the NATS parser. Which error each case raises follows nats-server 2.9.10
// (server/parser.go, client.go processPub/processSub/processUnsub, util.go parseSize), checked on the wire.

import { describe, expect, it } from "vitest";
import { type NatsParser, ParseError } from "../../../../src/protocols/nats/parser.js";
import { type ParsedEvent, parseChunks, recordingParser } from "../../../helpers/parser-recorder.js";

const SMALL = { maxControlLine: 64, maxPayload: 1024 };

function errorOf(...chunks: string[]): ParsedEvent[] {
  return parseChunks(chunks, SMALL);
}

describe("NatsParser malformed lines", () => {
  it.each([
    ["an unknown operation", "FOO bar\r\n"],
    ["an operation with extra letters", "PUBX foo 1\r\n"],
    ["SUB glued to its newline", "SUB\r\n"],
    ["PUB glued to its newline", "PUB\r\n"],
    ["UNSUB glued to its newline", "UNSUB\r\n"],
    ["an empty line", "\r\n"],
    ["leading whitespace", "  PING\r\n"],
    ["a truncated operation name", "PIN\r\n"],
    ["MSG, which only servers send", "MSG foo 1 2\r\nhi\r\n"],
  ])("reports UnknownOp for %s", (_name, line) => {
    expect(errorOf(line, "PING\r\n")).toEqual([["error", ParseError.UnknownOp]]);
  });

  it("reports UnknownOp as soon as an operation cannot match, without waiting for a newline", () => {
    expect(errorOf("GET / HTTP/1.1")).toEqual([["error", ParseError.UnknownOp]]);
    expect(errorOf("PUX")).toEqual([["error", ParseError.UnknownOp]]);
    expect(errorOf("SUB")).toEqual([]);
  });

  it.each([
    ["no arguments", "PUB \r\n"],
    ["no size", "PUB foo\r\n"],
    ["too many arguments", "PUB foo a b 1\r\n"],
    ["a non-numeric size", "PUB foo abc\r\n"],
    ["a negative size", "PUB foo -1\r\n"],
    ["a size with a sign", "PUB foo +1\r\n"],
    ["a size of more than 9 digits", "PUB foo 0000000001\r\n"],
  ])("reports BadPubArgs for PUB with %s", (_name, line) => {
    expect(errorOf(line, "PING\r\n")).toEqual([["error", ParseError.BadPubArgs]]);
  });

  it.each([
    ["one size only", "HPUB foo 3\r\n"],
    ["a non-numeric header size", "HPUB foo x 3\r\n"],
    ["a header size larger than the total", "HPUB foo 5 3\r\n"],
    ["too many arguments", "HPUB foo a b 1 2\r\n"],
  ])("reports BadHPubArgs for HPUB with %s", (_name, line) => {
    expect(errorOf(line, "PING\r\n")).toEqual([["error", ParseError.BadHPubArgs]]);
  });

  it.each([
    ["no sid", "SUB foo\r\n"],
    ["too many arguments", "SUB foo q 1 x\r\n"],
    ["no arguments", "SUB \r\n"],
  ])("reports BadSubArgs for SUB with %s", (_name, line) => {
    expect(errorOf(line, "PING\r\n")).toEqual([["error", ParseError.BadSubArgs]]);
  });

  it.each([
    ["no sid", "UNSUB \r\n"],
    ["too many arguments", "UNSUB 1 2 3\r\n"],
  ])("reports BadUnsubArgs for UNSUB with %s", (_name, line) => {
    expect(errorOf(line, "PING\r\n")).toEqual([["error", ParseError.BadUnsubArgs]]);
  });

  it("treats a non-numeric UNSUB max as an immediate unsubscribe, like nats-server's parseSize of -1", () => {
    expect(errorOf("UNSUB 1 abc\r\nPING\r\n")).toEqual([["unsub", "1", 0], ["ping"]]);
  });

  it("reports BadPayloadEnd when the payload is longer than declared", () => {
    expect(errorOf("PUB foo 2\r\nabc\r\nPING\r\n")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\nab\n\nPING\r\n")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhix\r\n")).toEqual([
      ["error", ParseError.BadPayloadEnd],
    ]);
  });

  it("reports BadPayloadEnd when the extra payload bytes arrive in a later chunk", () => {
    expect(errorOf("PUB foo 2\r\nab", "c\r\n")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\nab\r", "X")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\na", "bPING\r\n")).toEqual([["error", ParseError.BadPayloadEnd]]);
  });

  it("reports BadPayloadEnd as soon as the byte after the payload is wrong, without waiting for more", () => {
    expect(errorOf("PUB foo 2\r\nhi\n")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\nhiX")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\nhi\rX")).toEqual([["error", ParseError.BadPayloadEnd]]);
    expect(errorOf("PUB foo 2\r\nhi", "\r")).toEqual([]);
  });

  it("keeps events before an error and stops parsing after it", () => {
    expect(errorOf("PING\r\nSUB foo 1\r\nBAD\r\nPING\r\nSUB bar 2\r\n", "PONG\r\n")).toEqual([
      ["ping"],
      ["sub", "foo", null, "1"],
      ["error", ParseError.UnknownOp],
    ]);
  });

  it("reports a client's -ERR as ClientError (nats-server closes such a client)", () => {
    expect(errorOf("-ERR 'oops'\r\nPING\r\n")).toEqual([["error", ParseError.ClientError]]);
  });
});

describe("NatsParser before CONNECT on a server with auth", () => {
  // nats-server's OP_START: while auth is pending, any first byte other than C/c is an authorization violation.
  function authPending(...chunks: string[]): { events: ParsedEvent[]; parser: NatsParser } {
    const { parser, events } = recordingParser(SMALL);
    parser.connectRequired = true;
    for (const c of chunks) parser.parse(Buffer.from(c, "latin1"));
    return { events, parser };
  }

  it("reports NotAuthorized for any operation but CONNECT, at its first byte", () => {
    expect(authPending("PING\r\n").events).toEqual([["error", ParseError.NotAuthorized]]);
    expect(authPending("P").events).toEqual([["error", ParseError.NotAuthorized]]);
    expect(authPending("PUB foo 1000\r\n").events).toEqual([["error", ParseError.NotAuthorized]]);
    expect(authPending("garbage\r\n").events).toEqual([["error", ParseError.NotAuthorized]]);
  });

  it("parses CONNECT, split or not, and what follows once the connection clears the flag", () => {
    const { parser, events } = recordingParser(SMALL);
    parser.connectRequired = true;
    const handler = (parser as unknown as { handler: { onConnect(j: string): void } }).handler;
    const original = handler.onConnect;
    handler.onConnect = (json) => {
      original(json);
      parser.connectRequired = false;
    };
    parser.parse(Buffer.from("conn"));
    parser.parse(Buffer.from("ect {}\r\nPING\r\nSUB a 1\r\n"));
    expect(events).toEqual([["connect", "{}"], ["ping"], ["sub", "a", null, "1"]]);
  });

  it("still reports UnknownOp for a bad op starting with C", () => {
    expect(authPending("CONNEX {}\r\n").events).toEqual([["error", ParseError.UnknownOp]]);
  });
});

describe("NatsParser max control line", () => {
  // nats-server measures the arguments after the operation name (server/parser.go overMaxControlLineLimit).
  it("accepts arguments of exactly max_control_line bytes and rejects one more", () => {
    const atLimit = `${"a".repeat(62)} 1`;
    expect(atLimit.length).toBe(64);
    expect(errorOf(`PUB ${atLimit}\r\nx\r\n`)).toEqual([["pub", "a".repeat(62), null, "x"]]);
    expect(errorOf(`PUB a${atLimit}\r\nx\r\n`)).toEqual([["error", ParseError.MaxControlLine]]);
    expect(errorOf(`SUB ${"s".repeat(62)} 1\r\n`)).toEqual([["sub", "s".repeat(62), null, "1"]]);
    expect(errorOf(`SUB ${"s".repeat(63)} 1\r\n`)).toEqual([["error", ParseError.MaxControlLine]]);
  });

  it("rejects an over-long CONNECT", () => {
    expect(errorOf(`CONNECT {"name":"${"n".repeat(80)}"}\r\n`)).toEqual([
      ["error", ParseError.MaxControlLine],
    ]);
  });

  it("accepts a line at the limit even when it arrives in pieces", () => {
    const line = `SUB ${"s".repeat(62)} 1\r\n`;
    const bytes = [...line].map((c) => c);
    expect(errorOf(...bytes)).toEqual([["sub", "s".repeat(62), null, "1"]]);
  });

  it("rejects a split line as soon as it grows past the limit, before its newline arrives", () => {
    const { parser, events } = recordingParser(SMALL);
    const b30 = Buffer.from("b".repeat(30));
    parser.parse(Buffer.from(`SUB ${"b".repeat(30)}`));
    parser.parse(b30);
    expect(events).toEqual([]);
    parser.parse(b30);
    expect(events).toEqual([["error", ParseError.MaxControlLine]]);
  });

  it("rejects a long line that arrives without a newline in one chunk", () => {
    expect(errorOf(`SUB ${"x".repeat(200)}`)).toEqual([["error", ParseError.MaxControlLine]]);
  });

  it("bounds what it buffers for a PING that never ends", () => {
    const { parser, events } = recordingParser(SMALL);
    for (let i = 0; i < 100 && events.length === 0; i++) parser.parse(Buffer.from(`PING${"z".repeat(100)}`));
    expect(events).toEqual([["error", ParseError.MaxControlLine]]);
  });
});

describe("NatsParser max payload", () => {
  it("rejects PUB and HPUB sizes over max_payload before reading the payload", () => {
    expect(errorOf("PUB foo 1025\r\n")).toEqual([["error", ParseError.MaxPayload]]);
    expect(errorOf("PUB foo reply 2000\r\n")).toEqual([["error", ParseError.MaxPayload]]);
    expect(errorOf("HPUB foo 12 1025\r\n")).toEqual([["error", ParseError.MaxPayload]]);
  });

  it("accepts max_payload exactly", () => {
    const payload = "m".repeat(1024);
    expect(errorOf(`PUB foo 1024\r\n${payload}\r\n`)).toEqual([["pub", "foo", null, payload]]);
  });

  it("follows a limit changed on a live parser (config reload)", () => {
    const { parser, events } = recordingParser(SMALL);
    parser.limits = { maxControlLine: 64, maxPayload: 10 };
    parser.parse(Buffer.from("PUB foo 11\r\n"));
    expect(events).toEqual([["error", ParseError.MaxPayload]]);
  });
});

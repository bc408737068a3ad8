// The route protocol parser: every op of nats-server 2.9's route wire, frames split at any byte, garbage refused.

import { describe, expect, it } from "vitest";
import { type RoutedMsg, RouteParser, RouteProtocolError } from "../../../src/cluster/route-parser.js";

function record(): { events: string[]; msgs: RoutedMsg[]; parser: RouteParser } {
  const events: string[] = [];
  const msgs: RoutedMsg[] = [];
  const parser = new RouteParser({
    info: (j) => events.push(`INFO ${j}`),
    connect: (j) => events.push(`CONNECT ${j}`),
    ping: () => events.push("PING"),
    pong: () => events.push("PONG"),
    err: (t) => events.push(`ERR ${t}`),
    sub: (a, s, q, w) => events.push(`SUB ${a} ${s} ${q ?? "-"} ${w}`),
    unsub: (a, s, q) => events.push(`UNSUB ${a} ${s} ${q ?? "-"}`),
    msg: (m) => {
      msgs.push(m);
      events.push(
        `MSG ${m.account} ${m.subject} ${m.reply ?? "-"} ${m.queues?.join(",") ?? "-"} ${m.headers?.toString() ?? "-"}|${m.payload.toString()}`,
      );
    },
  });
  return { events, msgs, parser };
}

const WIRE =
  'INFO {"server_id":"S1"}\r\nCONNECT {"cluster":"c"}\r\nPING\r\nPONG\r\n+OK\r\n-ERR \'Stale Connection\'\r\n' +
  "RS+ $G foo.*\r\nRS+ $G work q 3\r\nRS- $G foo.*\r\nRS- $G work q\r\nLS+ hub $G leaf.x\r\n" +
  "RMSG $G a.b 5\r\nhello\r\nRMSG $G a.b _INBOX.1 2\r\nhi\r\nRMSG $G a.b + _INBOX.2 q1 q2 3\r\nabc\r\n" +
  "RMSG $G a.b | q1 1\r\nz\r\nHMSG $G h.s r 12 14\r\nNATS/1.0\r\n\r\nok\r\nLMSG hub $G l.s 0 2\r\nlm\r\n";

const EXPECTED = [
  'INFO {"server_id":"S1"}',
  'CONNECT {"cluster":"c"}',
  "PING",
  "PONG",
  "ERR Stale Connection",
  "SUB $G foo.* - 1",
  "SUB $G work q 3",
  "UNSUB $G foo.* -",
  "UNSUB $G work q",
  "SUB $G leaf.x - 1",
  "MSG $G a.b - - -|hello",
  "MSG $G a.b _INBOX.1 - -|hi",
  "MSG $G a.b _INBOX.2 q1,q2 -|abc",
  "MSG $G a.b - q1 -|z",
  "MSG $G h.s r - NATS/1.0\r\n\r\n|ok",
  "MSG $G l.s - - -|lm",
];

describe("route parser", () => {
  it("parses every route op in one chunk", () => {
    const { events, msgs } = (() => {
      const r = record();
      r.parser.parse(Buffer.from(WIRE));
      return r;
    })();
    expect(events).toEqual(EXPECTED);
    expect(msgs[5]!.origin).toBe("hub");
  });

  it("resumes a frame split at any byte", () => {
    const wire = Buffer.from(WIRE);
    for (let cut = 1; cut < wire.length; cut++) {
      const r = record();
      r.parser.parse(wire.subarray(0, cut));
      r.parser.parse(wire.subarray(cut));
      expect(r.events).toEqual(EXPECTED);
    }
  });

  it("refuses garbage, bad sizes and a payload without CRLF", () => {
    for (const bad of [
      "HELLO\r\n",
      "RMSG $G a.b x\r\n",
      "RS+ $G\r\n",
      "RMSG $G a.b ? q 1\r\n",
      "RMSG $G a 2\r\nabXY",
    ]) {
      const r = record();
      expect(() => r.parser.parse(Buffer.from(bad)), bad).toThrow(RouteProtocolError);
    }
  });
});

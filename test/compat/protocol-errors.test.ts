// Differential sessions for malformed and invalid client protocol: unknown ops, bad PUB/SUB/HPUB arguments,
// payload framing errors, invalid subjects (with and without pedantic) and the odd-but-accepted cases.

import { defineCompatSuite } from "./support/compat-suite.js";
import { alive, CONNECT, CONNECT_HEADERS, closed, err, ok, open, recv, send } from "./support/session.js";

const PEDANTIC = 'CONNECT {"verbose":false,"pedantic":true}\r\n';
const unknownOp = (name: string, line: string, connect = CONNECT) => ({
  name,
  steps: [send(connect), alive(), send(line), err("Unknown Protocol Operation"), closed()],
});
/** nats-server closes on these without telling the client why. alive() first proves the CONNECT was fine. */
const silentClose = (name: string, line: string, connect = CONNECT) => ({
  name,
  steps: [send(connect), alive(), send(line), closed()],
});
const invalidSub = (subject: string, connect = CONNECT) => ({
  name: `SUB ${subject} is an Invalid Subject, connection stays open (${connect.trim()})`,
  steps: [send(connect), send(`SUB ${subject} 1\r\n`), err("Invalid Subject"), alive()],
});

defineCompatSuite("protocol errors", [
  unknownOp("unknown op FOO", "FOO\r\n"),
  unknownOp("unknown op before CONNECT", "FOO\r\n", ""),
  unknownOp("empty line", "\r\n"),
  unknownOp("MSG is not a client op", "MSG foo 1 2\r\nhi\r\n"),
  unknownOp("PUB without a space", "PUB\r\n"),
  unknownOp("SUB without a space", "SUB\r\n"),
  unknownOp("UNSUB without a space", "UNSUB\r\n"),
  silentClose("-ERR from the client closes", "-ERR 'x'\r\n"),
  { name: "+OK from the client is ignored", steps: [send(CONNECT), send("+OK\r\n"), alive()] },
  { name: "INFO from the client is ignored", steps: [send(CONNECT), send("INFO {}\r\n"), alive()] },
  // ---- PUB / SUB / HPUB arguments ---------------------------------------------------------------------
  silentClose("PUB missing size", "PUB foo\r\n"),
  silentClose("PUB non-numeric size", "PUB foo abc\r\n"),
  silentClose("PUB negative size", "PUB foo -1\r\n"),
  silentClose("PUB too many arguments", "PUB foo bar baz 5\r\n"),
  silentClose("SUB missing sid", "SUB foo\r\n"),
  silentClose("SUB too many arguments", "SUB a b c d\r\n"),
  silentClose("SUB with a space and no arguments", "SUB \r\n"),
  silentClose("HPUB without headers:true in CONNECT", "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"),
  silentClose("HPUB before CONNECT", "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", ""),
  silentClose("HPUB header size larger than total", "HPUB foo 12 10\r\n", CONNECT_HEADERS),
  silentClose("HPUB missing total size", "HPUB foo 4\r\n", CONNECT_HEADERS),
  // ---- payload framing ----------------------------------------------------------------------------------
  unknownOp("payload longer than declared", "PUB foo 2\r\nhello\r\n"),
  unknownOp("payload one byte longer than declared", "PUB foo 2\r\nhel\r\n"),
  {
    name: "payload shorter than declared runs into the next line",
    steps: [
      send(CONNECT),
      send("PUB foo 5\r\nhi\r\n"),
      send("PING\r\n"),
      err("Unknown Protocol Operation"),
      closed(),
    ],
  },
  {
    name: "payload that is not followed by CRLF is not delivered",
    steps: [
      open(1),
      send(`${CONNECT}SUB foo 1\r\n`, 1),
      alive(1),
      send(`${CONNECT}PUB foo 2\r\nhello\r\n`),
      err("Unknown Protocol Operation"),
      closed(),
      alive(1),
    ],
  },
  // ---- subjects ---------------------------------------------------------------------------------------
  invalidSub("foo..bar"),
  invalidSub("foo.>.bar"),
  invalidSub(".foo"),
  invalidSub("foo."),
  invalidSub("foo..bar", PEDANTIC),
  {
    name: "Invalid Subject with verbose gets no +OK",
    steps: [send("CONNECT {}\r\n"), ok(), send("SUB foo..bar 1\r\n"), err("Invalid Subject"), alive()],
  },
  {
    name: "wildcard characters inside a token are literal",
    steps: [
      send(CONNECT),
      send("SUB foo* 3\r\nSUB foo.*bar 4\r\n"),
      send("PUB foo* 1\r\na\r\nPUB foo.*bar 1\r\nb\r\n"),
      recv("MSG foo* 3 1\r\na\r\nMSG foo.*bar 4 1\r\nb\r\n"),
      alive(),
    ],
  },
  {
    name: "PUB to a wildcard subject, pedantic (the default): -ERR but still delivered",
    steps: [
      send('CONNECT {"verbose":false}\r\nSUB > 1\r\n'),
      send("PUB foo.* 1\r\nx\r\n"),
      recv("-ERR 'Invalid Publish Subject'\r\nMSG foo.* 1 1\r\nx\r\n"),
      send("PUB foo.> 1\r\ny\r\n"),
      recv("-ERR 'Invalid Publish Subject'\r\nMSG foo.> 1 1\r\ny\r\n"),
      alive(),
    ],
  },
  {
    name: "PUB to a wildcard subject, pedantic and verbose: -ERR, +OK, MSG",
    steps: [
      send("CONNECT {}\r\nSUB > 1\r\n"),
      recv("+OK\r\n+OK\r\n"),
      send("PUB foo.* 1\r\nx\r\n"),
      recv("-ERR 'Invalid Publish Subject'\r\n+OK\r\nMSG foo.* 1 1\r\nx\r\n"),
      send("PUB foo..bar 1\r\nx\r\n"),
      recv("-ERR 'Invalid Publish Subject'\r\n+OK\r\n"),
      alive(),
    ],
  },
  {
    name: "PUB to a wildcard subject without pedantic: delivered, no error",
    steps: [
      send(`${CONNECT}SUB > 1\r\n`),
      send("PUB foo.* 1\r\nx\r\nPUB foo.> 1\r\ny\r\n"),
      recv("MSG foo.* 1 1\r\nx\r\nMSG foo.> 1 1\r\ny\r\n"),
      alive(),
    ],
  },
  {
    name: "PUB to foo..bar and .foo, pedantic: -ERR, not delivered",
    steps: [
      send(`${PEDANTIC}SUB > 1\r\n`),
      send("PUB foo..bar 1\r\nx\r\n"),
      err("Invalid Publish Subject"),
      send("PUB .foo 1\r\nx\r\n"),
      err("Invalid Publish Subject"),
      alive(),
    ],
  },
  {
    name: "PUB to foo..bar without pedantic: no error, not delivered",
    steps: [send(`${CONNECT}SUB > 1\r\n`), send("PUB foo..bar 1\r\nx\r\n"), alive()],
  },
  {
    name: "reply subjects are not checked",
    steps: [
      send(`${CONNECT}SUB foo 1\r\n`),
      send("PUB foo r.* 1\r\nx\r\nPUB foo r..x 1\r\ny\r\n"),
      recv("MSG foo 1 r.* 1\r\nx\r\nMSG foo 1 r..x 1\r\ny\r\n"),
      alive(),
    ],
  },
  {
    name: "queue group names are not checked",
    steps: [send(CONNECT), send("SUB foo q.* 1\r\nSUB bar q..r 2\r\n"), alive()],
  },
  // ---- UNSUB --------------------------------------------------------------------------------------------
  {
    name: "UNSUB of an unknown sid is silent",
    steps: [send(CONNECT), send("UNSUB 99\r\nUNSUB 98 5\r\n"), alive()],
  },
  {
    name: "UNSUB of an unknown sid gets +OK when verbose",
    steps: [send("CONNECT {}\r\n"), ok(), send("UNSUB 99\r\n"), ok(), alive()],
  },
  {
    name: "UNSUB with a non-numeric max is accepted",
    steps: [send(CONNECT), send("UNSUB 1 x\r\n"), alive()],
  },
  {
    name: "SUB reusing a sid is ignored: the first subscription stays",
    steps: [
      send(CONNECT),
      send("SUB foo 1\r\nSUB bar 1\r\n"),
      send("PUB foo 1\r\na\r\nPUB bar 1\r\nb\r\n"),
      recv("MSG foo 1 1\r\na\r\n"),
      alive(),
    ],
  },
]);

// Differential sessions for how leniently protocol lines are parsed: op case, tabs, runs of spaces, bare LF,
// and a whole session delivered one byte per write.

import { defineCompatSuite } from "./support/compat-suite.js";
import { alive, CONNECT, closed, err, recv, send, sendBytewise } from "./support/session.js";

const VERBOSE_HEADERS = 'CONNECT {"verbose":true,"pedantic":true,"headers":true}\r\n';
const WHOLE_SESSION = `${VERBOSE_HEADERS}SUB foo 1\r\nPUB foo r 2\r\nhi\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1\r\nPING\r\n`;
const WHOLE_SESSION_REPLY =
  "+OK\r\n+OK\r\n+OK\r\nMSG foo 1 r 2\r\nhi\r\n+OK\r\nHMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n+OK\r\nPONG\r\n";

defineCompatSuite("parsing", [
  {
    name: "ops are case-insensitive",
    steps: [
      send('connect {"verbose":false,"pedantic":false}\r\n'),
      send("sub foo 1\r\n"),
      send("Pub foo 2\r\nhi\r\n"),
      recv("MSG foo 1 2\r\nhi\r\n"),
      send("pUb foo r 2\r\nhi\r\n"),
      recv("MSG foo 1 r 2\r\nhi\r\n"),
      send("ping\r\nPing\r\n"),
      recv("PONG\r\nPONG\r\n"),
      send("unsub 1\r\nPUB foo 1\r\nx\r\nPiNg\r\n"),
      recv("PONG\r\n"),
      send("pong\r\n"),
      alive(),
    ],
  },
  {
    name: "hpub and connect in lower case",
    steps: [
      send('connect {"verbose":false,"pedantic":false,"headers":true}\r\nsub foo 1\r\n'),
      send("hpub foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
      recv("HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPONG\r\n"),
    ],
  },
  {
    name: "tabs separate arguments",
    steps: [
      send('CONNECT\t{"verbose":false,"pedantic":false}\r\n'),
      send("SUB\tfoo\t1\r\n"),
      send("PUB\tfoo\treply\t2\r\nhi\r\n"),
      recv("MSG foo 1 reply 2\r\nhi\r\n"),
      alive(),
    ],
  },
  {
    name: "runs of spaces and trailing spaces are allowed",
    steps: [
      send('CONNECT   {"verbose":false,"pedantic":false}\r\n'),
      send("SUB   foo    q   1  \r\n"),
      send("PUB  foo   2   \r\nhi\r\n"),
      recv("MSG foo 1 2\r\nhi\r\n"),
      send("UNSUB   1   \r\n"),
      send("PUB foo 2\r\nhi\r\n"),
      alive(),
    ],
  },
  {
    name: "PING with a trailing space, PING and PONG ended by bare LF",
    steps: [
      send(CONNECT),
      send("PING \r\n"),
      recv("PONG\r\n"),
      send("PING\n"),
      recv("PONG\r\n"),
      send("PONG \r\n"),
      alive(),
    ],
  },
  {
    name: "control lines may end with bare LF",
    steps: [
      send('CONNECT {"verbose":false,"pedantic":false}\n'),
      send("SUB foo 1\n"),
      send("PUB foo 2\nhi\r\n"),
      recv("MSG foo 1 2\r\nhi\r\n"),
      alive(),
    ],
  },
  {
    name: "a payload must end with CRLF, not bare LF",
    steps: [send(CONNECT), send("PUB foo 2\nhi\n"), err("Unknown Protocol Operation"), closed()],
  },
  {
    name: "an empty payload",
    steps: [send(`${CONNECT}SUB foo 1\r\n`), send("PUB foo 0\r\n\r\n"), recv("MSG foo 1 0\r\n\r\n"), alive()],
  },
  {
    name: "a whole session in one write",
    steps: [send(WHOLE_SESSION), recv(WHOLE_SESSION_REPLY), alive()],
  },
  {
    name: "a whole session split at every byte",
    steps: [sendBytewise(WHOLE_SESSION), recv(WHOLE_SESSION_REPLY), alive()],
  },
  {
    name: "a payload containing CRLF and protocol text is opaque",
    steps: [
      send(`${CONNECT}SUB foo 1\r\n`),
      sendBytewise("PUB foo 13\r\nPING\r\nPUB x\r\n\r\n"),
      recv("MSG foo 1 13\r\nPING\r\nPUB x\r\n\r\n"),
      alive(),
    ],
  },
]);

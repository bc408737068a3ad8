// Differential sessions for what subscribers receive: MSG/HMSG framing, verbose +OK placement, headers to
// clients without header support, no_responders 503s, echo, queue groups and UNSUB with a max.

import { defineCompatSuite } from "./support/compat-suite.js";
import { alive, CONNECT, CONNECT_HEADERS, ok, open, recv, recvOnce, send } from "./support/session.js";

const NO_RESPONDERS = 'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\n';
const HDR = "NATS/1.0\r\nA: b\r\n\r\n"; // 18 bytes
const STATUS_503 = "HMSG _INBOX.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n";

defineCompatSuite("delivery", [
  {
    name: "MSG framing without and with reply",
    steps: [
      send(`${CONNECT}SUB foo.* 9\r\n`),
      send("PUB foo.a 5\r\nhello\r\nPUB foo.b inbox.1 3\r\nabc\r\n"),
      recv("MSG foo.a 9 5\r\nhello\r\nMSG foo.b 9 inbox.1 3\r\nabc\r\n"),
      alive(),
    ],
  },
  {
    name: "HMSG framing without and with reply",
    steps: [
      send(`${CONNECT_HEADERS}SUB foo 1\r\n`),
      send(`HPUB foo bar 18 20\r\n${HDR}hi\r\n`),
      recv(`HMSG foo 1 bar 18 20\r\n${HDR}hi\r\n`),
      send("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n"),
      recv("HMSG foo 1 12 12\r\nNATS/1.0\r\n\r\n\r\n"),
      alive(),
    ],
  },
  {
    name: "HPUB payload is not inspected (any header bytes are passed on)",
    steps: [
      send(`${CONNECT_HEADERS}SUB foo 1\r\n`),
      send("HPUB foo 4 6\r\nabcdhi\r\n"),
      recv("HMSG foo 1 4 6\r\nabcdhi\r\n"),
      alive(),
    ],
  },
  {
    name: "a subscriber without header support gets MSG with the headers stripped",
    steps: [
      open(1),
      send(`${CONNECT}SUB foo 1\r\n`, 1),
      alive(1),
      send(`${CONNECT_HEADERS}HPUB foo 18 20\r\n${HDR}hi\r\n`),
      alive(),
      recv("MSG foo 1 2\r\nhi\r\n", 1),
      alive(1),
    ],
  },
  {
    name: "verbose: +OK for CONNECT, SUB, PUB, HPUB, UNSUB; none for PING and PONG",
    steps: [
      send('CONNECT {"headers":true}\r\n'),
      ok(),
      send("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"),
      ok(),
      send("PUB foo 2\r\nhi\r\n"),
      ok(),
      send("SUB x 1\r\n"),
      ok(),
      send("UNSUB 1\r\n"),
      ok(),
      send("PONG\r\n"),
      alive(),
    ],
  },
  {
    name: "verbose: the PUB's +OK comes before the MSG it causes",
    steps: [
      send("CONNECT {}\r\nSUB foo 1\r\n"),
      recv("+OK\r\n+OK\r\n"),
      send("PUB foo 1\r\nx\r\n"),
      recv("+OK\r\nMSG foo 1 1\r\nx\r\n"),
      alive(),
    ],
  },
  {
    name: "no_responders: a request with no subscribers gets a 503 HMSG",
    steps: [
      send(NO_RESPONDERS),
      send("SUB _INBOX.x 7\r\nPUB svc _INBOX.x 2\r\nhi\r\n"),
      recv(STATUS_503),
      alive(),
    ],
  },
  {
    name: "no_responders: an HPUB request with no subscribers gets the same 503",
    steps: [
      send(NO_RESPONDERS),
      send(`SUB _INBOX.x 7\r\nHPUB svc _INBOX.x 18 20\r\n${HDR}hi\r\n`),
      recv(STATUS_503),
      alive(),
    ],
  },
  {
    name: "no_responders: no 503 without a reply subject",
    steps: [send(NO_RESPONDERS), send("SUB _INBOX.x 7\r\nPUB svc 2\r\nhi\r\n"), alive()],
  },
  {
    name: "no_responders: nothing without no_responders in CONNECT",
    steps: [send(CONNECT_HEADERS), send("SUB _INBOX.x 7\r\nPUB svc _INBOX.x 2\r\nhi\r\n"), alive()],
  },
  {
    name: "no_responders: a request with a subscriber gets no 503",
    steps: [
      send(NO_RESPONDERS),
      send("SUB svc 1\r\nSUB _INBOX.x 7\r\nPUB svc _INBOX.x 2\r\nhi\r\n"),
      recv("MSG svc 1 _INBOX.x 2\r\nhi\r\n"),
      alive(),
    ],
  },
  {
    name: "echo:false: own messages are not delivered, others' are",
    steps: [
      send('CONNECT {"verbose":false,"pedantic":false,"echo":false}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\n'),
      alive(),
      open(1),
      send(`${CONNECT}PUB foo 2\r\nyo\r\n`, 1),
      alive(1),
      recv("MSG foo 1 2\r\nyo\r\n"),
      alive(),
    ],
  },
  {
    name: "echo default: own messages are delivered",
    steps: [send(`${CONNECT}SUB foo 1\r\nPUB foo 2\r\nhi\r\n`), recv("MSG foo 1 2\r\nhi\r\n"), alive()],
  },
  {
    name: "a queue group delivers to one member",
    steps: [
      send(`${CONNECT}SUB foo q 1\r\n`),
      open(1),
      send(`${CONNECT}SUB foo q 1\r\n`, 1),
      alive(1),
      open(2),
      send(`${CONNECT}SUB foo 5\r\nPUB foo 2\r\nyo\r\n`, 2),
      recv("MSG foo 5 2\r\nyo\r\n", 2),
      alive(2),
      recvOnce("MSG foo 1 2\r\nyo\r\n", [0, 1]),
      send("PUB foo 2\r\nyo\r\n", 2),
      recv("MSG foo 5 2\r\nyo\r\n", 2),
      alive(2),
      recvOnce("MSG foo 1 2\r\nyo\r\n", [0, 1]),
    ],
  },
  {
    name: "UNSUB with a max delivers that many",
    steps: [
      send(`${CONNECT}SUB foo 1\r\nUNSUB 1 2\r\n`),
      send("PUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\n"),
      recv("MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\n"),
      send("UNSUB 1\r\n"),
      alive(),
    ],
  },
  {
    name: "UNSUB with a max already reached removes the subscription at once",
    steps: [
      send(`${CONNECT}SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\n`),
      recv("MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\n"),
      send("UNSUB 1 1\r\n"),
      send("PUB foo 1\r\nc\r\n"),
      alive(),
    ],
  },
]);

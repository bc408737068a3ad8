// Differential sessions for server limits: max_payload, max_control_line, max_subscriptions, max_connections
// and stale-connection detection (ping_interval / ping_max).

import { defineCompatSuite } from "./support/compat-suite.js";
import { alive, CONNECT, CONNECT_HEADERS, closed, err, ok, open, recv, send } from "./support/session.js";

const A = (n: number) => "a".repeat(n);
/** Fits in max_control_line 32; verbose and pedantic stay on, so +OK follows. */
const SHORT_CONNECT = "CONNECT {}\r\n";
/** Fine for the first PING (due after ~1 s) and the stale check (~1 s later) on slow machines. */
const PING_WAIT = 8000;

defineCompatSuite("limits", [
  // ---- max_payload: 8 --------------------------------------------------------------------------------------
  {
    name: "max_payload: a payload of exactly max_payload is delivered",
    setup: "maxPayload8",
    steps: [
      send(`${CONNECT}SUB foo 1\r\n`),
      send("PUB foo 8\r\n12345678\r\n"),
      recv("MSG foo 1 8\r\n12345678\r\n"),
      alive(),
    ],
  },
  {
    name: "max_payload: one byte more is a Maximum Payload Violation",
    setup: "maxPayload8",
    steps: [send(CONNECT), send("PUB foo 9\r\n123456789\r\n"), err("Maximum Payload Violation"), closed()],
  },
  {
    name: "max_payload: checked on the PUB line, before the payload arrives",
    setup: "maxPayload8",
    steps: [send("CONNECT {}\r\n"), ok(), send("PUB foo 9\r\n"), err("Maximum Payload Violation"), closed()],
  },
  {
    name: "max_payload: HPUB counts headers and payload",
    setup: "maxPayload8",
    steps: [
      send(CONNECT_HEADERS),
      send("HPUB foo 4 9\r\nab\r\n12345\r\n"),
      err("Maximum Payload Violation"),
      closed(),
    ],
  },
  {
    name: "max_payload: HPUB of exactly max_payload is delivered",
    setup: "maxPayload8",
    steps: [
      send(`${CONNECT_HEADERS}SUB foo 1\r\n`),
      send("HPUB foo 4 8\r\nab\r\n1234\r\n"),
      recv("HMSG foo 1 4 8\r\nab\r\n1234\r\n"),
      alive(),
    ],
  },
  // ---- max_control_line: 32 (counts the bytes after "OP ", without CRLF; the usual CONNECT is too long) ----
  {
    name: "max_control_line: arguments of exactly the limit pass",
    setup: "maxControlLine32",
    steps: [send(SHORT_CONNECT), ok(), send(`SUB ${A(30)} 1\r\n`), ok(), alive()],
  },
  {
    name: "max_control_line: one byte over on SUB",
    setup: "maxControlLine32",
    steps: [
      send(SHORT_CONNECT),
      ok(),
      send(`SUB ${A(31)} 1\r\n`),
      err("maximum control line exceeded"),
      closed(),
    ],
  },
  {
    name: "max_control_line: one byte over on PUB",
    setup: "maxControlLine32",
    steps: [
      send(SHORT_CONNECT),
      ok(),
      send(`PUB ${A(31)} 1\r\nx\r\n`),
      err("maximum control line exceeded"),
      closed(),
    ],
  },
  {
    name: "max_control_line: a long line without CRLF yet",
    setup: "maxControlLine32",
    steps: [send(SHORT_CONNECT), ok(), send(`SUB ${A(45)}`), err("maximum control line exceeded"), closed()],
  },
  {
    name: "max_control_line: a long line split in two writes",
    setup: "maxControlLine32",
    steps: [
      send(SHORT_CONNECT),
      ok(),
      send(`SUB ${A(31)}`),
      send(" 1\r\n"),
      err("maximum control line exceeded"),
      closed(),
    ],
  },
  {
    name: "max_control_line: applies to CONNECT too",
    setup: "maxControlLine32",
    steps: [
      send(`CONNECT {"verbose":false,"name":"${A(40)}"}\r\n`),
      err("maximum control line exceeded"),
      closed(),
    ],
  },
  // ---- max_subscriptions: 2 -------------------------------------------------------------------------------
  {
    name: "max_subscriptions: the extra SUB is refused, the connection stays",
    setup: "maxSubs2",
    steps: [
      send(`${CONNECT}SUB a 1\r\nSUB b 2\r\n`),
      send("SUB c 3\r\n"),
      err("maximum subscriptions exceeded"),
      alive(),
      send("PUB c 1\r\nx\r\nPUB a 1\r\ny\r\n"),
      recv("MSG a 1 1\r\ny\r\n"),
      send("UNSUB 1\r\nSUB d 4\r\nPUB d 1\r\nz\r\n"),
      recv("MSG d 4 1\r\nz\r\n"),
      alive(),
    ],
  },
  {
    name: "max_subscriptions: verbose gets +OK for the allowed ones only",
    setup: "maxSubs2",
    steps: [
      send("CONNECT {}\r\nSUB a 1\r\nSUB b 2\r\n"),
      recv("+OK\r\n+OK\r\n+OK\r\n"),
      send("SUB c 3\r\n"),
      err("maximum subscriptions exceeded"),
      alive(),
    ],
  },
  // ---- max_connections: 1 --------------------------------------------------------------------------------
  {
    name: "max_connections: the extra connection gets INFO, -ERR and a close",
    setup: "maxConns1",
    steps: [send(CONNECT), alive(), open(1), err("maximum connections exceeded", 1), closed(1), alive()],
  },
  // ---- stale connections ---------------------------------------------------------------------------------
  {
    name: "ping_max 1: PING, then Stale Connection",
    setup: "stale",
    steps: [send(CONNECT), recv("PING\r\n", 0, PING_WAIT), err("Stale Connection", 0, PING_WAIT), closed()],
  },
  {
    name: "ping_max 1: also before CONNECT",
    setup: "stale",
    steps: [recv("PING\r\n", 0, PING_WAIT), err("Stale Connection", 0, PING_WAIT), closed()],
  },
  {
    name: "ping_max 2: two PINGs, then Stale Connection",
    setup: "stale2",
    steps: [
      send(CONNECT),
      recv("PING\r\n", 0, PING_WAIT),
      recv("PING\r\n", 0, PING_WAIT),
      err("Stale Connection", 0, PING_WAIT),
      closed(),
    ],
  },
  {
    name: "ping_max 1: answering each PING keeps the connection",
    setup: "stale",
    steps: [
      send(CONNECT),
      recv("PING\r\n", 0, PING_WAIT),
      send("PONG\r\n"),
      recv("PING\r\n", 0, PING_WAIT),
      send("PONG\r\n"),
      recv("PING\r\n", 0, PING_WAIT),
      err("Stale Connection", 0, PING_WAIT),
      closed(),
    ],
  },
]);

// Differential sessions for CONNECT: defaults, verbose/pedantic, malformed JSON, protocol and no_responders
// checks, authentication (user/password, token, timeout) and what is allowed before CONNECT.

import { defineCompatSuite } from "./support/compat-suite.js";
import { alive, CONNECT, closed, err, ok, recv, send } from "./support/session.js";

defineCompatSuite("CONNECT", [
  {
    name: "CONNECT {} turns verbose on: +OK",
    steps: [send("CONNECT {}\r\n"), ok(), alive()],
  },
  {
    name: 'CONNECT {"verbose":true} gets +OK, PING gets only PONG',
    steps: [send('CONNECT {"verbose":true}\r\n'), ok(), alive(), alive()],
  },
  { name: "CONNECT verbose:false sends nothing", steps: [send(CONNECT), alive()] },
  {
    name: "unknown CONNECT fields are ignored",
    steps: [send('CONNECT {"verbose":false,"foo":1,"bar":"x","baz":{"a":[1]}}\r\n'), alive()],
  },
  { name: "bad JSON closes without -ERR", steps: [send("CONNECT {bad\r\n"), closed()] },
  { name: "a JSON array closes without -ERR", steps: [send("CONNECT []\r\n"), closed()] },
  {
    name: "a wrongly typed field closes without -ERR",
    steps: [send('CONNECT {"verbose":"yes"}\r\n'), closed()],
  },
  { name: "CONNECT without arguments closes without -ERR", steps: [send("CONNECT\r\n"), closed()] },
  {
    name: "protocol 2 is refused",
    steps: [send('CONNECT {"protocol":2}\r\n'), err("invalid client protocol"), closed()],
  },
  {
    name: "protocol 1 is accepted",
    steps: [send('CONNECT {"verbose":true,"protocol":1}\r\n'), ok(), alive()],
  },
  {
    name: "no_responders without headers is refused",
    steps: [
      send('CONNECT {"verbose":false,"no_responders":true}\r\n'),
      err("no responders requires headers support"),
      closed(),
    ],
  },
  {
    name: "no_responders without headers is refused even when verbose (no +OK)",
    steps: [
      send('CONNECT {"verbose":true,"no_responders":true}\r\n'),
      err("no responders requires headers support"),
      closed(),
    ],
  },
  {
    name: "a second CONNECT replaces the options",
    steps: [send("CONNECT {}\r\n"), ok(), send(CONNECT), send("SUB foo 1\r\n"), alive()],
  },
  {
    name: "without auth, PING before CONNECT gets PONG",
    steps: [alive()],
  },
  {
    name: "without auth, SUB and PUB before CONNECT work with the verbose default",
    steps: [send("SUB foo 1\r\nPUB foo 1\r\nx\r\n"), recv("+OK\r\n+OK\r\nMSG foo 1 1\r\nx\r\n"), alive()],
  },
  // ---- user/password (authorization { user: alice, password: secret, timeout: 1 }) ----------------------
  {
    name: "user/pass: right credentials",
    setup: "userPass",
    steps: [send('CONNECT {"verbose":true,"user":"alice","pass":"secret"}\r\n'), ok(), alive()],
  },
  {
    name: "user/pass: wrong password",
    setup: "userPass",
    steps: [
      send('CONNECT {"verbose":false,"user":"alice","pass":"nope"}\r\n'),
      err("Authorization Violation"),
      closed(),
    ],
  },
  {
    name: "user/pass: wrong password with verbose gets no +OK",
    setup: "userPass",
    steps: [
      send('CONNECT {"verbose":true,"user":"alice","pass":"x"}\r\n'),
      err("Authorization Violation"),
      closed(),
    ],
  },
  {
    name: "user/pass: unknown user",
    setup: "userPass",
    steps: [
      send('CONNECT {"verbose":false,"user":"bob","pass":"secret"}\r\n'),
      err("Authorization Violation"),
      closed(),
    ],
  },
  {
    name: "user/pass: no credentials",
    setup: "userPass",
    steps: [send(CONNECT), err("Authorization Violation"), closed()],
  },
  {
    name: "user/pass: PING before CONNECT is an Authorization Violation",
    setup: "userPass",
    steps: [send("PING\r\n"), err("Authorization Violation"), closed()],
  },
  {
    name: "user/pass: SUB before CONNECT is an Authorization Violation",
    setup: "userPass",
    steps: [send("SUB foo 1\r\n"), err("Authorization Violation"), closed()],
  },
  {
    name: "user/pass: no CONNECT within the auth timeout",
    setup: "userPass",
    steps: [err("Authentication Timeout", 0, 10_000), closed()],
  },
  // ---- token --------------------------------------------------------------------------------------------
  {
    name: "token: right token",
    setup: "token",
    steps: [
      send('CONNECT {"verbose":true,"auth_token":"s3cr3t"}\r\nPING\r\n'),
      recv("+OK\r\nPONG\r\n"),
      alive(),
    ],
  },
  {
    name: "token: wrong token",
    setup: "token",
    steps: [send('CONNECT {"verbose":false,"auth_token":"x"}\r\n'), err("Authorization Violation"), closed()],
  },
  {
    name: "token: user/pass instead of a token",
    setup: "token",
    steps: [
      send('CONNECT {"verbose":false,"user":"s3cr3t","pass":"s3cr3t"}\r\n'),
      err("Authorization Violation"),
      closed(),
    ],
  },
]);

// Protocol errors, limits and timers on the raw wire: which -ERR text (if any) a misbehaving client gets
// and that natsgate closes it, as nats-server 2.9.10 does (texts and close rules recorded from it).

import { describe, expect, it } from "vitest";
import { useServer, waitUntil, withServer } from "../helpers/server.js";
import { openWire } from "../helpers/wire.js";

const QUIET = { verbose: false, pedantic: false };
const HQUIET = { ...QUIET, headers: true };

describe("parse errors", () => {
  const t = useServer({ maxControlLine: 64, maxPayload: 1024 });

  it("closes a client that sends garbage with -ERR 'Unknown Protocol Operation'; other clients carry on", async () => {
    const sub = await openWire(t, QUIET);
    sub.send("SUB news 1\r\n");
    await sub.sync();
    const bad = await openWire(t, QUIET);
    bad.send("GARBAGE here\r\n");
    expect(await bad.waitClosed()).toBe("-ERR 'Unknown Protocol Operation'\r\n");

    const pub = await openWire(t, QUIET);
    pub.send("PUB news 2\r\nok\r\n");
    await pub.sync();
    expect(await sub.sync()).toBe("MSG news 1 2\r\nok\r\n");
    expect(t.server.clients.size).toBe(2);
  });

  it("rejects garbage at once, without waiting for a newline", async () => {
    const bad = await openWire(t);
    bad.send("XYZ");
    expect(await bad.waitClosed()).toBe("-ERR 'Unknown Protocol Operation'\r\n");
  });

  it.each([
    ["a payload longer than declared", "PUB foo 2\r\nabc\r\n"],
    ["an empty line", "\r\n"],
    ["an operation with leading spaces", "  PING\r\n"],
  ])("sends -ERR 'Unknown Protocol Operation' and closes for %s", async (_name, data) => {
    const c = await openWire(t, QUIET);
    c.send(data);
    expect(await c.waitClosed()).toBe("-ERR 'Unknown Protocol Operation'\r\n");
  });

  it.each([
    ["PUB without a size", "PUB foo\r\n"],
    ["PUB with a non-numeric size", "PUB foo abc\r\n"],
    ["HPUB with the header size over the total", "HPUB foo 5 3\r\n"],
    ["SUB without a sid", "SUB foo\r\n"],
    ["UNSUB with three arguments", "UNSUB 1 2 3\r\n"],
    ["a -ERR from the client", "-ERR 'bye'\r\n"],
  ])("closes without an -ERR for %s", async (_name, data) => {
    const c = await openWire(t, HQUIET);
    c.send(data);
    expect(await c.waitClosed()).toBe("");
  });

  it("closes without an -ERR on CONNECT that is not JSON, and on HPUB from a client without headers", async () => {
    const a = await openWire(t);
    a.send("CONNECT {nope\r\n");
    expect(await a.waitClosed()).toBe("");
    const b = await openWire(t, QUIET);
    b.send("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n");
    expect(await b.waitClosed()).toBe("");
    const c = await openWire(t);
    c.send("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n");
    expect(await c.waitClosed()).toBe("");
  });

  it("sends -ERR 'maximum control line exceeded' for a long line, also one that arrives in pieces", async () => {
    const a = await openWire(t, QUIET);
    a.send(`SUB ${"a".repeat(70)} 1\r\n`);
    expect(await a.waitClosed()).toBe("-ERR 'maximum control line exceeded'\r\n");
    // Separate writes, none over the limit alone (the parser's unit tests pin the exact split points).
    const b = await openWire(t, QUIET);
    for (const piece of ["SUB ", "b".repeat(30), "b".repeat(30), "b".repeat(30)]) {
      b.send(piece);
      await new Promise((r) => setImmediate(r));
    }
    expect(await b.waitClosed()).toBe("-ERR 'maximum control line exceeded'\r\n");
  });

  it("accepts a control line whose arguments are exactly max_control_line long", async () => {
    const c = await openWire(t, QUIET);
    const subject = "s".repeat(62);
    c.send(`SUB ${subject} 1\r\nPUB ${subject} 1\r\nx\r\n`);
    expect(await c.sync()).toBe(`MSG ${subject} 1 1\r\nx\r\n`);
  });

  it("sends -ERR 'Maximum Payload Violation' for a payload over max_payload, before reading it", async () => {
    const c = await openWire(t, QUIET);
    c.send("PUB foo 1024\r\n");
    c.send(`${"x".repeat(1024)}\r\n`);
    expect(await c.sync()).toBe("");
    c.send("PUB foo 1025\r\n");
    expect(await c.waitClosed()).toBe("-ERR 'Maximum Payload Violation'\r\n");
  });

  it("sends -ERR 'no responders requires headers support' for no_responders without headers", async () => {
    const c = await openWire(t);
    c.send(`CONNECT ${JSON.stringify({ ...QUIET, no_responders: true })}\r\n`);
    expect(await c.waitClosed()).toBe("-ERR 'no responders requires headers support'\r\n");
  });
});

describe("limits", () => {
  it("sends -ERR 'maximum subscriptions exceeded' past max_subscriptions and keeps the connection", async () => {
    await withServer({ maxSubscriptions: 2 }, async (h) => {
      const c = await openWire(h, QUIET);
      c.send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPUB a 1\r\ny\r\n");
      expect(await c.sync()).toBe("-ERR 'maximum subscriptions exceeded'\r\nMSG a 1 1\r\ny\r\n");
      c.send("UNSUB 2\r\nSUB c 3\r\nPUB c 1\r\nz\r\n");
      expect(await c.sync()).toBe("MSG c 3 1\r\nz\r\n");
    });
  });

  it("greets the connection past max_connections with INFO, then -ERR 'maximum connections exceeded'", async () => {
    await withServer({ maxConnections: 2 }, async (h) => {
      const a = await openWire(h, QUIET);
      await openWire(h, QUIET);
      const c = await openWire(h);
      expect(c.info.server_id).toBeTypeOf("string");
      expect(await c.waitClosed()).toBe("-ERR 'maximum connections exceeded'\r\n");
      a.close();
      await a.waitClosed();
      // The freed slot is usable once the server has seen the close.
      await waitUntil(() => h.server.clients.size === 1, "the server to drop the closed client");
      const d = await openWire(h, QUIET);
      expect(await d.sync()).toBe("");
      expect(h.server.clients.size).toBe(2);
    });
  });
});

describe("timers", () => {
  it("closes a client that never answers PING: PINGs, then -ERR 'Stale Connection'", async () => {
    await withServer({ pingInterval: 100, maxPingsOutstanding: 2 }, async (h) => {
      const c = await openWire(h, QUIET);
      expect(await c.waitClosed(3000)).toBe("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
    });
  });

  it("keeps a client that answers PINGs", async () => {
    // Three intervals of slack per answer, so a loaded test machine does not look like a stale client.
    await withServer({ pingInterval: 100, maxPingsOutstanding: 3 }, async (h) => {
      const c = await openWire(h, QUIET);
      for (let i = 0; i < 5; i++) {
        await c.expect("PING\r\n", 2000);
        c.send("PONG\r\n");
      }
      expect(c.isClosed).toBe(false);
      expect(await c.sync()).toBe("");
    });
  });

  it("closes a client that does not authenticate in time with -ERR 'Authentication Timeout'", async () => {
    await withServer({ authToken: "s3cret", authTimeout: 150 }, async (h) => {
      const c = await openWire(h);
      const started = Date.now();
      expect(await c.waitClosed(3000)).toBe("-ERR 'Authentication Timeout'\r\n");
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    });
  });

  it("does not time out a client that authenticated", async () => {
    await withServer({ authToken: "s3cret", authTimeout: 300, pingInterval: 60_000 }, async (h) => {
      const c = await openWire(h, { ...QUIET, auth_token: "s3cret" });
      // Outlive the auth timeout by a wide margin, checked by round trips all along.
      const until = Date.now() + 900;
      while (Date.now() < until) expect(await c.sync()).toBe("");
      expect(c.isClosed).toBe(false);
    });
  });

  it("rejects anything but CONNECT first with -ERR 'Authorization Violation' when auth is on", async () => {
    await withServer({ username: "u", password: "p" }, async (h) => {
      // A PUB is refused at its first byte: the server does not wait for (or buffer) its payload.
      for (const first of ["PING\r\n", "garbage\r\n", "PUB foo 100000\r\n", "SUB foo 1\r\n"]) {
        const c = await openWire(h);
        c.send(first);
        expect(await c.waitClosed()).toBe("-ERR 'Authorization Violation'\r\n");
      }
    });
  });
});

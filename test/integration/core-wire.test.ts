// The exact bytes natsgate puts on the wire for a raw client: INFO, +OK, PONG, MSG and HMSG, compared with what
// nats-server 2.9.10 sends for the same input (recorded from it; see REFERENCES.md).

import { describe, expect, it } from "vitest";
import { useServer, withServer } from "../helpers/server.js";
import { openWire } from "../helpers/wire.js";

const QUIET = { verbose: false, pedantic: false };
const HQUIET = { verbose: false, pedantic: false, headers: true };
const HDR = "NATS/1.0\r\nA: b\r\n\r\n"; // 18 bytes

describe("INFO", () => {
  const t = useServer({ maxPayload: 65536 });

  it("greets with nats-server's fields, one client_id per connection, no auth_required without auth", async () => {
    const a = await openWire(t);
    const b = await openWire(t);
    expect(a.infoLine).toMatch(/^INFO \{.*\} \r\n$/);
    const info = a.info;
    expect(info.server_id).toMatch(/^N[A-Z2-7]{55}$/);
    expect(info.server_name).toBe(info.server_id);
    expect(info.version).toBe("2.9.10");
    expect(info.proto).toBe(1);
    expect(info.host).toBe("127.0.0.1");
    expect(info.port).toBe(t.port);
    expect(info.headers).toBe(true);
    expect(info.max_payload).toBe(65536);
    expect(info.client_ip).toBe("127.0.0.1");
    expect(typeof info.client_id).toBe("number");
    expect(b.info.client_id).not.toBe(info.client_id);
    expect(b.info.server_id).toBe(info.server_id);
    expect("auth_required" in info).toBe(false);
    expect(Object.keys(info).slice(0, 4)).toEqual(["server_id", "server_name", "version", "proto"]);
  });

  it("says auth_required when a user or token is configured", async () => {
    for (const opts of [{ username: "u", password: "p" }, { authToken: "tok" }]) {
      await withServer(opts, async (h) => {
        const c = await openWire(h);
        expect(c.info.auth_required).toBe(true);
      });
    }
  });

  it("uses the configured server name", async () => {
    await withServer({ serverName: "edge-1" }, async (h) => {
      expect((await openWire(h)).info.server_name).toBe("edge-1");
    });
  });
});

describe("control replies", () => {
  const t = useServer();

  it("answers PING with PONG before and after CONNECT", async () => {
    const c = await openWire(t);
    expect(await c.sync()).toBe("");
    c.send('CONNECT {"verbose":false}\r\nPING\r\nPING\r\n');
    expect(await c.expect("PONG\r\nPONG\r\n")).toBe("PONG\r\nPONG\r\n");
  });

  it("sends +OK after CONNECT, SUB, PUB and UNSUB when verbose, and +OK before the MSG it caused", async () => {
    const c = await openWire(t);
    c.send('CONNECT {"verbose":true}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\nUNSUB 99\r\n');
    expect(await c.sync()).toBe("+OK\r\n+OK\r\n+OK\r\nMSG foo 1 2\r\nhi\r\n+OK\r\n+OK\r\n");
  });

  it("treats an empty CONNECT as verbose and pedantic", async () => {
    const c = await openWire(t);
    c.send("CONNECT {}\r\nSUB foo 1\r\nPUB foo.* 2\r\nhi\r\n");
    expect(await c.sync()).toBe("+OK\r\n+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\n");
  });

  it("pedantic: -ERR 'Invalid Publish Subject' for wildcard and malformed subjects, then delivers anyway", async () => {
    const c = await openWire(t, { verbose: false, pedantic: true });
    c.send("SUB > 1\r\nPUB foo.* 2\r\nhi\r\nPUB foo..bar 0\r\n\r\n");
    expect(await c.sync()).toBe(
      "-ERR 'Invalid Publish Subject'\r\nMSG foo.* 1 2\r\nhi\r\n-ERR 'Invalid Publish Subject'\r\n",
    );
    expect(c.isClosed).toBe(false);
  });

  it("not pedantic: no error for a wildcard publish subject", async () => {
    const c = await openWire(t, QUIET);
    c.send("SUB foo.* 1\r\nPUB foo.* 2\r\nhi\r\n");
    expect(await c.sync()).toBe("MSG foo.* 1 2\r\nhi\r\n");
  });

  it("-ERR 'Invalid Subject' for a bad SUB subject, connection kept", async () => {
    const c = await openWire(t, QUIET);
    c.send("SUB foo..bar 1\r\nSUB foo.>.x 2\r\nSUB ok 3\r\nPUB ok 1\r\nx\r\n");
    expect(await c.sync()).toBe("-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\nMSG ok 3 1\r\nx\r\n");
  });
});

describe("MSG and HMSG bytes", () => {
  const t = useServer();

  it("delivers MSG with and without reply, with the published subject for wildcard subscriptions", async () => {
    const sub = await openWire(t, QUIET);
    sub.send("SUB foo.* 1\r\nSUB foo.> q 2\r\nSUB foo.a 3\r\n");
    await sub.sync();
    const pub = await openWire(t, QUIET);
    pub.send("PUB foo.a 5\r\nhello\r\nPUB foo.a _INBOX.x 0\r\n\r\n");
    await pub.sync();
    const got = await sub.sync();
    const msgs = got.split(/(?=MSG )/);
    expect(msgs.slice(0, 3).sort()).toEqual([
      "MSG foo.a 1 5\r\nhello\r\n",
      "MSG foo.a 2 5\r\nhello\r\n",
      "MSG foo.a 3 5\r\nhello\r\n",
    ]);
    expect(msgs.slice(3).sort()).toEqual([
      "MSG foo.a 1 _INBOX.x 0\r\n\r\n",
      "MSG foo.a 2 _INBOX.x 0\r\n\r\n",
      "MSG foo.a 3 _INBOX.x 0\r\n\r\n",
    ]);
  });

  it("delivers HMSG to a subscriber that announced headers", async () => {
    const sub = await openWire(t, HQUIET);
    sub.send("SUB foo 1\r\n");
    await sub.sync();
    const pub = await openWire(t, HQUIET);
    pub.send(`HPUB foo 18 23\r\n${HDR}hello\r\nHPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n`);
    await pub.sync();
    expect(await sub.sync()).toBe(
      `HMSG foo 1 18 23\r\n${HDR}hello\r\nHMSG foo 1 r 12 12\r\nNATS/1.0\r\n\r\n\r\n`,
    );
  });

  it("strips headers for a subscriber without headers support, as nats-server does", async () => {
    const sub = await openWire(t, QUIET);
    sub.send("SUB foo 1\r\n");
    await sub.sync();
    const pub = await openWire(t, HQUIET);
    pub.send(`HPUB foo 18 23\r\n${HDR}hello\r\nHPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n`);
    await pub.sync();
    expect(await sub.sync()).toBe("MSG foo 1 5\r\nhello\r\nMSG foo 1 r 0\r\n\r\n");
  });

  it("delivers a large payload byte for byte", async () => {
    const payload = Buffer.alloc(100_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
    const sub = await openWire(t, HQUIET);
    sub.send("SUB big 9\r\n");
    await sub.sync();
    const pub = await openWire(t, HQUIET);
    pub.send(Buffer.concat([Buffer.from(`PUB big 100000\r\n`), payload, Buffer.from("\r\n")]));
    pub.send(
      Buffer.concat([Buffer.from(`HPUB big 12 100012\r\nNATS/1.0\r\n\r\n`), payload, Buffer.from("\r\n")]),
    );
    await pub.sync();
    const body = payload.toString("latin1");
    expect(await sub.sync()).toBe(
      `MSG big 9 100000\r\n${body}\r\nHMSG big 9 12 100012\r\nNATS/1.0\r\n\r\n${body}\r\n`,
    );
  });

  it("answers a request nobody listens to with a 503 HMSG when no_responders is on", async () => {
    const c = await openWire(t, { ...HQUIET, no_responders: true });
    c.send("SUB inbox 1\r\nPUB nobody inbox 2\r\nhi\r\n");
    expect(await c.sync()).toBe("HMSG inbox 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  });

  it("stops delivering after UNSUB with a max", async () => {
    const c = await openWire(t, QUIET);
    c.send("SUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\n");
    expect(await c.sync()).toBe("MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\n");
  });

  it("does not echo to the publisher with echo:false", async () => {
    const c = await openWire(t, { ...QUIET, echo: false });
    c.send("SUB foo 1\r\nPUB foo 1\r\na\r\n");
    expect(await c.sync()).toBe("");
  });
});

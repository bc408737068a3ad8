// Single-user and token authorization through nats.js and on the wire: good and bad credentials, the exact
// error text, and bcrypt-hashed secrets (nats-server treats secrets starting with "$2" as bcrypt).

import { AuthorizationError, connect } from "@nats-io/transport-node";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { type ServerHandle, withServer } from "../helpers/server.js";
import { openWire } from "../helpers/wire.js";

/** Connecting must fail with nats-server's 'Authorization Violation'. */
async function expectRejected(h: ServerHandle, creds: Record<string, string>): Promise<void> {
  const err = await connect({ servers: h.url, reconnect: false, ...creds }).then(
    async (nc) => {
      await nc.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthorizationError);
  expect((err as Error).message).toBe("Authorization Violation");
}

/** A connected client can publish and receive its own message. */
async function expectWorks(h: ServerHandle, creds: Record<string, string>): Promise<void> {
  const nc = await h.connect(creds);
  const sub = nc.subscribe("auth.check", { max: 1 });
  nc.publish("auth.check", "ok");
  for await (const m of sub) expect(m.string()).toBe("ok");
  expect(sub.getReceived()).toBe(1);
}

describe("user and password", () => {
  it("accepts the right credentials and rejects wrong or missing ones", async () => {
    await withServer({ username: "alice", password: "wonderland" }, async (h) => {
      await expectWorks(h, { user: "alice", pass: "wonderland" });
      await expectRejected(h, { user: "alice", pass: "wrong" });
      await expectRejected(h, { user: "bob", pass: "wonderland" });
      await expectRejected(h, {});
      expect(h.server.clients.size).toBe(1);
    });
  });

  it("sends -ERR 'Authorization Violation' and closes on bad credentials", async () => {
    await withServer({ username: "alice", password: "wonderland" }, async (h) => {
      const c = await openWire(h);
      c.send('CONNECT {"verbose":false,"user":"alice","pass":"nope"}\r\n');
      expect(await c.waitClosed()).toBe("-ERR 'Authorization Violation'\r\n");
      const ok = await openWire(h);
      ok.send('CONNECT {"verbose":true,"user":"alice","pass":"wonderland"}\r\n');
      expect(await ok.sync()).toBe("+OK\r\n");
    });
  });

  // nats-server's processConnect authenticates before it looks at protocol and no_responders.
  it("reports bad credentials before a bad protocol or no_responders without headers", async () => {
    await withServer({ username: "alice", password: "wonderland" }, async (h) => {
      for (const extra of ['"protocol":2', '"no_responders":true']) {
        const c = await openWire(h);
        c.send(`CONNECT {"verbose":false,"user":"alice","pass":"nope",${extra}}\r\n`);
        expect(await c.waitClosed()).toBe("-ERR 'Authorization Violation'\r\n");
      }
      const c = await openWire(h);
      c.send('CONNECT {"verbose":false,"user":"alice","pass":"wonderland","protocol":2}\r\n');
      expect(await c.waitClosed()).toBe("-ERR 'invalid client protocol'\r\n");
    });
  });

  it("accepts a bcrypt-hashed password, and not the hash itself as the password", async () => {
    const hash = bcrypt.hashSync("s3cret-pw", 4);
    expect(hash.startsWith("$2")).toBe(true);
    await withServer({ username: "carol", password: hash }, async (h) => {
      await expectWorks(h, { user: "carol", pass: "s3cret-pw" });
      await expectRejected(h, { user: "carol", pass: hash });
      await expectRejected(h, { user: "carol", pass: "s3cret-pW" });
    });
  });
});

describe("token", () => {
  it("accepts the right token and rejects a wrong or missing one", async () => {
    await withServer({ authToken: "t0ken" }, async (h) => {
      await expectWorks(h, { token: "t0ken" });
      await expectRejected(h, { token: "t0ke" });
      await expectRejected(h, { user: "t0ken", pass: "t0ken" });
      await expectRejected(h, {});
    });
  });

  it("accepts a bcrypt-hashed token", async () => {
    const hash = bcrypt.hashSync("bearer-42", 4);
    await withServer({ authToken: hash }, async (h) => {
      await expectWorks(h, { token: "bearer-42" });
      await expectRejected(h, { token: hash });
    });
  });

  it("sends -ERR 'Authorization Violation' on the wire for a bad token", async () => {
    await withServer({ authToken: "t0ken" }, async (h) => {
      const c = await openWire(h);
      c.send('CONNECT {"verbose":false,"auth_token":"bad"}\r\n');
      expect(await c.waitClosed()).toBe("-ERR 'Authorization Violation'\r\n");
    });
  });
});

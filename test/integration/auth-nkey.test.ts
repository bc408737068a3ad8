// nkey users with the official client's nkeyAuthenticator, and the raw signature cases.

import { createUser } from "@nats-io/nkeys";
import { AuthorizationError, connect, nkeyAuthenticator } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { nkeyFixture, runNkeyScript } from "../helpers/nkey-script.js";

describe("nkey authentication", () => {
  it("accepts the key's signature and refuses every other", async () => {
    const f = nkeyFixture();
    const server = await serverFromConfig(f.config);
    try {
      const out = await runNkeyScript(server.port, f);
      expect(out["nonce shape"]).toBe("string:15:true");
      expect(out.good).toBe(`-ERR 'Permissions Violation for Publish to "no"'\r\n`);
      expect(out["std base64 sig"]).toBe("ok");
      for (const k of [
        "wrong key",
        "unknown nkey",
        "missing sig",
        "tampered sig",
        "nonce of another connection",
      ])
        expect(out[k], k).toBe("closed: -ERR 'Authorization Violation'");
      expect(out["password user alongside"]).toBe("ok");
    } finally {
      await server.close();
    }
  });

  it("works with nats.js nkeyAuthenticator", async () => {
    const f = nkeyFixture();
    const server = await serverFromConfig(f.config);
    try {
      const servers = `127.0.0.1:${server.port}`;
      const nc = await connect({
        servers,
        authenticator: nkeyAuthenticator(f.user.getSeed()),
        reconnect: false,
      });
      const sub = nc.subscribe("ok.x", { max: 1 });
      nc.publish("ok.x", "signed");
      for await (const m of sub) expect(m.string()).toBe("signed");
      await nc.close();
      const err = await connect({
        servers,
        authenticator: nkeyAuthenticator(createUser().getSeed()),
        reconnect: false,
      }).then(
        (c) => c.close().then(() => null),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthorizationError);
    } finally {
      await server.close();
    }
  });
});

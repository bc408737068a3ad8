// Operator mode: user JWTs checked against preloaded account JWTs (signature, signing keys, expiry,
// revocations, nonce signature, bearer tokens, permissions), and nats.js with a .creds file.

import { AuthorizationError, connect, credsAuthenticator } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";
import { createUser, credsFile, type JwtFixture, jwtFixture, userJwt } from "../helpers/jwt-fixture.js";
import { runJwtScript } from "../helpers/jwt-script.js";
import { WireClient } from "../helpers/wire.js";

const VIOLATION = "closed: -ERR 'Authorization Violation'";

describe("operator mode with resolver MEMORY", () => {
  let f: JwtFixture;
  let server: NatsgateServer;
  beforeAll(async () => {
    f = jwtFixture();
    server = await serverFromConfig(f.config);
  });
  afterAll(async () => {
    await server?.close();
    f?.cleanup();
  });

  it("accepts valid user JWTs and refuses the rest", async () => {
    const out = await runJwtScript(server.port, f);
    expect(out.info).toBe("true:string");
    expect(out.good).toBe("ok");
    expect(out["signing key"]).toBe("ok");
    expect(out.bearer).toBe("ok");
    for (const k of [
      "expired",
      "tampered",
      "wrong nonce signer",
      "missing sig",
      "revoked",
      "unknown account",
      "signed by operator",
      "no jwt",
    ])
      expect(out[k], k).toBe(VIOLATION);
    expect(out.permissions).toBe(
      `-ERR 'Permissions Violation for Publish to "no"'\r\n-ERR 'Permissions Violation for Subscription to "secret"'\r\n`,
    );
  });

  it("binds the user to the account named by its JWT", async () => {
    const u = createUser();
    const creds = credsFile(userJwt(u, f.account), u.getSeed());
    const nc = await connect({
      servers: `127.0.0.1:${server.port}`,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      reconnect: false,
    });
    const sub = nc.subscribe("hello", { max: 1 });
    nc.publish("hello", "from creds");
    for await (const m of sub) expect(m.string()).toBe("from creds");
    const conn = [...server.clients.values()].find((c) => c.user === u.getPublicKey());
    expect(conn?.account?.name).toBe(f.account.getPublicKey());
    await nc.close();
  });

  it("closes the connection when the user JWT expires", async () => {
    const u = createUser();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const c = await WireClient.open(server.port);
    const sig = Buffer.from(u.sign(Buffer.from(String(c.info.nonce)))).toString("base64url");
    const jwt = userJwt(u, f.account, {}, { exp });
    c.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, jwt, sig })}\r\n`);
    expect(await c.sync()).toBe("");
    expect(await c.waitClosed(5000)).toBe("-ERR 'User Authentication Expired'\r\n");
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 1000);
  });

  it("refuses a .creds file whose seed does not match the JWT", async () => {
    const creds = credsFile(userJwt(createUser(), f.account), createUser().getSeed());
    const err = await connect({
      servers: `127.0.0.1:${server.port}`,
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      reconnect: false,
    }).then(
      (nc) => nc.close().then(() => null),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthorizationError);
  });
});

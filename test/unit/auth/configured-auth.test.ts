// ConfiguredAuthenticator: users, bcrypt, no_auth_user, token and single user, nkeys, and the timing
// guard that compares a hash for unknown users too.

import { createUser } from "@nats-io/nkeys";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { ConfiguredAuthenticator } from "../../../src/auth/configured-auth.js";
import { securityConfigFrom } from "../../../src/auth/security-config.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

const auth = (text: string) =>
  new ConfiguredAuthenticator(securityConfigFrom(optionsFromTree(parseConfig(text))));
const ctx = { kind: "client" as const, remoteAddress: "127.0.0.1" };

describe("ConfiguredAuthenticator", () => {
  it("checks users with plain and bcrypt passwords", () => {
    const hash = bcrypt.hashSync("pw2", 4);
    const a = auth(
      `authorization { users = [ { user: u1, password: pw1 }, { user: u2, password: "${hash}" } ] }`,
    );
    expect(a.required).toBe(true);
    expect(a.nonceRequired).toBe(false);
    expect(a.authenticate({ user: "u1", pass: "pw1" }, ctx)).toEqual({ account: "$G", user: "u1" });
    expect(a.authenticate({ user: "u2", pass: "pw2" }, ctx)?.user).toBe("u2");
    expect(a.authenticate({ user: "u2", pass: "pw1" }, ctx)).toBeNull();
    expect(a.authenticate({ user: "u3", pass: "pw1" }, ctx)).toBeNull();
    expect(a.authenticate({}, ctx)).toBeNull();
  });

  it("spends a bcrypt comparison on unknown users", () => {
    const hash = bcrypt.hashSync("pw", 8);
    const a = auth(`authorization { users = [ { user: u, password: "${hash}" } ] }`);
    a.authenticate({ user: "warm-up", pass: "x" }, ctx);
    const t0 = performance.now();
    a.authenticate({ user: "u", pass: "wrong" }, ctx);
    const known = performance.now() - t0;
    const t1 = performance.now();
    a.authenticate({ user: "nobody", pass: "wrong" }, ctx);
    const unknown = performance.now() - t1;
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it("uses no_auth_user for clients without credentials", () => {
    const a = auth(
      `no_auth_user: guest\nauthorization { users = [ { user: guest, password: g, permissions: { publish: "x" } } ] }`,
    );
    const id = a.authenticate({}, ctx);
    expect(id?.user).toBe("guest");
    expect(id?.permissions?.publishAllowed("x")).toBe(true);
    expect(id?.permissions?.publishAllowed("y")).toBe(false);
    expect(a.authenticate({ user: "guest", pass: "bad" }, ctx)).toBeNull();
    expect(a.identityForUser("guest")?.user).toBe("guest");
  });

  it("checks a token and a single user", () => {
    expect(auth("authorization { token: t }").authenticate({ authToken: "t" }, ctx)).toEqual({
      account: "$G",
    });
    expect(auth("authorization { token: t }").authenticate({ authToken: "u" }, ctx)).toBeNull();
    const single = auth("authorization { user: a, password: b }");
    expect(single.authenticate({ user: "a", pass: "b" }, ctx)?.user).toBe("a");
    expect(single.authenticate({ user: "x", pass: "b" }, ctx)).toBeNull();
  });

  it("needs the nonce signed by the nkey", () => {
    const kp = createUser();
    const a = auth(`authorization { users = [ { nkey: ${kp.getPublicKey()} } ] }`);
    expect(a.nonceRequired).toBe(true);
    const nonce = "abcdefghijklmno";
    const sig = Buffer.from(kp.sign(Buffer.from(nonce))).toString("base64url");
    expect(a.authenticate({ nkey: kp.getPublicKey(), sig }, { ...ctx, nonce })?.user).toBe(kp.getPublicKey());
    expect(a.authenticate({ nkey: kp.getPublicKey(), sig }, { ...ctx, nonce: "other-nonce-xyz" })).toBeNull();
  });

  it("honours allowed_connection_types", () => {
    const a = auth(
      'authorization { users = [ { user: m, password: m, allowed_connection_types: ["MQTT"] } ] }',
    );
    expect(a.authenticate({ user: "m", pass: "m" }, ctx)).toBeNull();
    expect(a.authenticate({ user: "m", pass: "m" }, { ...ctx, kind: "mqtt" })?.user).toBe("m");
    expect(() =>
      auth('authorization { users = [ { user: m, allowed_connection_types: ["CARRIER_PIGEON"] } ] }'),
    ).toThrow("invalid connection types");
  });
});

// Authenticator selection for WebSocket clients: the websocket block's authorization and no_auth_user
// override the server's (nats-server auth override), and a JWT cookie fills in a missing CONNECT jwt.

import { describe, expect, it } from "vitest";
import type { AuthContext, Authenticator, ConnectCredentials } from "../../../../src/auth/authenticator.js";
import { SimpleAuthenticator } from "../../../../src/auth/simple-auth.js";
import {
  hasAuthOverride,
  websocketAuthenticator,
  withCookieJwt,
} from "../../../../src/protocols/websocket/ws-auth.js";

const ctx: AuthContext = { kind: "websocket", remoteAddress: "127.0.0.1" };
const base = new SimpleAuthenticator({ token: "tcp" });

describe("websocketAuthenticator", () => {
  it("is the server's authenticator when the block has no auth", () => {
    expect(hasAuthOverride({ port: 0 })).toBe(false);
    expect(websocketAuthenticator(base, { port: 0 })).toBe(base);
  });

  it("checks the block's token and not the server's", () => {
    const a = websocketAuthenticator(base, { port: 0, token: "ws" });
    expect(a.required).toBe(true);
    expect(a.authenticate({ authToken: "ws" }, ctx)).toEqual({ account: "$G" });
    expect(a.authenticate({ authToken: "tcp" }, ctx)).toBeNull();
    expect(a.authenticate({}, ctx)).toBeNull();
  });

  it("checks the block's user and password", () => {
    const a = websocketAuthenticator(new SimpleAuthenticator({}), { port: 0, username: "u", password: "p" });
    expect(a.required).toBe(true);
    expect(a.authenticate({ user: "u", pass: "p" }, ctx)).toEqual({ account: "$G", user: "u" });
    expect(a.authenticate({ user: "u", pass: "x" }, ctx)).toBeNull();
  });

  it("signs a client without credentials in as no_auth_user from the server's user directory", () => {
    // Without a directory of users nobody can be no_auth_user; credentials have no users to match.
    const plain = websocketAuthenticator(base, { port: 0, noAuthUser: "guest" });
    expect(plain.authenticate({}, ctx)).toBeNull();
    expect(plain.authenticate({ authToken: "tcp" }, ctx)).toBeNull();
    const directory: Authenticator & { identityForUser(n: string): { account: string; user: string } } = {
      required: true,
      authenticate: (c: ConnectCredentials) => (c.user === "alice" ? { account: "A", user: "alice" } : null),
      identityForUser: (n: string) => ({ account: "ACC", user: n }),
    };
    const withDir = websocketAuthenticator(directory, { port: 0, noAuthUser: "bob" });
    expect(withDir.authenticate({}, ctx)).toEqual({ account: "ACC", user: "bob" });
    expect(withDir.authenticate({ user: "alice" }, ctx)).toEqual({ account: "A", user: "alice" });
  });
});

describe("withCookieJwt", () => {
  it("passes the cookie as jwt only when CONNECT has none", () => {
    const seen: (string | undefined)[] = [];
    const inner: Authenticator = {
      required: true,
      authenticate: (c) => {
        seen.push(c.jwt);
        return { account: "$G" };
      },
    };
    const a = withCookieJwt(inner, "cookie.jwt");
    expect(a.required).toBe(true);
    a.authenticate({}, ctx);
    a.authenticate({ jwt: "connect.jwt" }, ctx);
    expect(seen).toEqual(["cookie.jwt", "connect.jwt"]);
  });
});

// Users, bcrypt passwords, no_auth_user, default permissions and per-user publish/subscribe allow/deny
// (with queue entries, the wildcard delivery filter and allow_responses), asserted byte for byte.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { AUTH_MATRIX_CONFIG, runAuthMatrix } from "../helpers/auth-matrix.js";
import { serverFromConfig } from "../helpers/config-server.js";

const denyPub = (s: string) => `-ERR 'Permissions Violation for Publish to "${s}"'\r\n`;
const denySub = (s: string, q?: string) =>
  q === undefined
    ? `-ERR 'Permissions Violation for Subscription to "${s}"'\r\n`
    : `-ERR 'Permissions Violation for Subscription to "${s}" using queue "${q}"'\r\n`;

describe("authorization users and permissions", () => {
  let server: NatsgateServer;
  let out: Record<string, string>;
  beforeAll(async () => {
    server = await serverFromConfig(AUTH_MATRIX_CONFIG);
    out = await runAuthMatrix(server.port);
  });
  afterAll(async () => {
    await server.close();
  });

  it("logs users in with plain and bcrypt passwords and refuses bad ones", () => {
    expect(out["login alice good"]).toBe("ok");
    expect(out["login alice bad"]).toBe("closed: -ERR 'Authorization Violation'");
    expect(out["login unknown user"]).toBe("closed: -ERR 'Authorization Violation'");
    expect(out["login bob no pass"]).toBe("closed: -ERR 'Authorization Violation'");
    expect(out["login mqtt-only user over tcp"]).toBe("closed: -ERR 'Authorization Violation'");
    expect(out["login standard-only user over tcp"]).toBe("ok");
  });

  it("checks publish allow and deny lists, keeping the connection", () => {
    expect(out["alice pub foo.a"]).toBe("ok");
    expect(out["alice pub foo.secret.x"]).toBe(denyPub("foo.secret.x"));
    expect(out["alice pub bar.x"]).toBe("ok");
    expect(out["alice pub bar.x.y"]).toBe(denyPub("bar.x.y"));
    expect(out["alice pub baz"]).toBe(denyPub("baz"));
  });

  it("checks subscribe allow, deny and queue entries", () => {
    expect(out["alice sub foo.a"]).toBe("ok");
    expect(out["alice sub foo.private"]).toBe(denySub("foo.private"));
    expect(out["alice sub q.x"]).toBe(denySub("q.x"));
    expect(out["alice sub q.x workers"]).toBe("ok");
    expect(out["alice sub q.x other"]).toBe(denySub("q.x", "other"));
    expect(out["alice sub foo.*"]).toBe("ok");
  });

  it("filters denied subjects out of a wildcard subscription", () => {
    expect(out["alice wildcard delivery"]).toBe("MSG foo.ok 7 1\r\nk\r\n");
  });

  it("applies default permissions and no_auth_user", () => {
    expect(out["bob pub pub.default.x"]).toBe("ok");
    expect(out["bob pub other"]).toBe(denyPub("other"));
    expect(out["bob sub any.thing"]).toBe("ok");
    expect(out["anon pub nope.x"]).toBe(denyPub("nope.x"));
    expect(out["anon pub ok.x"]).toBe("ok");
  });

  it("lets a responder answer requests it received, within max", () => {
    expect(out["svc got request"]).toBe("MSG req.a 1 inbox.svc 1\r\nq\r\n");
    expect(out["svc reply 1"]).toBe("ok");
    expect(out["svc reply 2"]).toBe(denyPub("inbox.svc"));
    expect(out["svc reply unasked"]).toBe(denyPub("inbox.never"));
    expect(out["svc pub elsewhere"]).toBe(denyPub("foo"));
    expect(out["admin got replies svc"]).toBe("MSG inbox.svc 99 1\r\nr\r\n");
    expect(out["svc2 reply 2"]).toBe("ok");
    expect(out["svc2 reply 3"]).toBe(denyPub("inbox.svc2"));
    expect(out["admin got replies svc2"]).toBe("MSG inbox.svc2 99 1\r\nr\r\nMSG inbox.svc2 99 1\r\nr\r\n");
  });
});

// The `websocket { }` block mapped onto typed options with nats-server's keys and aliases.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/config-error.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

const load = (text: string) => optionsFromTree(parseConfig(text, { env: {}, file: "t.conf" }), "t.conf");

describe("websocket block", () => {
  it("maps every key", () => {
    const o = load(`websocket {
      listen: "127.0.0.1:8443"
      advertise: "ws.example:443"
      tls { cert_file: "c.pem", key_file: "k.pem", ca_file: "ca.pem", verify: true }
      same_origin: true
      allowed_origins: ["https://a.example", "http://b.example:8080"]
      compression: true
      handshake_timeout: "3s"
      authorization { user: wsu, password: wsp, timeout: 1.5 }
      no_auth_user: guest
      jwt_cookie: my_jwt
    }`);
    expect(o.websocket).toEqual({
      host: "127.0.0.1",
      port: 8443,
      advertise: "ws.example:443",
      tls: { certFile: "c.pem", keyFile: "k.pem", caFile: "ca.pem", verify: true },
      sameOrigin: true,
      allowedOrigins: ["https://a.example", "http://b.example:8080"],
      compression: true,
      handshakeTimeout: 3000,
      username: "wsu",
      password: "wsp",
      authTimeout: 1500,
      noAuthUser: "guest",
      jwtCookie: "my_jwt",
    });
    expect(o.unknownKeys).toEqual([]);
  });

  it("accepts nats-server's aliases (ws, net, compress, origin, authentication, token)", () => {
    const o = load(
      'ws { port: 9000, net: "::1", no_tls: true, compress: false, origin: "http://x", authentication { token: t } }',
    );
    expect(o.websocket).toMatchObject({
      host: "::1",
      port: 9000,
      noTls: true,
      compression: false,
      allowedOrigins: ["http://x"],
      token: "t",
    });
  });

  it("treats port -1 as random and port 0 (or none) as no listener", () => {
    expect(load("websocket { port: -1, no_tls: true }").websocket?.port).toBe(0);
    expect(load("websocket { port: 0, no_tls: true }").websocket).toBeUndefined();
    expect(load("websocket { no_tls: true }").websocket).toBeUndefined();
  });

  it("takes an integer handshake_timeout as seconds", () => {
    expect(
      load("websocket { port: 1, no_tls: true, handshake_timeout: 2 }").websocket?.handshakeTimeout,
    ).toBe(2000);
  });

  it("reports unknown keys inside the block and its sub-blocks", () => {
    const o = load("websocket { port: 1, no_tls: true, colour: red, authorization { users: [] } }");
    expect(o.unknownKeys).toEqual(["websocket.colour", "websocket.authorization.users"]);
  });

  it("fails on a tls block without cert_file or key_file, naming the key", () => {
    expect(() => load('websocket { port: 1, tls { cert_file: "c" } }')).toThrow(ConfigError);
    expect(() => load('websocket { port: 1, tls { cert_file: "c" } }')).toThrow(/websocket.tls/);
  });

  it("fails on a wrongly typed value", () => {
    expect(() => load("websocket { port: 1, same_origin: 3 }")).toThrow(/websocket.same_origin/);
    expect(() => load("websocket { port: 1, allowed_origins: [1] }")).toThrow(/allowed origins/);
    expect(() => load("websocket: 3")).toThrow(/Expected websocket to be a map/);
  });
});

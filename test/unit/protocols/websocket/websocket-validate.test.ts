// The websocket options nats-server refuses to start with (validateWebsocketOptions).

import { describe, expect, it } from "vitest";
import { resolveOptions, type WebsocketOptions } from "../../../../src/config/options.js";
import type { NatsConnectionContext } from "../../../../src/protocols/nats/connection.js";
import { validateWebsocketOptions } from "../../../../src/protocols/websocket/websocket.js";

function validate(ws: WebsocketOptions, extra: Record<string, unknown> = {}): void {
  const options = resolveOptions({ extra });
  const authenticator = {
    required: true,
    authenticate: () => null,
    identityForUser: (n: string) => (n === "known" ? { account: "$G", user: n } : null),
  };
  validateWebsocketOptions(ws, { options, authenticator } as unknown as NatsConnectionContext);
}

describe("validateWebsocketOptions", () => {
  it("requires tls unless no_tls", () => {
    expect(() => validate({ port: 1 })).toThrow("websocket requires TLS configuration");
    expect(() => validate({ port: 1, noTls: true })).not.toThrow();
    expect(() => validate({ port: 1, tls: { certFile: "c", keyFile: "k" } })).not.toThrow();
  });

  it("requires trusted operators or keys for jwt_cookie", () => {
    expect(() => validate({ port: 1, noTls: true, jwtCookie: "jwt" })).toThrow(
      'trusted operators or trusted keys configuration is required for JWT authentication via cookie "jwt"',
    );
    expect(() => validate({ port: 1, noTls: true, jwtCookie: "jwt" }, { operator: "op.jwt" })).not.toThrow();
  });

  it("refuses allowed origins it cannot parse", () => {
    expect(() => validate({ port: 1, noTls: true, allowedOrigins: ["app.example"] })).toThrow(
      /unable to parse allowed origin/,
    );
  });

  it("requires no_auth_user to be a configured user", () => {
    expect(() => validate({ port: 1, noTls: true, noAuthUser: "known" })).not.toThrow();
    expect(() => validate({ port: 1, noTls: true, noAuthUser: "ghost" })).toThrow(
      'no_auth_user: "ghost" not present as user in authorization block or account configuration',
    );
  });
});

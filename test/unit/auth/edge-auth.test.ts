// The edge login helper: MQTT credentials read as nats-server does, identity and permissions returned.

import { describe, expect, it } from "vitest";
import { ConfiguredAuthenticator } from "../../../src/auth/configured-auth.js";
import { authenticateEdge, mqttCredentials } from "../../../src/auth/edge-auth.js";
import { securityConfigFrom } from "../../../src/auth/security-config.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

const auth = (text: string) =>
  new ConfiguredAuthenticator(securityConfigFrom(optionsFromTree(parseConfig(text))));
const ctx = { kind: "mqtt" as const, remoteAddress: "127.0.0.1" };

describe("authenticateEdge", () => {
  it("returns the account and a permission checker for an MQTT user", () => {
    const a = auth(
      `accounts { A { users [ { user: dev, password: pw, permissions: { publish: "sensors.>" } } ] } }`,
    );
    const login = authenticateEdge(a, mqttCredentials("dev", "pw"), ctx);
    expect(login?.identity.account).toBe("A");
    expect(login?.permissions?.canPublish("sensors.t")).toBe(true);
    expect(login?.permissions?.canPublish("other")).toBe(false);
    expect(authenticateEdge(a, mqttCredentials("dev", "bad"), ctx)).toBeNull();
  });

  it("takes an MQTT password as the token", () => {
    const a = auth("authorization { token: s3cret }");
    expect(authenticateEdge(a, mqttCredentials(undefined, "s3cret"), ctx)?.permissions).toBeNull();
    expect(authenticateEdge(a, mqttCredentials("any", "s3cret"), ctx)).not.toBeNull();
    expect(authenticateEdge(a, mqttCredentials(undefined, "nope"), ctx)).toBeNull();
  });
});

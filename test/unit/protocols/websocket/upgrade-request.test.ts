// Which requests may upgrade and to what: nats-server's order of checks and statuses, MQTT by path or
// subprotocol, the cookie reader.

import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { OriginChecker } from "../../../../src/protocols/websocket/origin-check.js";
import { checkUpgradeRequest, upgradeKind } from "../../../../src/protocols/websocket/upgrade-request.js";
import { cookieValue } from "../../../../src/protocols/websocket/ws-listener.js";

function req(url: string, headers: Record<string, string>, method = "GET"): IncomingMessage {
  const lower: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  const raw: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    lower[k.toLowerCase()] = v;
    distinct[k.toLowerCase()] = [v];
    raw.push(k, v);
  }
  return {
    url,
    method,
    headers: lower,
    headersDistinct: distinct,
    rawHeaders: raw,
  } as unknown as IncomingMessage;
}

const good = {
  Host: "h",
  Upgrade: "websocket",
  Connection: "keep-alive, Upgrade",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version": "13",
};
const policy = (mqtt: boolean) => ({
  origins: new OriginChecker(false, []),
  tls: false,
  mqttEnabled: () => mqtt,
});
const none = Buffer.alloc(0);

describe("checkUpgradeRequest", () => {
  it("accepts a valid upgrade as NATS", () => {
    expect(checkUpgradeRequest(req("/", good), none, policy(false))).toEqual({ ok: true, kind: "nats" });
  });

  it("refuses in nats-server's order with its statuses", () => {
    const p = policy(false);
    expect(checkUpgradeRequest(req("/", good, "POST"), none, p)).toMatchObject({ status: 405 });
    const { Host: _h, ...noHost } = good;
    expect(checkUpgradeRequest(req("/", noHost), none, p)).toMatchObject({
      status: 400,
      reason: "'Host' missing in request",
    });
    expect(checkUpgradeRequest(req("/", { ...good, Upgrade: "h2c" }), none, p)).toMatchObject({
      status: 400,
    });
    expect(checkUpgradeRequest(req("/", { ...good, Connection: "close" }), none, p)).toMatchObject({
      reason: "invalid value for header 'Connection'",
    });
    const { "Sec-WebSocket-Key": _k, ...noKey } = good;
    expect(checkUpgradeRequest(req("/", noKey), none, p)).toMatchObject({ reason: "key missing" });
    expect(checkUpgradeRequest(req("/", { ...good, "Sec-WebSocket-Version": "8" }), none, p)).toMatchObject({
      reason: "invalid version",
    });
    expect(checkUpgradeRequest(req("/", good), Buffer.from("x"), p)).toMatchObject({
      status: 400,
      reason: "client sent data before handshake is complete",
    });
  });

  it("refuses an origin not allowed with 403", () => {
    const p = { ...policy(false), origins: new OriginChecker(false, ["http://ok.example"]) };
    expect(checkUpgradeRequest(req("/", { ...good, Origin: "http://bad.example" }), none, p)).toMatchObject({
      status: 403,
      reason: "origin not allowed: not in the allowed list",
    });
  });

  it("routes /mqtt, */mqtt and the mqtt subprotocol to MQTT, 404 when MQTT is off", () => {
    expect(upgradeKind(req("/mqtt", good))).toBe("mqtt");
    expect(upgradeKind(req("/proxy/mqtt?x=1", good))).toBe("mqtt");
    expect(upgradeKind(req("/", { ...good, "Sec-WebSocket-Protocol": "mqttv3.1, mqtt" }))).toBe("mqtt");
    expect(upgradeKind(req("/leafnode", good))).toBe("leafnode");
    expect(upgradeKind(req("/nats", good))).toBe("nats");
    expect(checkUpgradeRequest(req("/mqtt", good), none, policy(true))).toEqual({ ok: true, kind: "mqtt" });
    expect(checkUpgradeRequest(req("/mqtt", good), none, policy(false))).toMatchObject({ status: 404 });
    expect(checkUpgradeRequest(req("/leafnode", good), none, policy(true))).toMatchObject({ status: 404 });
  });
});

describe("cookieValue", () => {
  it("finds the named cookie, unquoted", () => {
    const r = req("/", { Cookie: 'a=1; jwt="eyJ.x.y"; b=2' });
    expect(cookieValue(r, "jwt")).toBe("eyJ.x.y");
    expect(cookieValue(r, "b")).toBe("2");
    expect(cookieValue(r, "c")).toBeNull();
    expect(cookieValue(r, undefined)).toBeNull();
  });
});

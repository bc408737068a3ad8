// Origin checks of the WebSocket upgrade against nats-server's rules: same origin by host and port,
// allowed origins by host with scheme and port, default ports per scheme, no Origin accepted.

import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { hostAndPort, OriginChecker } from "../../../../src/protocols/websocket/origin-check.js";

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe("hostAndPort", () => {
  it("splits like Go's net.SplitHostPort with scheme default ports", () => {
    expect(hostAndPort(false, "Example.COM")).toEqual({ host: "example.com", port: "80" });
    expect(hostAndPort(true, "example.com")).toEqual({ host: "example.com", port: "443" });
    expect(hostAndPort(false, "example.com:8080")).toEqual({ host: "example.com", port: "8080" });
    expect(hostAndPort(false, "[::1]:9")).toEqual({ host: "::1", port: "9" });
    expect(hostAndPort(true, "[::1]")).toEqual({ host: "::1", port: "443" });
    expect(hostAndPort(false, "::1")).toBeNull();
    expect(hostAndPort(false, "[::1")).toBeNull();
  });
});

describe("OriginChecker", () => {
  it("accepts everything when neither same_origin nor allowed_origins is set", () => {
    const c = new OriginChecker(false, []);
    expect(c.enabled).toBe(false);
    expect(c.check(req({ origin: "null", host: "h" }), false)).toBeNull();
  });

  it("accepts a request without Origin even when checking", () => {
    expect(new OriginChecker(true, []).check(req({ host: "h:1" }), false)).toBeNull();
  });

  it("compares host and port with the Host header for same_origin", () => {
    const c = new OriginChecker(true, []);
    expect(c.check(req({ origin: "http://h.example:8080", host: "H.example:8080" }), false)).toBeNull();
    expect(c.check(req({ origin: "http://h.example", host: "h.example:80" }), false)).toBeNull();
    expect(c.check(req({ origin: "https://h.example", host: "h.example" }), true)).toBeNull();
    expect(c.check(req({ origin: "http://h.example:8081", host: "h.example:8080" }), false)).toBe(
      "not same origin",
    );
    expect(c.check(req({ origin: "https://h.example", host: "h.example" }), false)).toBe("not same origin");
  });

  it("uses Sec-WebSocket-Origin when Origin is absent", () => {
    const c = new OriginChecker(true, []);
    expect(c.check(req({ "sec-websocket-origin": "http://x", host: "y" }), false)).toBe("not same origin");
  });

  it("refuses null and unparseable origins", () => {
    const c = new OriginChecker(false, ["http://a.example"]);
    expect(c.check(req({ origin: "null", host: "a" }), false)).toMatch(/invalid URI/);
    expect(c.check(req({ origin: "a.example", host: "a" }), false)).toMatch(/invalid URI/);
  });

  it("matches allowed origins on host, scheme and port; a later entry for a host replaces an earlier", () => {
    const c = new OriginChecker(false, ["https://a.example", "http://b.example:81", "http://b.example:82"]);
    expect(c.check(req({ origin: "https://a.example:443" }), false)).toBeNull();
    expect(c.check(req({ origin: "http://a.example" }), false)).toBe("not in the allowed list");
    expect(c.check(req({ origin: "http://b.example:82" }), false)).toBeNull();
    expect(c.check(req({ origin: "http://b.example:81" }), false)).toBe("not in the allowed list");
    expect(c.check(req({ origin: "http://user@b.example:82/path?q" }), false)).toBeNull();
  });

  it("refuses to build from an allowed origin that is not scheme://host", () => {
    expect(() => new OriginChecker(false, ["a.example"])).toThrow(/unable to parse allowed origin/);
  });
});

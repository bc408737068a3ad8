// Permission matching with nats-server's sublist semantics, the publish cache and reply grants.

import { describe, expect, it } from "vitest";
import {
  ConnectionPermissions,
  isSubsetMatch,
  PatternList,
  Permissions,
} from "../../../src/core/permissions.js";

describe("PatternList", () => {
  it("treats wildcards in the pattern as wildcards and in the subject as tokens", () => {
    const l = new PatternList(["foo.*", "bar.>", "baz"]);
    expect(l.matches("foo.a")).toBe(true);
    expect(l.matches("foo.*")).toBe(true);
    expect(l.matches("foo.a.b")).toBe(false);
    expect(l.matches("bar")).toBe(false);
    expect(l.matches("bar.a.b")).toBe(true);
    expect(l.matches("baz")).toBe(true);
    expect(l.matches("ba")).toBe(false);
    expect(new PatternList(["foo.bar"]).matches("foo.*")).toBe(false);
  });

  it("keeps queue entries apart from plain ones", () => {
    const l = new PatternList(["q.> workers"]);
    expect(l.matches("q.x")).toBe(false);
    expect(l.matchingQueues("q.x")).toEqual(["workers"]);
  });
});

describe("isSubsetMatch", () => {
  it("says whether every subject of the first is matched by the second", () => {
    expect(isSubsetMatch("foo.private", "foo.*")).toBe(true);
    expect(isSubsetMatch("foo.private", "foo.>")).toBe(true);
    expect(isSubsetMatch("foo.*", "foo.bar")).toBe(false);
    expect(isSubsetMatch("foo.*", "foo.*")).toBe(true);
    expect(isSubsetMatch("bar.x", "foo.*")).toBe(false);
  });
});

describe("ConnectionPermissions", () => {
  it("allow_responses denies other publishes and grants one reply per request", () => {
    const p = new ConnectionPermissions(
      new Permissions({ allowResponses: { maxMsgs: 1, expiresMs: 60_000 } }),
    );
    expect(p.canPublish("x")).toBe(false);
    expect(p.admitDelivery("req", "_INBOX.1")).toBe(true);
    expect(p.canPublish("_INBOX.1")).toBe(true);
    expect(p.canPublish("_INBOX.1")).toBe(false);
  });

  it("expires reply grants", () => {
    const p = new ConnectionPermissions(new Permissions({ allowResponses: { maxMsgs: -1, expiresMs: 1 } }));
    p.admitDelivery("req", "r");
    const until = Date.now() + 5;
    while (Date.now() < until) {
      // Let the 1 ms grant lapse.
    }
    expect(p.canPublish("r")).toBe(false);
  });

  it("arms the delivery deny filter only for a wildcard subscription covering a deny", () => {
    const p = new ConnectionPermissions(new Permissions({ subscribe: { deny: ["a.secret"] } }));
    expect(p.canSubscribe("a.secret", null)).toBe(false);
    expect(p.canSubscribe("b.*", null)).toBe(true);
    expect(p.admitDelivery("a.secret", null)).toBe(true);
    expect(p.canSubscribe("a.*", null)).toBe(true);
    expect(p.admitDelivery("a.secret", null)).toBe(false);
    expect(p.admitDelivery("a.open", null)).toBe(true);
  });

  it("caches publish decisions and stays bounded", () => {
    const p = new ConnectionPermissions(new Permissions({ publish: { allow: ["ok.>"] } }));
    for (let i = 0; i < 1000; i++) expect(p.canPublish(`ok.${i}`)).toBe(true);
    expect(p.canPublish("no")).toBe(false);
    const cache = (p as unknown as { pcache: Map<string, boolean> }).pcache;
    expect(cache.size).toBeLessThanOrEqual(129);
  });
});

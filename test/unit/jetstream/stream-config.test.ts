// Stream config reading, defaults and checks as nats-server 2.9.10's checkStreamCfg / configUpdateCheck.

import { describe, expect, it } from "vitest";
import { GoJsonError } from "../../../src/jetstream/go-json.js";
import {
  checkStreamConfig,
  checkStreamUpdate,
  configJson,
  isValidStreamName,
  readStreamConfig,
  sameConfig,
  storeLimitsOf,
} from "../../../src/jetstream/stream-config.js";

const check = (body: unknown) => checkStreamConfig(readStreamConfig(body));
const description = (body: unknown) => check(body).error?.description;

describe("readStreamConfig", () => {
  it("fails where Go's json.Unmarshal fails", () => {
    for (const bad of [[1], "x", { name: 1 }, { max_msgs: 1.5 }, { storage: "disk" }, { subjects: "a" }]) {
      expect(() => readStreamConfig(bad)).toThrow(GoJsonError);
    }
  });

  it("matches keys case-insensitively and treats null as absent", () => {
    const r = readStreamConfig({ NAME: "A", max_msgs: null, Max_Bytes: 10 });
    expect([r.name, r.maxMsgs, r.maxBytes]).toEqual(["A", 0, 10]);
    expect(readStreamConfig(null).name).toBe("");
  });
});

describe("checkStreamConfig", () => {
  it("fills nats-server's defaults in Go field order", () => {
    const r = check({ name: "S" });
    expect(r.error).toBeUndefined();
    expect(Object.keys(configJson(r.config!))).toEqual([
      "name",
      "subjects",
      "retention",
      "max_consumers",
      "max_msgs",
      "max_bytes",
      "max_age",
      "max_msgs_per_subject",
      "max_msg_size",
      "discard",
      "storage",
      "num_replicas",
      "duplicate_window",
      "allow_direct",
      "mirror_direct",
      "sealed",
      "deny_delete",
      "deny_purge",
      "allow_rollup_hdrs",
    ]);
    expect(r.config).toMatchObject({
      subjects: ["S"],
      max_msgs: -1,
      storage: "file",
      duplicate_window: 120e9,
    });
  });

  it("caps the default duplicate window at max_age", () => {
    expect(check({ name: "S", max_age: 5e9 }).config?.duplicate_window).toBe(5e9);
    expect(check({ name: "S", max_age: 500e9 }).config?.duplicate_window).toBe(120e9);
  });

  it("refuses invalid names and configurations with nats-server's texts", () => {
    for (const name of ["a.b", "a*", "a>", "a b", ""]) expect(isValidStreamName(name)).toBe(false);
    expect(description({ name: "a b" })).toBe("stream name is required and can not contain '.', '*', '>'");
    expect(description({ name: "x".repeat(256) })).toBe("stream name is too long, maximum allowed is 255");
    expect(description({ name: "S", description: "d".repeat(4097) })).toBe(
      "stream description is too long, maximum allowed is 4096",
    );
    expect(description({ name: "S", num_replicas: 6 })).toBe("maximum replicas is 5");
    expect(check({ name: "S", num_replicas: -1 }).error?.err_code).toBe(10133);
    expect(description({ name: "S", max_age: 1 })).toBe("max age needs to be >= 100ms");
    expect(description({ name: "S", duplicate_window: 1 })).toBe("duplicates window needs to be >= 100ms");
    expect(description({ name: "S", max_age: 1e9, duplicate_window: 2e9 })).toBe(
      "duplicates window can not be larger then max age",
    );
    expect(description({ name: "S", discard_new_per_subject: true, discard: "new" })).toBe(
      "discard new per subject requires max msgs per subject > 0",
    );
    expect(description({ name: "S", subjects: ["a", "a"] })).toBe("duplicate subjects detected");
    expect(description({ name: "S", subjects: ["$JS.API.>"] })).toBe("subjects overlap with jetstream api");
    expect(description({ name: "S", subjects: ["a.>", "a.b"] })).toBe('subject "a.>" overlaps with "a.b"');
    expect(check({ name: "S", mirror: { name: "O" }, subjects: ["x"] }).error?.err_code).toBe(10034);
  });

  it("accepts negative limits as nats-server 2.9.10 does", () => {
    expect(check({ name: "S", max_msgs: -5, max_bytes: -7 }).config).toMatchObject({
      max_msgs: -5,
      max_bytes: -7,
    });
  });
});

describe("checkStreamUpdate", () => {
  const base = check({ name: "S", subjects: ["s"], deny_delete: true }).config!;

  it("refuses changes nats-server refuses", () => {
    const next = (extra: object) =>
      check({ name: "S", subjects: ["s"], deny_delete: true, ...extra }).config!;
    expect(checkStreamUpdate(base, next({ storage: "memory" })).error?.description).toBe(
      "stream configuration update can not change storage type",
    );
    expect(checkStreamUpdate(base, next({ retention: "interest" })).error?.description).toBe(
      "stream configuration update can not change retention policy",
    );
    expect(checkStreamUpdate(base, next({ max_consumers: 2 })).error?.description).toBe(
      "stream configuration update can not change MaxConsumers",
    );
    const undeny = check({ name: "S", subjects: ["s"] }).config!;
    expect(checkStreamUpdate(base, undeny).error?.description).toBe(
      "stream configuration update can not cancel deny message deletes",
    );
  });

  it("applies the sealing adjustments", () => {
    const sealed = check({ name: "S", subjects: ["s"], deny_delete: true, sealed: true, max_age: 1e10 })
      .config!;
    expect(checkStreamUpdate(base, sealed).config).toMatchObject({
      sealed: true,
      max_age: 0,
      discard: "new",
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
    });
  });
});

describe("config helpers", () => {
  it("compares normalized configs and maps them to store limits", () => {
    const a = check({ name: "S", max_msgs: 10, max_age: 2e9 }).config!;
    expect(sameConfig(a, check({ max_age: 2e9, name: "S", max_msgs: 10 }).config!)).toBe(true);
    expect(sameConfig(a, check({ name: "S", max_msgs: 11, max_age: 2e9 }).config!)).toBe(false);
    expect(storeLimitsOf(a)).toEqual({
      maxMsgs: 10,
      maxBytes: -1,
      maxAge: 2000,
      maxMsgsPerSubject: -1,
      maxMsgSize: -1,
      discard: "old",
      discardNewPerSubject: false,
    });
  });
});

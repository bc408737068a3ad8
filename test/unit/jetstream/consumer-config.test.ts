// ConsumerConfig reading (Go json rules), defaults, checks and printing (consumer-config.ts); the same
// cases are compared with nats-server itself in test/compat/jetstream-consumer-api.test.ts.

import { describe, expect, it } from "vitest";
import {
  applyConsumerDefaults,
  type ConsumerConfig,
  checkConsumerConfig,
  checkConsumerUpdate,
  consumerConfigJson,
  NO_CONSUMER_LIMITS,
  parseConsumerConfig,
} from "../../../src/jetstream/consumer-config.js";
import { normalizeRfc3339, parseRfc3339 } from "../../../src/jetstream/consumer-time.js";

const STREAM = { retention: "limits" as const, subjects: ["orders.*"], num_replicas: 1 };

function ready(raw: Record<string, unknown>): ConsumerConfig {
  const cfg = parseConsumerConfig(raw);
  if (cfg === null) throw new Error("invalid");
  applyConsumerDefaults(cfg, NO_CONSUMER_LIMITS);
  return cfg;
}

describe("reading a config", () => {
  it("applies Go's zero values and json rules", () => {
    expect(parseConsumerConfig({})).toEqual({
      deliver_policy: "all",
      ack_policy: "none",
      replay_policy: "instant",
      num_replicas: 0,
    });
    expect(parseConsumerConfig({ Durable_Name: "d", unknown: 1, ack_wait: null })).toMatchObject({
      durable_name: "d",
    });
    expect(parseConsumerConfig({ deliver_policy: "undefined" })?.deliver_policy).toBe("all");
    for (const bad of [
      { ack_policy: "bogus" },
      { ack_wait: "1s" },
      { max_deliver: 1.5 },
      { opt_start_seq: -1 },
      { flow_control: "yes" },
      { backoff: [1, "2"] },
      { opt_start_time: "yesterday" },
      { metadata: { a: 1 } },
    ]) {
      expect(parseConsumerConfig(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(parseConsumerConfig([])).toBeNull();
  });

  it("prints fields in nats-server's order, omitting zero values except the always-printed four", () => {
    const cfg = ready({
      ack_policy: "explicit",
      durable_name: "d",
      filter_subject: "orders.new",
      description: "x",
    });
    expect(Object.keys(consumerConfigJson(cfg))).toEqual([
      "durable_name",
      "description",
      "deliver_policy",
      "ack_policy",
      "ack_wait",
      "max_deliver",
      "filter_subject",
      "replay_policy",
      "max_waiting",
      "max_ack_pending",
      "num_replicas",
    ]);
  });

  it("re-prints start times the way Go marshals them", () => {
    expect(normalizeRfc3339("2024-01-02T03:04:05.120000Z")).toBe("2024-01-02T03:04:05.12Z");
    expect(normalizeRfc3339("2024-01-02T03:04:05+02:00")).toBe("2024-01-02T03:04:05+02:00");
    expect(parseRfc3339("2024-01-02T03:04:05.5+01:00")).toMatchObject({
      ms: Date.UTC(2024, 0, 2, 2, 4, 5, 500),
      nanos: 0,
    });
    expect(parseRfc3339("2024-13-02T03:04:05Z")).toBeNull();
  });
});

describe("defaults", () => {
  it("fills nats-server's defaults for pull and push consumers", () => {
    expect(ready({ ack_policy: "explicit" })).toMatchObject({
      ack_wait: 30_000_000_000,
      max_deliver: -1,
      max_waiting: 512,
      max_ack_pending: 1000,
    });
    const push = ready({ ack_policy: "none", deliver_subject: "d" });
    expect(push.max_waiting).toBeUndefined();
    expect(push.max_ack_pending).toBeUndefined();
    expect(push.ack_wait).toBeUndefined();
    expect(ready({ ack_policy: "explicit", backoff: [1e9, 5e9], max_deliver: 5 }).ack_wait).toBe(1e9);
    const limited = parseConsumerConfig({ ack_policy: "all" })!;
    applyConsumerDefaults(limited, { maxAckPending: 50, maxRequestBatch: 10 });
    expect(limited).toMatchObject({ max_ack_pending: 50, max_batch: 10 });
  });
});

describe("checks", () => {
  const err = (raw: Record<string, unknown>, stream: Record<string, unknown> = STREAM) =>
    checkConsumerConfig(ready(raw), { ...STREAM, ...stream }, NO_CONSUMER_LIMITS)?.err_code ?? 0;

  it("refuses what nats-server refuses, with its error codes", () => {
    expect(err({ deliver_subject: "a.*" })).toBe(10079);
    expect(err({ deliver_subject: "orders.new" })).toBe(10081);
    expect(err({ deliver_subject: "d", idle_heartbeat: 1e6 })).toBe(10083);
    expect(err({ ack_policy: "none" }, { retention: "workqueue" })).toBe(10084);
    expect(err({ ack_policy: "explicit", rate_limit_bps: 1 })).toBe(10086);
    expect(err({ ack_policy: "explicit", filter_subject: "other" })).toBe(10093);
    expect(err({ ack_policy: "explicit", deliver_policy: "last_per_subject" })).toBe(10094);
    expect(err({ ack_policy: "explicit", sample_freq: "x" })).toBe(10095);
    expect(err({ deliver_subject: "d", flow_control: true })).toBe(10108);
    expect(err({ ack_policy: "explicit", backoff: [1], max_deliver: 1 })).toBe(10116);
    expect(err({ ack_policy: "explicit", num_replicas: 3 })).toBe(10126);
    expect(err({ ack_policy: "explicit", durable_name: "a", name: "b" })).toBe(10132);
    expect(err({ ack_policy: "explicit", filter_subject: "orders.>" })).toBe(0);
    // Streams fed by sources hold subjects outside their own list: filters are not checked.
    expect(err({ ack_policy: "explicit", filter_subject: "other" }, { hasExternalSubjects: true })).toBe(0);
  });

  it("words policy conflicts as nats-server does", () => {
    const cfg = ready({ ack_policy: "explicit", deliver_policy: "by_start_time", opt_start_seq: 3 });
    expect(checkConsumerConfig(cfg, STREAM, NO_CONSUMER_LIMITS)).toEqual({
      code: 400,
      err_code: 10094,
      description: "consumer delivery policy is deliver by start time, but optional start time is not set",
    });
  });

  it("allows only some fields to change on update", () => {
    const old = ready({ ack_policy: "explicit", durable_name: "d" });
    const noInterest = () => false;
    expect(
      checkConsumerUpdate(
        old,
        ready({ ack_policy: "explicit", durable_name: "d", max_ack_pending: 5 }),
        noInterest,
      ),
    ).toBeNull();
    expect(checkConsumerUpdate(old, ready({ ack_policy: "all", durable_name: "d" }), noInterest)).toBe(
      "ack policy can not be updated",
    );
    const push = ready({ ack_policy: "explicit", durable_name: "d", deliver_subject: "a" });
    const moved = ready({ ack_policy: "explicit", durable_name: "d", deliver_subject: "b" });
    expect(checkConsumerUpdate(push, moved, noInterest)).toBeNull();
    expect(checkConsumerUpdate(push, moved, () => true)).toMatchObject({ err_code: 10013 });
  });
});

// /healthz states and /jsz paging over fake JetStream views.

import { describe, expect, it } from "vitest";
import { healthz, JS_NOT_ENABLED } from "../../../src/monitor/healthz.js";
import type { JetStreamAccountMonitorView, JetStreamMonitorView } from "../../../src/monitor/jsz.js";
import { jsz } from "../../../src/monitor/jsz.js";

function account(name: string, streams: number): JetStreamAccountMonitorView {
  return {
    name,
    usage: () => ({
      memory: 10,
      storage: 20,
      reservedMemory: -1,
      reservedStorage: 5,
      apiTotal: 3,
      apiErrors: 1,
    }),
    streams: () =>
      Array.from({ length: streams }, (_, i) => ({
        name: `${name}-S${i}`,
        created: "2024-01-01T00:00:00Z",
        config: () => ({ name: `${name}-S${i}` }),
        state: () => ({ messages: 2, bytes: 7, consumer_count: 1 }),
        consumers: () => [{ name: "C", config: { durable_name: "C" }, num_pending: 2 }],
      })),
  };
}

const view = (accounts: JetStreamAccountMonitorView[], ready = true): JetStreamMonitorView => ({
  ready,
  config: () => ({ max_memory: 100, max_storage: 200, store_dir: "/d" }),
  accounts: () => accounts,
});

describe("healthz", () => {
  it("is an error until the client listener is up", () => {
    expect(healthz({ listening: false, jetstreamConfigured: false, jetstream: null }).status).toBe("error");
  });

  it("is unavailable while configured JetStream is not up, ok once it is", () => {
    expect(healthz({ listening: true, jetstreamConfigured: true, jetstream: null })).toEqual({
      status: "unavailable",
      error: JS_NOT_ENABLED,
    });
    expect(healthz({ listening: true, jetstreamConfigured: true, jetstream: view([], false) }).status).toBe(
      "unavailable",
    );
    expect(healthz({ listening: true, jetstreamConfigured: true, jetstream: view([]) })).toEqual({
      status: "ok",
    });
    expect(healthz({ listening: true, jetstreamConfigured: false, jetstream: null })).toEqual({
      status: "ok",
    });
  });
});

describe("jsz", () => {
  const server = { id: "SID", name: "srv" };
  const js = view([account("B", 1), account("A", 2)]);

  it("sums usage and totals over accounts", () => {
    const r = jsz(server, js, {}, 0);
    expect(r).toMatchObject({
      streams: 3,
      consumers: 3,
      messages: 6,
      bytes: 21,
      accounts: 2,
      memory: 20,
      storage: 40,
    });
    expect(r.reserved_memory).toBe(0);
    expect(r.reserved_storage).toBe(10);
    expect(r.api).toEqual({ total: 6, errors: 2 });
    expect(r.account_details).toBeUndefined();
  });

  it("pages accounts sorted by name when offset is given, and filters by acc", () => {
    const paged = jsz(server, js, { accounts: true, offset: 1, limit: 1 }, 0);
    expect((paged.account_details as { name: string }[]).map((a) => a.name)).toEqual(["B"]);
    const one = jsz(server, js, { acc: "A", streams: true }, 0);
    const details = one.account_details as { name: string; stream_detail: { cluster: unknown }[] }[];
    expect(details.map((a) => a.name)).toEqual(["A"]);
    expect(details[0]!.stream_detail).toHaveLength(2);
    expect(details[0]!.stream_detail[0]!.cluster).toEqual({ leader: "srv" });
  });
});

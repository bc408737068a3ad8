// The exposition text: every family typed once, label values escaped so they read back unchanged.

import { describe, expect, it } from "vitest";
import type { JetStreamMonitorView } from "../../../src/monitor/jsz.js";
import { renderMetrics } from "../../../src/monitor/prometheus.js";
import { parsePrometheusText } from "../../helpers/prometheus-text.js";

const tricky = 'say "hi"\\ to\nall';

const js: JetStreamMonitorView = {
  ready: true,
  config: () => ({ max_memory: 1000, max_storage: 2000, store_dir: "/x", domain: "hub" }),
  accounts: () => [
    {
      name: "$G",
      usage: () => ({
        memory: 1,
        storage: 2,
        reservedMemory: 0,
        reservedStorage: 0,
        apiTotal: 7,
        apiErrors: 2,
      }),
      streams: () => [
        {
          name: "S",
          created: "2024-01-01T00:00:00Z",
          config: () => ({}),
          state: () => ({ messages: 4, bytes: 40, first_seq: 1, last_seq: 4, consumer_count: 1 }),
          consumers: () => [
            {
              name: "C",
              created: "2024-01-01T00:00:00Z",
              config: { description: tricky },
              delivered: { consumer_seq: 3, stream_seq: 3 },
              ack_floor: { consumer_seq: 2, stream_seq: 2 },
              num_pending: 1,
              num_ack_pending: 1,
              num_redelivered: 0,
              num_waiting: 0,
            },
          ],
        },
      ],
    },
  ],
};

function render() {
  return renderMetrics({
    serverId: "SID",
    serverName: tricky,
    varz: { connections: 2, in_msgs: 10, version: "2.9.10", server_name: tricky, now: "ignored" },
    connectionsByType: { nats: 1, websocket: 1 },
    subsz: { num_subscriptions: 3 },
    jetstream: js,
    mqtt: { sessions: 4, retainedMessages: 5 },
    process: {
      lag: { mean: 0.001, p50: 0.001, p90: 0.002, p99: 0.003, max: 0.004 },
      memory: process.memoryUsage(),
      cpuSeconds: 1.5,
      startTimeSeconds: 1700000000,
    },
  });
}

describe("renderMetrics", () => {
  it("writes a strictly valid exposition whose label values read back unchanged", () => {
    const m = parsePrometheusText(render());
    expect(m.get("natsgate_info")!.samples[0]!.labels.server_name).toBe(tricky);
    const consumer = m.get("jetstream_consumer_num_pending")!.samples[0]!;
    expect(consumer.labels).toMatchObject({
      consumer_name: "C",
      consumer_desc: tricky,
      domain: "hub",
      stream_name: "S",
    });
    expect(consumer.value).toBe(1);
    expect(m.get("jetstream_consumer_ack_floor_stream_seq")!.samples[0]!.value).toBe(2);
    expect(m.get("jetstream_stream_total_bytes")!.samples[0]!.value).toBe(40);
  });

  it("carries the values it was given", () => {
    const m = parsePrometheusText(render());
    const v = (name: string, labels: Record<string, string> = {}) =>
      m.get(name)!.samples.find((s) => Object.entries(labels).every(([k, x]) => s.labels[k] === x))!.value;
    expect(v("natsgate_connections", { protocol: "nats" })).toBe(1);
    expect(v("natsgate_connections", { protocol: "websocket" })).toBe(1);
    expect(v("natsgate_connections", { protocol: "mqtt" })).toBe(0);
    expect(v("natsgate_messages_in_total")).toBe(10);
    expect(v("natsgate_jetstream_messages")).toBe(4);
    expect(v("natsgate_jetstream_api_errors_total")).toBe(2);
    expect(v("natsgate_mqtt_sessions")).toBe(4);
    expect(v("natsgate_mqtt_retained_messages")).toBe(5);
    expect(v("jetstream_server_max_storage")).toBe(2000);
    expect(v("gnatsd_varz_connections", { server_id: "SID" })).toBe(2);
    expect(v("gnatsd_varz_version", { value: "2.9.10" })).toBe(1);
    expect(v("nodejs_eventloop_lag_max_seconds")).toBe(0.004);
    expect(m.has("gnatsd_varz_now")).toBe(false);
  });
});

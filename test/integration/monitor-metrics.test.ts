// /metrics against a running server: the exposition parses strictly, and the metrics an operator needs
// (connections by protocol, traffic, slow consumers, subscriptions, JetStream, MQTT, event loop, heap)
// are there with values that follow the traffic.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { type PromFamily, parsePrometheusText } from "../helpers/prometheus-text.js";
import { waitUntil } from "../helpers/server.js";

async function scrape(server: NatsgateServer): Promise<Map<string, PromFamily>> {
  const res = await fetch(`${server.monitoring.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parsePrometheusText(await res.text());
}

function value(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number {
  const fam = families.get(name);
  if (fam === undefined) throw new Error(`no metric ${name}`);
  const sample = fam.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (sample === undefined) throw new Error(`no sample of ${name} with ${JSON.stringify(labels)}`);
  return sample.value;
}

describe("/metrics", () => {
  let dir: string;
  let server: NatsgateServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "natsgate-metrics-"));
    server = await createServer({
      port: 0,
      httpHost: "127.0.0.1",
      httpPort: -1,
      jetstream: { storeDir: dir },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("has the natsgate, exporter-compatible and Node.js families with their types", async () => {
    const m = await scrape(server);
    const expected: Record<string, string> = {
      natsgate_info: "gauge",
      natsgate_connections: "gauge",
      natsgate_connections_total: "counter",
      natsgate_messages_in_total: "counter",
      natsgate_messages_out_total: "counter",
      natsgate_bytes_in_total: "counter",
      natsgate_bytes_out_total: "counter",
      natsgate_slow_consumers_total: "counter",
      natsgate_subscriptions: "gauge",
      natsgate_jetstream_enabled: "gauge",
      natsgate_jetstream_streams: "gauge",
      natsgate_jetstream_consumers: "gauge",
      natsgate_jetstream_messages: "gauge",
      natsgate_jetstream_bytes: "gauge",
      natsgate_jetstream_api_requests_total: "counter",
      natsgate_jetstream_api_errors_total: "counter",
      natsgate_mqtt_sessions: "gauge",
      natsgate_mqtt_retained_messages: "gauge",
      gnatsd_varz_connections: "gauge",
      gnatsd_varz_in_msgs: "gauge",
      gnatsd_varz_mem: "gauge",
      gnatsd_connz_num_connections: "gauge",
      gnatsd_subsz_num_subscriptions: "gauge",
      jetstream_server_total_streams: "gauge",
      jetstream_stream_total_messages: "gauge",
      jetstream_consumer_num_pending: "gauge",
      process_cpu_seconds_total: "counter",
      process_resident_memory_bytes: "gauge",
      nodejs_heap_size_used_bytes: "gauge",
      nodejs_eventloop_lag_seconds: "gauge",
      nodejs_eventloop_lag_p99_seconds: "gauge",
    };
    for (const [name, type] of Object.entries(expected)) expect(m.get(name)?.type, name).toBe(type);
    expect(value(m, "natsgate_info")).toBe(1);
    expect(m.get("natsgate_info")!.samples[0]!.labels).toMatchObject({
      server_id: server.serverId,
      nats_server_version: "2.9.10",
    });
    expect(value(m, "nodejs_heap_size_used_bytes")).toBeGreaterThan(1024 * 1024);
    expect(value(m, "process_resident_memory_bytes")).toBeGreaterThan(
      value(m, "nodejs_heap_size_used_bytes") / 4,
    );
    expect(value(m, "natsgate_jetstream_enabled")).toBe(1);
    expect(value(m, "natsgate_mqtt_sessions")).toBe(0);
  });

  it("follows connections, traffic, subscriptions and JetStream", async () => {
    const before = await scrape(server);
    const nc = await connect({ port: server.port, name: "metrics" });
    try {
      nc.subscribe("m.>");
      for (let i = 0; i < 5; i++) nc.publish("m.x", "12345");
      await nc.flush();
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "MET", subjects: ["met.>"] });
      await jsm.consumers.add("MET", { durable_name: "c1", ack_policy: "explicit" as never });
      await jsm.jetstream().publish("met.1", "abc");
      await waitUntil(() => server.stats.outMsgs >= 5, "deliveries");
      const after = await scrape(server);
      expect(value(after, "natsgate_connections", { protocol: "nats" })).toBe(1);
      expect(value(after, "natsgate_connections", { protocol: "websocket" })).toBe(0);
      expect(value(after, "natsgate_connections", { protocol: "mqtt" })).toBe(0);
      expect(value(after, "gnatsd_varz_connections", { server_id: server.serverId })).toBe(1);
      const inMsgs = value(after, "natsgate_messages_in_total") - value(before, "natsgate_messages_in_total");
      expect(inMsgs).toBeGreaterThanOrEqual(6); // 5 publishes, the JetStream publish and API requests
      expect(
        value(after, "natsgate_bytes_in_total") - value(before, "natsgate_bytes_in_total"),
      ).toBeGreaterThanOrEqual(5 * 5 + 3);
      expect(value(after, "natsgate_messages_out_total")).toBeGreaterThanOrEqual(5);
      expect(value(after, "natsgate_subscriptions")).toBeGreaterThanOrEqual(2);
      expect(value(after, "natsgate_jetstream_streams")).toBe(1);
      expect(value(after, "natsgate_jetstream_consumers")).toBe(1);
      expect(value(after, "natsgate_jetstream_messages")).toBe(1);
      expect(value(after, "natsgate_jetstream_api_requests_total")).toBeGreaterThanOrEqual(2);
      expect(value(after, "jetstream_stream_total_messages", { stream_name: "MET", account: "$G" })).toBe(1);
      expect(
        value(after, "jetstream_consumer_num_pending", { stream_name: "MET", consumer_name: "c1" }),
      ).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it("reports event-loop lag when the loop is blocked", async () => {
    const end = Date.now() + 150;
    while (Date.now() < end) {
      // Block the event loop: the delay histogram's next timer fires ~150 ms late.
    }
    await new Promise((r) => setImmediate(r));
    const m = await scrape(server);
    expect(value(m, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0.1);
    expect(value(m, "nodejs_eventloop_lag_max_seconds")).toBeLessThan(5);
  });
});

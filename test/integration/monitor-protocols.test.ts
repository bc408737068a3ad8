// Monitoring with WebSocket and MQTT listeners: WebSocket clients appear in /connz with their type, and
// /varz reports both listeners' settings with their bound ports.

import { afterEach, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { connectWs, startWsServer } from "./websocket-support.js";

let server: NatsgateServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

// biome-ignore lint/suspicious/noExplicitAny: endpoint JSON is read field by field and asserted on.
async function json(path: string): Promise<any> {
  const res = await fetch(`${server!.monitoring.url}${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe("monitoring with WebSocket and MQTT", () => {
  it("lists WebSocket clients as type websocket and counts them in /varz and /metrics", async () => {
    server = await startWsServer(
      { compression: true, handshakeTimeout: 3000 },
      { httpHost: "127.0.0.1", httpPort: -1, mqtt: { host: "127.0.0.1", port: 0, ackWait: 10_000 } },
    );
    const nc = await connectWs(server, { name: "browser-ish" });
    try {
      nc.subscribe("ws.x");
      await nc.flush();
      const connz = await json("/connz?subs=1");
      expect(connz.connections).toHaveLength(1);
      expect(connz.connections[0]).toMatchObject({
        kind: "Client",
        type: "websocket",
        name: "browser-ish",
        subscriptions_list: ["ws.x"],
      });
      const varz = await json("/varz");
      expect(varz.connections).toBe(1);
      expect(varz.websocket).toEqual({
        host: "127.0.0.1",
        port: server.websocketPort,
        handshake_timeout: 3_000_000_000,
        no_tls: true,
        compression: true,
      });
      expect(varz.mqtt).toEqual({
        host: "127.0.0.1",
        port: server.mqttPort,
        tls_timeout: 2,
        ack_wait: 10_000_000_000,
      });
      const metrics = await (await fetch(`${server.monitoring.url}/metrics`)).text();
      expect(metrics).toContain('natsgate_connections{protocol="websocket"} 1\n');
      expect(metrics).toContain('natsgate_connections{protocol="nats"} 0\n');
    } finally {
      await nc.close();
    }
  });
});

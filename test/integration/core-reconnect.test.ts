// Reconnect across a server restart on the same port: nats.js must find the new server and re-establish its
// subscriptions there, as it does with nats-server.

import { connect, type NatsConnection, type Status } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { within } from "../helpers/server.js";

/** Resolves when the client reports the given status type. */
async function nextStatus(nc: NatsConnection, type: string): Promise<Status> {
  for await (const s of nc.status() as AsyncIterable<Status>) {
    if (s.type === type) return s;
  }
  throw new Error(`status stream ended before "${type}"`);
}

describe("reconnect", () => {
  it("reconnects to a server restarted on the same port and its subscriptions work again", async () => {
    const servers: NatsgateServer[] = [];
    const clients: NatsConnection[] = [];
    try {
      const first = await createServer({ port: 0 });
      servers.push(first);
      const port = first.port;
      const nc = await connect({
        servers: `127.0.0.1:${port}`,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 50,
        reconnectJitter: 0,
      });
      clients.push(nc);
      const got: string[] = [];
      nc.subscribe("alive.*", {
        callback: (_e, m) => {
          got.push(m.string());
        },
      });
      nc.subscribe("work", {
        queue: "q",
        callback: (_e, m) => {
          got.push(`q:${m.string()}`);
        },
      });
      nc.publish("alive.1", "before");
      await nc.flush();
      expect(got).toEqual(["before"]);

      const disconnected = nextStatus(nc, "disconnect");
      const reconnected = nextStatus(nc, "reconnect");
      await first.close();
      await within(disconnected, "the client to notice the server went away");

      const second = await createServer({ port });
      servers.push(second);
      await within(reconnected, "the client to reconnect", 10_000);
      await nc.flush();
      expect(second.clients.size).toBe(1);

      // The subscriptions were re-sent to the new server: messages from another client reach them.
      const other = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      clients.push(other);
      other.publish("alive.2", "after");
      other.publish("work", "job");
      await other.flush();
      await nc.flush();
      expect(got).toEqual(["before", "after", "q:job"]);

      // And the reconnected client can publish again.
      const back = other.subscribe("from.reconnected", { max: 1 });
      await other.flush();
      nc.publish("from.reconnected", "hello");
      for await (const m of back) expect(m.string()).toBe("hello");
    } finally {
      for (const c of clients) await c.close().catch(() => undefined);
      for (const s of servers) await s.close();
    }
  });
});

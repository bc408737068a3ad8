// Limits seen through real clients: max_payload (at and over), max subscriptions, and a slow consumer that
// the server cuts off while everyone else keeps working.

import type { NatsConnection, Status } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { waitUntil, within, withServer } from "../helpers/server.js";
import { openWire } from "../helpers/wire.js";

const MiB = 1024 * 1024;

/** Resolves with the first error status the client reports. */
async function firstErrorStatus(nc: NatsConnection): Promise<Error> {
  for await (const s of nc.status() as AsyncIterable<Status>) {
    if (s.type === "error") return s.error;
  }
  throw new Error("status stream ended without an error");
}

describe("max_payload", () => {
  it("carries a payload of exactly max_payload (1 MiB by default) byte for byte", async () => {
    await withServer({}, async (h) => {
      const nc = await h.connect();
      expect(nc.info?.max_payload).toBe(MiB);
      const payload = new Uint8Array(MiB);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
      const sub = nc.subscribe("big", { max: 1 });
      const other = await h.connect();
      other.publish("big", payload);
      await other.flush();
      let got: Uint8Array | null = null;
      for await (const m of sub) got = m.data;
      expect(got).not.toBeNull();
      expect(got!.length).toBe(MiB);
      expect(Buffer.from(got!).equals(Buffer.from(payload))).toBe(true);
    });
  });

  it("the client refuses to send more than the advertised max_payload", async () => {
    await withServer({ maxPayload: 1024 }, async (h) => {
      const nc = await h.connect();
      expect(nc.info?.max_payload).toBe(1024);
      expect(() => nc.publish("x", new Uint8Array(1025))).toThrow(/max_payload/);
      nc.publish("x", new Uint8Array(1024));
      await nc.flush();
      expect(h.server.stats.inBytes).toBe(1024);
    });
  });

  it("a client that sends more anyway gets 'Maximum Payload Violation' and is closed", async () => {
    await withServer({ maxPayload: 1024 }, async (h) => {
      const nc = await h.connect();
      // Make nats.js believe the limit is higher so the oversized PUB reaches the server.
      (nc as unknown as { protocol: { info: { max_payload: number } } }).protocol.info.max_payload = MiB;
      const status = firstErrorStatus(nc);
      nc.publish("x", new Uint8Array(2000));
      const err = await within(status, "the server's error");
      expect(err.message).toBe("Maximum Payload Violation");
      const closedWith = await within(nc.closed(), "the client to close");
      expect((closedWith as Error).message).toBe("Maximum Payload Violation");
      await waitUntil(() => h.server.clients.size === 0, "the server to drop the client");
    });
  });
});

describe("max subscriptions", () => {
  it("reports 'maximum subscriptions exceeded' and keeps the connection and its subscriptions", async () => {
    await withServer({ maxSubscriptions: 3 }, async (h) => {
      const nc = await h.connect();
      const status = firstErrorStatus(nc);
      const got: string[] = [];
      for (const s of ["s.1", "s.2", "s.3", "s.4"])
        nc.subscribe(s, {
          callback: (_e, m) => {
            got.push(m.subject);
          },
        });
      const err = await within(status, "the server's error");
      expect(err.message).toBe("maximum subscriptions exceeded");
      for (const s of ["s.1", "s.2", "s.3", "s.4"]) nc.publish(s, "");
      await nc.flush();
      expect(got).toEqual(["s.1", "s.2", "s.3"]);
      expect(nc.isClosed()).toBe(false);
    });
  });
});

describe("slow consumer", () => {
  it("closes a subscriber that stops reading; other subscribers get everything", async () => {
    await withServer({ maxPending: 512 * 1024 }, async (h) => {
      const slow = await openWire(h, { verbose: false, pedantic: false });
      slow.send("SUB firehose 1\r\n");
      await slow.sync();
      slow.pause();

      const fast = await h.connect();
      let fastCount = 0;
      fast.subscribe("firehose", {
        callback: () => {
          fastCount++;
        },
      });
      await fast.flush();

      const pub = await h.connect();
      const chunk = new Uint8Array(16 * 1024);
      let published = 0;
      // Publish until the kernel buffers in front of the stalled reader are full and the server gives up on it.
      while (h.server.stats.slowConsumers === 0 && published < 64 * 1024) {
        for (let i = 0; i < 64; i++) pub.publish("firehose", chunk);
        published += 64;
        await pub.flush();
      }
      expect(h.server.stats.slowConsumers).toBe(1);
      await waitUntil(() => h.server.clients.size === 2, "the slow consumer to be dropped");

      // The stalled client sees its connection end once it reads again.
      slow.socket.resume();
      await slow.waitClosed();

      await fast.flush();
      expect(fastCount).toBe(published);
      // The server still routes for everyone else.
      const after = await h.connect();
      const reply = after.subscribe("still.up", { max: 1 });
      await after.flush();
      pub.publish("still.up", "yes");
      for await (const m of reply) expect(m.string()).toBe("yes");
      expect(h.server.stats.slowConsumers).toBe(1);
    });
  });
});

// Seeded random workqueue run: several publishers and several workers sharing one durable pull consumer
// of a workqueue stream, with random acks, naks (some delayed), progress acks and ignored deliveries
// left to time out. At the end every message was acknowledged exactly once and none was lost, by the
// workers' count and by the server's (consumer floors, empty stream). CONSUMER_SEED=<n> replays a run.

import { AckPolicy, type JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { useJetStream } from "./jetstream-stream-fixture.js";

const t = useJetStream();

/** mulberry32: a small seeded PRNG so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.CONSUMER_SEED ?? 20241125);
const PUBLISHERS = 4;
const PER_PUBLISHER = 400;
const WORKERS = 4;
const TOTAL = PUBLISHERS * PER_PUBLISHER;

describe("workqueue under random acks, naks and timeouts", () => {
  it(`acknowledges every message exactly once and loses none (seed ${SEED})`, async () => {
    const random = rng(SEED);
    await t.jsm.streams.add({ name: "WQ", subjects: ["wq.>"], retention: "workqueue" as never });
    await t.jsm.consumers.add("WQ", {
      durable_name: "workers",
      ack_policy: AckPolicy.Explicit,
      // Far above how long a worker holds a delivery, so a duplicate ack can only mean a server bug.
      ack_wait: 5_000_000_000,
      max_ack_pending: 200,
    });
    const conns: NatsConnection[] = [];
    const url = `127.0.0.1:${t.server.port}`;
    for (let i = 0; i < PUBLISHERS + WORKERS; i++)
      conns.push(await connect({ servers: url, reconnect: false }));
    const { jetstream } = await import("@nats-io/jetstream");

    const acks = new Map<string, number>();
    const deliveries = { total: 0, naks: 0, ignored: 0, progress: 0 };
    let done = false;

    const publishers = conns.slice(0, PUBLISHERS).map(async (nc, p) => {
      const js = jetstream(nc);
      for (let i = 0; i < PER_PUBLISHER; i++) {
        await js.publish(`wq.job.${p}`, `${p}-${i}`);
        if (random() < 0.05) await new Promise((r) => setTimeout(r, 1));
      }
    });

    const handle = async (m: JsMsg) => {
      deliveries.total++;
      const roll = random();
      const id = m.string();
      if (roll < 0.12) {
        deliveries.naks++;
        m.nak(random() < 0.5 ? 0 : Math.floor(random() * 50));
      } else if (roll < 0.18) {
        // Never acknowledged: the server must redeliver after ack_wait.
        deliveries.ignored++;
      } else {
        if (roll < 0.25) {
          deliveries.progress++;
          m.working();
        }
        if (await m.ackAck()) acks.set(id, (acks.get(id) ?? 0) + 1);
      }
    };

    const workers = conns.slice(PUBLISHERS).map(async (nc) => {
      const c = await jetstream(nc).consumers.get("WQ", "workers");
      while (!done) {
        const batch = 1 + Math.floor(random() * 5);
        // Handled as they arrive: holding a delivery past ack_wait would (rightly) get it redelivered.
        for await (const m of await c.fetch({ max_messages: batch, expires: 1000 })) await handle(m);
      }
    });

    await Promise.all(publishers);
    const deadline = Date.now() + 60_000;
    while (acks.size < TOTAL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    done = true;
    await Promise.all(workers);
    for (const nc of conns) await nc.close();

    const failure = `seed ${SEED}, deliveries ${JSON.stringify(deliveries)}`;
    expect(acks.size, failure).toBe(TOTAL);
    const twice = [...acks].filter(([, n]) => n !== 1);
    expect(twice, failure).toEqual([]);
    for (let p = 0; p < PUBLISHERS; p++) {
      for (let i = 0; i < PER_PUBLISHER; i++)
        expect(acks.has(`${p}-${i}`), `${p}-${i} lost (${failure})`).toBe(true);
    }
    expect(deliveries.naks + deliveries.ignored, failure).toBeGreaterThan(0);
    const info = await t.jsm.consumers.info("WQ", "workers");
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(TOTAL);
    expect(info.delivered.stream_seq).toBe(TOTAL);
    const si = await t.jsm.streams.info("WQ");
    expect(si.state.messages).toBe(0);
    expect(si.state.last_seq).toBe(TOTAL);
  }, 90_000);
});

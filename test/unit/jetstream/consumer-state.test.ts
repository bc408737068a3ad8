// Durable consumer state on file streams: persisted atomically under <stream>/obs/<name>/, restored on
// restart so delivery continues where it was, acked messages stay acked and unacked ones come back.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ackInfo,
  createHarness,
  type Harness,
  type Received,
  removeHarnessDir,
  waitFor,
} from "./consumer-harness.js";

let h: Harness;
afterEach(() => {
  h?.close();
  if (h) removeHarnessDir(h);
});

function setup(config: Record<string, unknown> = {}): void {
  h = createHarness();
  h.api("$JS.API.STREAM.CREATE.F", { name: "F", subjects: ["f.*"], storage: "file" });
  const r = h.api("$JS.API.CONSUMER.CREATE.F.D", {
    stream_name: "F",
    config: { durable_name: "D", ack_policy: "explicit", ...config },
  });
  expect(r.error).toBeUndefined();
}

async function pull(n: number, inbox: string): Promise<Received[]> {
  const c = h.collect(inbox);
  h.client.publish(
    "$JS.API.CONSUMER.MSG.NEXT.F.D",
    inbox,
    null,
    Buffer.from(JSON.stringify({ batch: n, no_wait: true })),
  );
  await waitFor(() => c.statuses().length > 0 || c.data().length >= n);
  c.unsubscribe();
  return c.data();
}

const stateOf = (i: Record<string, unknown>) => ({
  delivered: { ...(i.delivered as object), last_active: undefined },
  ack_floor: { ...(i.ack_floor as object), last_active: undefined },
  num_ack_pending: i.num_ack_pending,
  num_redelivered: i.num_redelivered,
  num_pending: i.num_pending,
  config: i.config,
  created: i.created,
});

describe("durable consumer state", () => {
  it("survives a restart: acked stays acked, unacked is redelivered, delivery continues", async () => {
    setup({ ack_wait: 1_000_000_000 });
    for (let i = 1; i <= 8; i++) h.pub("f.a", `m${i}`);
    const first = await pull(5, "in.1");
    for (const i of [0, 1, 3]) h.client.publish(first[i]!.reply!, null, null, Buffer.from("+ACK"));
    h.client.publish(first[4]!.reply!, null, null, Buffer.from("-NAK"));
    const again = await pull(1, "in.2");
    expect(ackInfo(again[0]!.reply)).toMatchObject({ sseq: 5, dc: 2 });
    const before = stateOf(h.api("$JS.API.CONSUMER.INFO.F.D"));
    expect(before).toMatchObject({ num_ack_pending: 2, num_redelivered: 1, num_pending: 3 });

    h = h.restart();
    const after = stateOf(h.api("$JS.API.CONSUMER.INFO.F.D"));
    expect(after).toEqual(before);

    // Messages 3 and 5 were never acked: they come back (the restored timer checks within ack_wait);
    // 6..8 continue the consumer sequence where it stopped.
    const c = h.collect("in.3");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.F.D",
      "in.3",
      null,
      Buffer.from('{"batch":20,"expires":4000000000}'),
    );
    const seen = new Map<number, { dc: number; dseq: number }>();
    await waitFor(
      () => {
        for (const m of c.data()) {
          const a = ackInfo(m.reply);
          if (!seen.has(a.sseq)) seen.set(a.sseq, a);
        }
        return seen.size === 5;
      },
      4000,
      "redeliveries and the rest",
    );
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([3, 5, 6, 7, 8]);
    expect(seen.get(6)).toEqual(expect.objectContaining({ dc: 1, dseq: 7 }));
    expect(seen.get(8)).toEqual(expect.objectContaining({ dc: 1, dseq: 9 }));
    expect(seen.get(3)!.dc).toBe(2);
    expect(seen.get(5)!.dc).toBe(3);
    // Acked messages 1, 2 and 4 never come back.
    expect(c.data().some((m) => [1, 2, 4].includes(ackInfo(m.reply).sseq))).toBe(false);
    for (const m of c.data()) h.client.publish(m.reply!, null, null, Buffer.from("+ACK"));
    const done = h.api("$JS.API.CONSUMER.INFO.F.D") as {
      ack_floor: { stream_seq: number };
      num_ack_pending: number;
    };
    expect(done.ack_floor.stream_seq).toBe(8);
    expect(done.num_ack_pending).toBe(0);
  });

  it("writes meta.inf and o.dat atomically under the stream's obs directory", async () => {
    setup();
    h.pub("f.a", "x");
    const [m] = await pull(1, "in.1");
    h.client.publish(m!.reply!, null, null, Buffer.from("+ACK"));
    const dir = join(h.dir, "jetstream", "$G", "streams", "F", "obs", "D");
    await waitFor(() => existsSync(join(dir, "o.dat")), 2000, "state file");
    await waitFor(
      () => JSON.parse(readFileSync(join(dir, "o.dat"), "utf8")).ack_floor.stream_seq === 1,
      2000,
    );
    const meta = JSON.parse(readFileSync(join(dir, "meta.inf"), "utf8"));
    expect(meta).toMatchObject({ name: "D", config: { durable_name: "D", ack_policy: "explicit" } });
    expect(existsSync(join(dir, "o.dat.tmp"))).toBe(false);
  });

  it("a deleted durable's files go with it", async () => {
    setup();
    const dir = join(h.dir, "jetstream", "$G", "streams", "F", "obs", "D");
    expect(existsSync(join(dir, "meta.inf"))).toBe(true);
    h.api("$JS.API.CONSUMER.DELETE.F.D");
    expect(existsSync(dir)).toBe(false);
    h = h.restart();
    expect((h.api("$JS.API.CONSUMER.INFO.F.D") as { error?: { err_code: number } }).error?.err_code).toBe(
      10014,
    );
  });

  it("a corrupt state file restarts the consumer from its config rather than losing it", async () => {
    setup();
    h.pub("f.a", "x");
    await pull(1, "in.1");
    h.close();
    const dir = join(h.dir, "jetstream", "$G", "streams", "F", "obs", "D");
    writeFileSync(join(dir, "o.dat"), "{not json");
    h = createHarness(h.dir);
    const i = h.api("$JS.API.CONSUMER.INFO.F.D") as {
      num_pending: number;
      delivered: { stream_seq: number };
    };
    expect(i.delivered.stream_seq).toBe(0);
    expect(i.num_pending).toBe(1);
  });

  it("ephemerals and memory-stream durables are not persisted", async () => {
    h = createHarness();
    h.api("$JS.API.STREAM.CREATE.F", { name: "F", subjects: ["f.*"], storage: "file" });
    h.api("$JS.API.STREAM.CREATE.M", { name: "M", subjects: ["m.*"], storage: "memory" });
    h.api("$JS.API.CONSUMER.CREATE.F.E", { stream_name: "F", config: { name: "E", ack_policy: "explicit" } });
    h.api("$JS.API.CONSUMER.CREATE.M.D", {
      stream_name: "M",
      config: { durable_name: "D", ack_policy: "explicit" },
    });
    expect(existsSync(join(h.dir, "jetstream", "$G", "streams", "F", "obs", "E"))).toBe(false);
    h = h.restart();
    expect((h.api("$JS.API.CONSUMER.NAMES.F") as { consumers: string[] }).consumers).toEqual([]);
  });
});

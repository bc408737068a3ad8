// Clean restarts: file streams come back with the same config, created time, messages, sequences,
// per-subject state, deleted sequences and dedupe ids; memory streams do not (as in nats-server).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { StorageType, type StreamInfo } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { apiErrorOf, useJetStream } from "./jetstream-stream-fixture.js";

describe("JetStream across a clean restart", () => {
  const t = useJetStream();

  async function snapshot(name: string): Promise<{ info: StreamInfo; msgs: unknown[] }> {
    const info = await t.jsm.streams.info(name, { deleted_details: true, subjects_filter: ">" });
    const msgs: unknown[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const r = await t.api(`$JS.API.STREAM.MSG.GET.${name}`, { seq });
      msgs.push(r.message ?? r.error);
    }
    return { info, msgs };
  }

  it("restores file streams exactly and continues their sequences and dedupe", async () => {
    await t.jsm.streams.add({
      name: "ORDERS",
      subjects: ["orders.*"],
      storage: StorageType.File,
      max_msgs_per_subject: 5,
      allow_direct: true,
      description: "kept",
    });
    const h = headers();
    h.set("Trace", "t1");
    for (let i = 1; i <= 20; i++) {
      await t.js.publish(`orders.${i % 3}`, `order ${i}`, { msgID: `o${i}`, headers: i % 2 ? h : undefined });
    }
    await t.jsm.streams.deleteMessage("ORDERS", 15);
    await t.jsm.streams.deleteMessage("ORDERS", 17, false);
    await t.jsm.streams.add({ name: "EMPTY", subjects: ["empty"], storage: StorageType.File });
    await t.jsm.streams.add({ name: "VOLATILE", subjects: ["volatile"], storage: StorageType.Memory });
    await t.js.publish("volatile", "gone after restart");
    const before = await snapshot("ORDERS");
    const emptyBefore = await t.jsm.streams.info("EMPTY");

    await t.restart();

    const after = await snapshot("ORDERS");
    expect(after.info.config).toEqual(before.info.config);
    expect(after.info.created).toBe(before.info.created);
    expect(after.info.state).toEqual(before.info.state);
    expect(after.info.state.deleted).toEqual([15, 17]);
    expect(after.msgs).toEqual(before.msgs);
    expect(await t.jsm.streams.info("EMPTY")).toMatchObject({
      config: emptyBefore.config,
      state: emptyBefore.state,
    });
    expect(await apiErrorOf(t.jsm.streams.info("VOLATILE"))).toMatchObject({ err_code: 10059 });

    expect(await t.js.publish("orders.1", "dup", { msgID: "o20" })).toMatchObject({
      seq: 20,
      duplicate: true,
    });
    expect(await t.js.publish("orders.1", "next", { expect: { lastMsgID: "o20" } })).toMatchObject({
      seq: 21,
    });
    expect((await t.jsm.direct.getMessage("ORDERS", { last_by_subj: "orders.1" }))?.string()).toBe("next");
    expect((await t.jsm.getAccountInfo()).streams).toBe(2);
  });

  it("skips a stream whose metadata is corrupt and serves the others", async () => {
    await t.jsm.streams.add({ name: "GOOD", subjects: ["good"], storage: StorageType.File });
    await t.jsm.streams.add({ name: "BAD", subjects: ["bad"], storage: StorageType.File });
    await t.js.publish("good", "x");
    await t.js.publish("bad", "y");
    const metaDir = join(t.storeDir, "jetstream", "$G", "streams", "BAD");
    writeFileSync(join(metaDir, "meta.inf"), '{"Created":"2024-01-01T00:00:00Z","name":"BAD","subj');
    await t.restart();
    expect((await t.jsm.streams.info("GOOD")).state.messages).toBe(1);
    expect(await apiErrorOf(t.jsm.streams.info("BAD"))).toMatchObject({ err_code: 10059 });
    expect((await t.js.publish("good", "z")).seq).toBe(2);
  });
});

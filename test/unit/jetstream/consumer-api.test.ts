// The consumer API's behaviour beyond its JSON (which test/compat compares with nats-server): advisories,
// updates of an existing consumer, generated names, max_consumers, ephemeral pull consumers expiring.

import { afterEach, describe, expect, it } from "vitest";
import { createHarness, type Harness, removeHarnessDir, settle, waitFor } from "./consumer-harness.js";

let h: Harness;
afterEach(() => {
  h?.close();
  if (h) removeHarnessDir(h);
});

type Json = Record<string, unknown> & { error?: { code: number; err_code: number; description: string } };

function stream(extra: Record<string, unknown> = {}): void {
  h = createHarness();
  h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.*"], storage: "memory", ...extra });
}

const create = (subject: string, config: Record<string, unknown>) =>
  h.api(subject, { stream_name: "S", config }) as Json;

describe("consumer API", () => {
  it("publishes create and delete advisories", () => {
    stream();
    const adv = h.collect("$JS.EVENT.ADVISORY.CONSUMER.>");
    create("$JS.API.CONSUMER.CREATE.S.D", { durable_name: "D", ack_policy: "explicit" });
    h.api("$JS.API.CONSUMER.DELETE.S.D");
    expect(adv.msgs.map((m) => m.subject)).toEqual([
      "$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.D",
      "$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.D",
    ]);
    const body = JSON.parse(adv.msgs[0]!.payload.toString());
    expect(body).toMatchObject({
      type: "io.nats.jetstream.advisory.v1.consumer_action",
      stream: "S",
      consumer: "D",
      action: "create",
    });
    expect(typeof body.id).toBe("string");
    expect(typeof body.timestamp).toBe("string");
    expect(JSON.parse(adv.msgs[1]!.payload.toString()).action).toBe("delete");
  });

  it("creating an existing consumer with allowed changes updates it; other changes are refused", () => {
    stream();
    const first = create("$JS.API.CONSUMER.CREATE.S.D", {
      durable_name: "D",
      ack_policy: "explicit",
      max_ack_pending: 5,
    });
    const again = create("$JS.API.CONSUMER.CREATE.S.D", {
      durable_name: "D",
      ack_policy: "explicit",
      max_ack_pending: 5,
    });
    expect(again.created).toBe(first.created);
    const updated = create("$JS.API.CONSUMER.CREATE.S.D", {
      durable_name: "D",
      ack_policy: "explicit",
      max_ack_pending: 7,
      description: "changed",
    });
    expect(updated.created).toBe(first.created);
    expect((updated.config as Json).max_ack_pending).toBe(7);
    expect((updated.config as Json).description).toBe("changed");
    const refused = [
      [{ deliver_policy: "new" }, "deliver policy can not be updated"],
      [{ replay_policy: "original" }, "replay policy can not be updated"],
      // A push config has no max_waiting default, and nats-server compares max_waiting first.
      [{ deliver_subject: "push.x" }, "max waiting can not be updated"],
      [{ max_waiting: 3 }, "max waiting can not be updated"],
    ] as const;
    for (const [change, text] of refused) {
      const r = create("$JS.API.CONSUMER.CREATE.S.D", {
        durable_name: "D",
        ack_policy: "explicit",
        ...change,
      });
      expect(r.error).toEqual({ code: 500, err_code: 10012, description: text });
    }
  });

  it("legacy ephemerals get a generated 8-character name and the default inactive threshold", () => {
    stream();
    const r = create("$JS.API.CONSUMER.CREATE.S", { ack_policy: "explicit" });
    expect(r.name).toMatch(/^[0-9A-Za-z]{8}$/);
    expect((r.config as Json).inactive_threshold).toBe(5_000_000_000);
    expect((r.config as Json).name).toBeUndefined();
    const names = h.api("$JS.API.CONSUMER.NAMES.S") as { consumers: string[] };
    expect(names.consumers).toEqual([r.name]);
  });

  it("refuses consumers past the stream's max_consumers", () => {
    stream({ max_consumers: 1 });
    expect(
      create("$JS.API.CONSUMER.CREATE.S.A", { durable_name: "A", ack_policy: "explicit" }).error,
    ).toBeUndefined();
    expect(
      create("$JS.API.CONSUMER.CREATE.S.B", { durable_name: "B", ack_policy: "explicit" }).error,
    ).toEqual({
      code: 400,
      err_code: 10026,
      description: "maximum consumers limit reached",
    });
  });

  it("an idle ephemeral pull consumer is deleted after its inactive threshold", async () => {
    stream();
    create("$JS.API.CONSUMER.CREATE.S.E", {
      name: "E",
      ack_policy: "explicit",
      inactive_threshold: 100_000_000,
    });
    const start = Date.now();
    await waitFor(() => !h.jsa.lookupStream("S")!.consumers.has("E"), 3000, "deletion");
    // Threshold plus nats-server's 100ms..1s jitter for pull consumers.
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
  });

  it("a pull consumer with a waiting request is not deleted for inactivity", async () => {
    stream();
    create("$JS.API.CONSUMER.CREATE.S.E", {
      name: "E",
      ack_policy: "explicit",
      inactive_threshold: 100_000_000,
    });
    h.collect("in.keep");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.E",
      "in.keep",
      null,
      Buffer.from('{"batch":1,"expires":5000000000}'),
    );
    await new Promise((r) => setTimeout(r, 1400));
    expect(h.jsa.lookupStream("S")!.consumers.has("E")).toBe(true);
  });

  it("deleting the stream stops its consumers and their timers", async () => {
    stream();
    create("$JS.API.CONSUMER.CREATE.S.D", {
      durable_name: "D",
      ack_policy: "explicit",
      ack_wait: 50_000_000,
    });
    const c = h.consumer("S", "D");
    h.pub("s.a", "x");
    h.client.publish("$JS.API.CONSUMER.MSG.NEXT.S.D", "in.x", null, Buffer.from("1"));
    await settle();
    h.api("$JS.API.STREAM.DELETE.S");
    expect(c.closed).toBe(true);
    expect(h.api("$JS.API.CONSUMER.INFO.S.D").error).toMatchObject({ err_code: 10059 });
  });
});

describe("stream deletion", () => {
  it("deletes its consumers with advisories and releases their waiting pull requests", async () => {
    stream();
    create("$JS.API.CONSUMER.CREATE.S.D", { durable_name: "D", ack_policy: "explicit" });
    const adv = h.collect("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.D");
    const waiting = h.collect("in.wait");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.D",
      "in.wait",
      null,
      Buffer.from('{"batch":1,"expires":5000000000}'),
    );
    await settle();
    h.api("$JS.API.STREAM.DELETE.S");
    expect(adv.msgs.length).toBe(1);
    expect(waiting.msgs.map((m) => `${m.status} ${m.description}`)).toEqual(["409 Consumer Deleted"]);
  });
});

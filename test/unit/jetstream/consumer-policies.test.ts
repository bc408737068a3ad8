// Deliver policies (all, last, last_per_subject, new, by_start_sequence, by_start_time), replay original,
// filter_subject and filter_subjects, headers_only, and num_pending as each of them counts it.

import { afterEach, describe, expect, it } from "vitest";
import { buildHeaders } from "../../../src/core/headers.js";
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

function stream(): void {
  h = createHarness();
  h.api("$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
}

/** Creates a pull consumer and drains it with a no_wait request; returns the messages. */
async function drain(
  config: Record<string, unknown>,
  name = "C",
): Promise<{ msgs: Received[]; info: Record<string, unknown> }> {
  const r = h.api(`$JS.API.CONSUMER.CREATE.S.${name}`, {
    stream_name: "S",
    config: { name, ack_policy: "none", ...config },
  });
  expect(r.error).toBeUndefined();
  const c = h.collect(`in.${name}`);
  h.client.publish(
    `$JS.API.CONSUMER.MSG.NEXT.S.${name}`,
    `in.${name}`,
    null,
    Buffer.from('{"batch":100,"no_wait":true}'),
  );
  await waitFor(() => c.statuses().length > 0);
  return { msgs: c.data(), info: r };
}

const seqs = (msgs: Received[]) => msgs.map((m) => ackInfo(m.reply).sseq);

describe("deliver policies", () => {
  it("all, last, new and by_start_sequence pick their first message", async () => {
    stream();
    for (const s of ["a", "b", "a", "c", "b"]) h.pub(`s.${s}`, s);
    expect(seqs((await drain({ deliver_policy: "all" }, "all")).msgs)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs((await drain({ deliver_policy: "last" }, "last")).msgs)).toEqual([5]);
    expect(seqs((await drain({ deliver_policy: "last", filter_subject: "s.a" }, "lastA")).msgs)).toEqual([3]);
    expect(
      seqs((await drain({ deliver_policy: "by_start_sequence", opt_start_seq: 3 }, "seq3")).msgs),
    ).toEqual([3, 4, 5]);
    const created = await drain({ deliver_policy: "new" }, "new");
    expect(created.msgs).toEqual([]);
    expect(created.info.num_pending).toBe(0);
  });

  it("new delivers only what arrives after creation", async () => {
    stream();
    h.pub("s.a", "old");
    h.api("$JS.API.CONSUMER.CREATE.S.N", {
      stream_name: "S",
      config: { name: "N", ack_policy: "none", deliver_policy: "new" },
    });
    h.pub("s.a", "fresh");
    const c = h.collect("in.n");
    h.client.publish(
      "$JS.API.CONSUMER.MSG.NEXT.S.N",
      "in.n",
      null,
      Buffer.from('{"batch":5,"no_wait":true}'),
    );
    await waitFor(() => c.statuses().length > 0);
    expect(c.data().map((m) => m.payload.toString())).toEqual(["fresh"]);
  });

  it("last_per_subject visits each subject's newest message, then new ones", async () => {
    stream();
    for (const s of ["a", "b", "a", "c", "b", "c", "a"]) h.pub(`s.${s}`, s);
    const r = await drain({ deliver_policy: "last_per_subject", filter_subject: "s.*" }, "lps");
    expect(r.info.num_pending).toBe(3);
    expect(seqs(r.msgs)).toEqual([5, 6, 7]);
    const filtered = await drain({ deliver_policy: "last_per_subject", filter_subject: "s.b" }, "lpsb");
    expect(seqs(filtered.msgs)).toEqual([5]);
  });

  it("by_start_time starts at the first message stored at or after the time", async () => {
    stream();
    h.pub("s.a", "before");
    await new Promise((r) => setTimeout(r, 20));
    const t = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    h.pub("s.a", "after1");
    h.pub("s.a", "after2");
    const r = await drain({ deliver_policy: "by_start_time", opt_start_time: t }, "time");
    expect(r.msgs.map((m) => m.payload.toString())).toEqual(["after1", "after2"]);
    // Echoed as Go prints times (trailing zeros of the fraction dropped): the same instant.
    const echoed = (r.info.config as { opt_start_time: string }).opt_start_time;
    expect(echoed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    expect(new Date(echoed).getTime()).toBe(new Date(t).getTime());
  });
});

describe("replay policies", () => {
  it("replay original spaces messages as they were stored", async () => {
    stream();
    h.pub("s.a", "0");
    await new Promise((r) => setTimeout(r, 150));
    h.pub("s.a", "1");
    await new Promise((r) => setTimeout(r, 100));
    h.pub("s.a", "2");
    const d = h.collect("deliver.r");
    h.api("$JS.API.CONSUMER.CREATE.S.R", {
      stream_name: "S",
      config: {
        durable_name: "R",
        ack_policy: "none",
        deliver_subject: "deliver.r",
        replay_policy: "original",
      },
    });
    await waitFor(() => d.msgs.length === 3, 3000);
    const gap1 = d.msgs[1]!.at - d.msgs[0]!.at;
    const gap2 = d.msgs[2]!.at - d.msgs[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(135);
    expect(gap1).toBeLessThan(400);
    expect(gap2).toBeGreaterThanOrEqual(85);
    expect(gap2).toBeLessThan(350);
  });

  it("replay instant delivers stored messages back to back", async () => {
    stream();
    h.pub("s.a", "0");
    await new Promise((r) => setTimeout(r, 150));
    h.pub("s.a", "1");
    const d = h.collect("deliver.i");
    h.api("$JS.API.CONSUMER.CREATE.S.I", {
      stream_name: "S",
      config: { durable_name: "I", ack_policy: "none", deliver_subject: "deliver.i" },
    });
    await waitFor(() => d.msgs.length === 2);
    expect(d.msgs[1]!.at - d.msgs[0]!.at).toBeLessThan(100);
  });
});

describe("filters and headers_only", () => {
  it("filter_subject with wildcards delivers only matching messages and counts only them", async () => {
    stream();
    for (const s of ["a.1", "b.1", "a.2", "c", "a.3"]) h.pub(`s.${s}`, s);
    const r = await drain({ filter_subject: "s.a.*" }, "fa");
    expect(r.info.num_pending).toBe(3);
    expect(r.msgs.map((m) => m.subject)).toEqual(["s.a.1", "s.a.2", "s.a.3"]);
    expect(r.msgs.map((m) => ackInfo(m.reply).pending)).toEqual([2, 1, 0]);
  });

  it("filter_subjects delivers the union of several filters in stream order", async () => {
    stream();
    for (const s of ["a", "b", "c", "a", "b", "c"]) h.pub(`s.${s}`, s);
    const r = await drain({ filter_subjects: ["s.a", "s.c"] }, "multi");
    expect((r.info.config as { filter_subjects: string[] }).filter_subjects).toEqual(["s.a", "s.c"]);
    expect(r.info.num_pending).toBe(4);
    expect(seqs(r.msgs)).toEqual([1, 3, 4, 6]);
  });

  it("refuses overlapping, empty or doubled filters", () => {
    stream();
    const err = (config: Record<string, unknown>) =>
      (
        h.api("$JS.API.CONSUMER.CREATE.S", {
          stream_name: "S",
          config: { ack_policy: "none", ...config },
        }) as {
          error?: { err_code: number };
        }
      ).error?.err_code;
    expect(err({ filter_subjects: ["s.a", "s.*"] })).toBe(10138);
    expect(err({ filter_subjects: ["s.a", ""] })).toBe(10139);
    expect(err({ filter_subjects: ["s.a"], filter_subject: "s.b" })).toBe(10136);
    expect(err({ filter_subjects: ["t.a"] })).toBe(10093);
  });

  it("headers_only sends the headers with Nats-Msg-Size and no payload", async () => {
    stream();
    h.pub("s.a", "hello world", buildHeaders([["X-Kind", "greeting"]]));
    h.pub("s.b", "12345");
    const r = await drain({ headers_only: true }, "ho");
    expect(r.msgs.map((m) => [m.payload.length, m.hdr])).toEqual([
      [0, { "X-Kind": "greeting", "Nats-Msg-Size": "11" }],
      [0, { "Nats-Msg-Size": "5" }],
    ]);
    expect(r.msgs[1]!.headers!.toString()).toBe("NATS/1.0\r\nNats-Msg-Size: 5\r\n\r\n");
  });
});

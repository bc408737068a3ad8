// `natsgate bench` run as a real process against natsgate and nats-server 2.9.10 with small counts: the
// summary lines parse, the per-client counts (from --csv) are exact, and JetStream runs store what they say.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, ensureBuilt, jetStreamTargets, type Target } from "./cli-support.js";

beforeAll(() => ensureBuilt(), 120_000);

/** ClientID -> [MsgCount, MsgBytes] from the CSV the run saved. */
function csvCounts(file: string): Record<string, [number, number]> {
  const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n");
  expect(header).toBe("#RunID, ClientID, MsgCount, MsgBytes, MsgsPerSec, BytesPerSec, DurationSecs");
  const out: Record<string, [number, number]> = {};
  for (const row of rows) {
    const cells = row.split(",");
    expect(cells).toHaveLength(7);
    expect(Number(cells[4])).toBeGreaterThan(0);
    out[cells[1] as string] = [Number(cells[2]), Number(cells[3])];
  }
  return out;
}

const RATE = /([\d,]+) msgs\/sec ~ ([\d.]+) MB\/sec/;

function rateOf(stdout: string, label: string): { msgs: number; mb: number } {
  const line = stdout.split("\n").find((l) => l.trimStart().startsWith(`${label} stats:`));
  expect(line, `${label} stats line in:\n${stdout}`).toBeDefined();
  const m = RATE.exec(line as string) as RegExpExecArray;
  return { msgs: Number((m[1] as string).replace(/,/g, "")), mb: Number(m[2]) };
}

function latencyOf(stdout: string, label: string): { p50: number; p99: number; samples: number } {
  const re = new RegExp(
    ` Latency \\(${label}\\): min [\\d.]+ms \\| p50 ([\\d.]+)ms \\| p90 [\\d.]+ms \\| p99 ([\\d.]+)ms \\| p99\\.9 [\\d.]+ms \\| max [\\d.]+ms \\(([\\d,]+) samples\\)`,
  );
  const m = re.exec(stdout);
  expect(m, `${label} latency in:\n${stdout}`).not.toBeNull();
  const [, p50, p99, samples] = m as RegExpExecArray;
  return { p50: Number(p50), p99: Number(p99), samples: Number((samples as string).replace(/,/g, "")) };
}

describe.each(jetStreamTargets())("natsgate bench against %s", (_name, start) => {
  let target: Target;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  const run = (...args: string[]) => cli(target.url, args, 60_000);

  beforeAll(async () => {
    target = await start();
    nc = await connect({ servers: target.url.replace("nats://", ""), reconnect: false });
    jsm = await jetstreamManager(nc);
    dir = mkdtempSync(join(tmpdir(), "natsgate-cli-bench-"));
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await target?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("core pub/sub: every subscriber gets every message; summary and CSV agree", async () => {
    const csv = join(dir, "core.csv");
    const r = await run(
      "bench",
      "b.core",
      "--pub",
      "2",
      "--sub",
      "2",
      "--msgs",
      "1000",
      "--size",
      "64",
      "--csv",
      csv,
    );
    expect(r.code).toBe(0);
    // Off a terminal only the start line goes to stderr: no progress bar redraws.
    expect(r.stderr).toBe(
      "Starting NATS Pub/Sub benchmark [subject=b.core, msgs=1000, msgsize=64, pubs=2, subs=2]\n",
    );
    expect(rateOf(r.stdout, "NATS Pub/Sub").msgs).toBeGreaterThan(0);
    expect(rateOf(r.stdout, "Pub").msgs).toBeGreaterThan(0);
    expect(rateOf(r.stdout, "Sub").mb).toBeGreaterThan(0);
    expect(r.stdout.match(/\(500 msgs\)/g)).toHaveLength(2);
    expect(r.stdout.match(/\(1,000 msgs\)/g)).toHaveLength(2);
    const lat = latencyOf(r.stdout, "publish to receive");
    expect(lat.samples).toBe(2000);
    expect(lat.p99).toBeGreaterThanOrEqual(lat.p50);
    expect(csvCounts(csv)).toEqual({
      P0: [500, 32_000],
      P1: [500, 32_000],
      S0: [1000, 64_000],
      S1: [1000, 64_000],
    });
  });

  it("request/reply: each request is answered once by the replier queue group", async () => {
    const csv = join(dir, "rr.csv");
    const r = await run(
      "bench",
      "b.rr",
      "--pub",
      "1",
      "--sub",
      "2",
      "--msgs",
      "200",
      "--request",
      "--reply",
      "--csv",
      csv,
    );
    expect(r.code).toBe(0);
    expect(rateOf(r.stdout, "NATS Request/Reply").msgs).toBeGreaterThan(0);
    expect(latencyOf(r.stdout, "request round trip").samples).toBe(200);
    const counts = csvCounts(csv);
    expect(counts.P0).toEqual([200, 200 * 128]);
    expect((counts.S0?.[0] ?? 0) + (counts.S1?.[0] ?? 0)).toBe(200);
  });

  it("JetStream publish and pull consume: the stream stores them and the subscribers split them", async () => {
    const csv = join(dir, "js.csv");
    const r = await run(
      "bench",
      "b.js",
      "--js",
      "--stream",
      "BENCH1",
      "--pub",
      "2",
      "--sub",
      "2",
      "--msgs",
      "500",
      "--pull",
      "--csv",
      csv,
    );
    expect(r.code).toBe(0);
    expect(rateOf(r.stdout, "JetStream Pub/Sub").msgs).toBeGreaterThan(0);
    expect(latencyOf(r.stdout, "publish to ack").samples).toBe(500);
    expect(latencyOf(r.stdout, "publish to receive").samples).toBe(500);
    const counts = csvCounts(csv);
    expect([counts.P0, counts.P1]).toEqual([
      [250, 250 * 128],
      [250, 250 * 128],
    ]);
    expect((counts.S0?.[0] ?? 0) + (counts.S1?.[0] ?? 0)).toBe(500);
    const si = await jsm.streams.info("BENCH1");
    expect(si.config).toMatchObject({ subjects: ["b.js"], storage: "memory", num_replicas: 1 });
    expect(si.state.messages).toBe(500);
    // The benchmark's consumer is removed afterwards.
    expect(si.state.consumer_count).toBe(0);
  });

  it("JetStream push consume of an existing stream, then --deletestream removes it", async () => {
    const r = await run(
      "bench",
      "b.js",
      "--js",
      "--stream",
      "BENCH1",
      "--sub",
      "1",
      "--push",
      "--msgs",
      "500",
      "--deletestream",
    );
    expect(r.code).toBe(0);
    const sub = rateOf(r.stdout, "JetStream Sub");
    expect(sub.msgs).toBeGreaterThan(0);
    expect(latencyOf(r.stdout, "publish to receive").samples).toBe(500);
    await expect(jsm.streams.info("BENCH1")).rejects.toThrow(/stream not found/);
  });

  it("JetStream --multisubject publishes on numbered subjects under the base subject", async () => {
    const r = await run(
      "bench",
      "b.multi",
      "--js",
      "--stream",
      "BENCH2",
      "--pub",
      "1",
      "--msgs",
      "50",
      "--multisubject",
      "--multisubjectmax",
      "10",
      "--syncpub",
      "--storage",
      "file",
    );
    expect(r.code).toBe(0);
    expect(rateOf(r.stdout, "JetStream Pub").msgs).toBeGreaterThan(0);
    const si = await jsm.streams.info("BENCH2", { subjects_filter: ">" });
    expect(si.config).toMatchObject({ subjects: ["b.multi.>"], storage: "file" });
    expect(si.state.messages).toBe(50);
    expect(Object.keys(si.state.subjects ?? {}).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `b.multi.${i}`).sort(),
    );
    await jsm.streams.delete("BENCH2");
  });

  it("without publishers or subscribers it is a one-line error, exit 1", async () => {
    const r = await run("bench", "b.none");
    expect(r).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "natsgate: error: at least one publisher (--pub) or subscriber (--sub) is required\n",
    });
  });
});

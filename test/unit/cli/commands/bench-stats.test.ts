// bench's arithmetic: splitting messages over clients, nearest-rank percentiles, and the summary and CSV text.

import { describe, expect, it } from "vitest";
import { split } from "../../../../src/cli/commands/bench-command.js";
import {
  type BenchResult,
  LatencyRecorder,
  renderCsv,
  renderSummary,
  SampleGroup,
} from "../../../../src/cli/commands/bench-stats.js";

function group(...specs: [string, number, number, number][]): SampleGroup {
  const g = new SampleGroup();
  for (const [id, msgs, startMs, endMs] of specs) {
    const c = g.add(id);
    c.msgs = msgs;
    c.bytes = msgs * 100;
    c.start = startMs;
    c.end = endMs;
  }
  return g;
}

describe("bench statistics", () => {
  it("splits messages over clients with the remainder going first", () => {
    expect(split(10, 3)).toEqual([4, 3, 3]);
    expect(split(2, 4)).toEqual([1, 1, 0, 0]);
    expect(split(1000, 1)).toEqual([1000]);
  });

  it("takes nearest-rank percentiles", () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.record(i);
    expect(r.count).toBe(100);
    expect(r.percentiles([0, 50, 90, 99, 100])).toEqual([1, 50, 90, 99, 100]);
  });

  it("renders group, per-client and latency lines", () => {
    const latency = new LatencyRecorder();
    for (const v of [1, 2, 3, 4]) latency.record(v);
    const result: BenchResult = {
      title: "NATS Pub/Sub",
      pubs: group(["P0", 1000, 0, 1000]),
      subs: group(["S0", 1000, 0, 500], ["S1", 1000, 0, 1000]),
      latencies: [
        { label: "publish to ack", recorder: new LatencyRecorder() },
        { label: "publish to receive", recorder: latency },
      ],
    };
    expect(renderSummary(result)).toBe(
      [
        "",
        "NATS Pub/Sub stats: 3,000 msgs/sec ~ 0.29 MB/sec",
        " Pub stats: 1,000 msgs/sec ~ 0.10 MB/sec",
        " Sub stats: 2,000 msgs/sec ~ 0.19 MB/sec",
        "  [1] 2,000 msgs/sec ~ 0.19 MB/sec (1,000 msgs)",
        "  [2] 1,000 msgs/sec ~ 0.10 MB/sec (1,000 msgs)",
        "  min 1,000 | avg 1,500 | max 2,000 | stddev 500 msgs",
        " Latency (publish to receive): min 1.000ms | p50 2.000ms | p90 4.000ms | p99 4.000ms | p99.9 4.000ms | max 4.000ms (4 samples)",
        "",
      ].join("\n"),
    );
    expect(renderCsv(result, "run1").split("\n").slice(1, 3)).toEqual([
      "run1,P0,1000,100000,1000,100000.00,1.000000",
      "run1,S0,1000,100000,2000,200000.00,0.500000",
    ]);
  });
});

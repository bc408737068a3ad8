// Go's time and duration spellings that monitoring JSON must reproduce.

import { describe, expect, it } from "vitest";
import { goDuration, goTime, goUptime } from "../../../src/monitor/go-format.js";

describe("goDuration (time.Duration.String)", () => {
  it.each([
    [0, "0s"],
    [999, "999ns"],
    [769_000, "769µs"],
    [1_500, "1.5µs"],
    [2_150_620, "2.15062ms"],
    [1_000_000, "1ms"],
    [1_500_000_000, "1.5s"],
    [60_000_000_000, "1m0s"],
    [90_000_000_000, "1m30s"],
    [3_600_000_000_000, "1h0m0s"],
    [3_723_500_000_000, "1h2m3.5s"],
    [-1_500_000, "-1.5ms"],
  ])("%d ns is %s", (ns, text) => {
    expect(goDuration(ns)).toBe(text);
  });
});

describe("goUptime (nats-server myUptime)", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [65_000, "1m5s"],
    [3_600_000, "1h0m0s"],
    [90_061_000, "1d1h1m1s"],
    [366 * 86_400_000, "1y1d0h0m0s"],
  ])("%d ms is %s", (ms, text) => {
    expect(goUptime(ms)).toBe(text);
  });
});

describe("goTime (RFC 3339 as encoding/json writes time.Time)", () => {
  it("drops trailing zeros of the fraction and the fraction itself when zero", () => {
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 670))).toBe("2024-01-02T03:04:05.67Z");
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 7))).toBe("2024-01-02T03:04:05.007Z");
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 0))).toBe("2024-01-02T03:04:05Z");
  });
});

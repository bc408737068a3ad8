// Timestamps: RFC3339Nano as nats-server prints it, exact Unix nanoseconds, a clock that never repeats.

import { describe, expect, it } from "vitest";
import { formatRfc3339Nano, fromUnixNanos, StoreClock, toUnixNanos } from "../../../src/storage/timestamp.js";

describe("timestamps", () => {
  it("prints RFC3339Nano like Go: trailing zeros trimmed, no fraction when zero", () => {
    const ms = Date.UTC(2026, 10, 25, 3, 42, 13, 188);
    expect(formatRfc3339Nano(ms, 325_903)).toBe("2026-11-25T03:42:13.188325903Z");
    expect(formatRfc3339Nano(ms, 0)).toBe("2026-11-25T03:42:13.188Z");
    expect(formatRfc3339Nano(Date.UTC(2026, 10, 25, 3, 42, 13, 196), 120_000)).toBe(
      "2026-11-25T03:42:13.19612Z",
    );
    expect(formatRfc3339Nano(Date.UTC(2026, 0, 1), 0)).toBe("2026-01-01T00:00:00Z");
    expect(formatRfc3339Nano(Date.UTC(2026, 0, 1), 1)).toBe("2026-01-01T00:00:00.000000001Z");
    expect(formatRfc3339Nano(0, 0)).toBe("0001-01-01T00:00:00Z");
  });

  it("converts to and from exact Unix nanoseconds", () => {
    expect(toUnixNanos(1_764_042_133_188, 325_903)).toBe(1_764_042_133_188_325_903n);
    expect(fromUnixNanos(1_764_042_133_188_325_903n)).toEqual({ ms: 1_764_042_133_188, nanos: 325_903 });
  });

  it("hands out strictly increasing times even when the wall clock stands still or goes back", () => {
    let wall = 1000;
    const clock = new StoreClock(() => wall);
    const seen: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      clock.next();
      seen.push(toUnixNanos(clock.ms, clock.nanos));
      if (i === 2) wall = 900;
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
    clock.observe(5000, 10);
    clock.next();
    expect([clock.ms, clock.nanos]).toEqual([5000, 11]);
  });
});

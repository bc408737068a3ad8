// The CLI progress bar: silent without a terminal, throttled redraws, and a final line with totals.

import { describe, expect, it } from "vitest";
import { createProgress, TerminalProgress } from "../../../../src/cli/commands/progress-bar.js";

describe("progress bar", () => {
  it("draws the final state with percentage and IEC sizes, ending the line", () => {
    const writes: string[] = [];
    const p = new TerminalProgress("Put", 4 * 1024 * 1024, "bytes", (s) => writes.push(s));
    p.add(1024 * 1024);
    p.add(3 * 1024 * 1024);
    p.done();
    const last = writes.at(-1) as string;
    expect(last.startsWith("\rPut ")).toBe(true);
    expect(last).toContain(" 100% 4.0 MiB / 4.0 MiB ");
    expect(last.endsWith("\n")).toBe(true);
    expect(last).toContain("█".repeat(30));
  });

  it("redraws at most every 100ms however often add() is called", () => {
    const writes: string[] = [];
    const p = new TerminalProgress("Msgs", 1_000_000, "count", (s) => writes.push(s));
    for (let i = 0; i < 100_000; i++) p.add(1);
    expect(writes.length).toBeLessThan(20);
    p.done();
    expect(writes.at(-1)).toContain("  10% 100,000 / 1,000,000 ");
  });

  it("is silent when progress is disabled or there is nothing to measure", () => {
    expect(createProgress("Put", 100, "bytes", false)).not.toBeInstanceOf(TerminalProgress);
    expect(createProgress("Put", 0, "bytes", true)).not.toBeInstanceOf(TerminalProgress);
  });
});

// Durations past 2^53 nanoseconds (a year of max_age, as `nats stream add --max-age 1y` sends it) are
// accepted and echoed exactly, as nats-server's int64 fields are.

import { describe, expect, it } from "vitest";
import { useJetStream } from "./jetstream-stream-fixture.js";

const YEAR_NS = 31_536_000_000_000_000;

describe("int64 fields beyond 2^53", () => {
  const t = useJetStream();

  it("creates a stream with max_age of one year and reports it unchanged", async () => {
    const created = (await t.api("$JS.API.STREAM.CREATE.YEAR", {
      name: "YEAR",
      subjects: ["year.>"],
      max_age: YEAR_NS,
      duplicate_window: 120_000_000_000,
    })) as { config?: { max_age: number }; error?: unknown };
    expect(created.error).toBeUndefined();
    expect(created.config?.max_age).toBe(YEAR_NS);
    const info = (await t.api("$JS.API.STREAM.INFO.YEAR", {})) as { config: { max_age: number } };
    expect(info.config.max_age).toBe(YEAR_NS);
  });
});

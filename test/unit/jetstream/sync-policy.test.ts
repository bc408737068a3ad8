// Which fsync policy the jetstream options select: durable unless a sync_interval is configured.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../../src/config/load.js";
import { defaultOptions } from "../../../src/config/options.js";
import { NATS_DEFAULT_SYNC_INTERVAL_MS, resolveSyncPolicy } from "../../../src/jetstream/group-commit.js";

function policyOf(conf: string) {
  const dir = mkdtempSync(join(tmpdir(), "sync-policy-"));
  const file = join(dir, "n.conf");
  writeFileSync(file, conf);
  return resolveSyncPolicy(loadConfigFile(file, {}).jetstream);
}

describe("sync policy", () => {
  it("is durable by default", () => {
    expect(resolveSyncPolicy(defaultOptions().jetstream)).toEqual({
      durable: true,
      intervalMs: NATS_DEFAULT_SYNC_INTERVAL_MS,
    });
    expect(policyOf("jetstream { store_dir: d }\n").durable).toBe(true);
  });

  it("is durable with sync_interval: always", () => {
    expect(policyOf("jetstream { sync_interval: always }\n").durable).toBe(true);
  });

  it("is lazy at any configured interval, nats-server's 2m included", () => {
    expect(policyOf('jetstream { sync_interval: "2m" }\n')).toEqual({ durable: false, intervalMs: 120_000 });
    expect(policyOf('jetstream { sync_interval: "10s" }\n')).toEqual({ durable: false, intervalMs: 10_000 });
  });
});

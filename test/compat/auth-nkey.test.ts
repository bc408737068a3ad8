// nkey challenge-response against nats-server 2.9.10: the same sessions give the same answers.

import { describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";
import { nkeyFixture, runNkeyScript } from "../helpers/nkey-script.js";

describe.skipIf(!natsServerAvailable())("nkey auth vs nats-server", () => {
  it("answers every signature case alike", async () => {
    const f = nkeyFixture();
    const ref = await startNatsServer([], { config: f.config });
    let expected: Record<string, string>;
    try {
      expected = await runNkeyScript(ref.port, f);
    } finally {
      await ref.stop();
    }
    const ours = await serverFromConfig(f.config);
    try {
      expect(await runNkeyScript(ours.port, f)).toEqual(expected);
      expect(expected["wrong key"]).toBe("closed: -ERR 'Authorization Violation'");
    } finally {
      await ours.close();
    }
  }, 30_000);
});

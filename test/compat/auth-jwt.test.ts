// Operator mode against nats-server 2.9.10: the same operator, preloaded accounts and user JWTs give the
// same answers for every case.

import { describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { jwtFixture } from "../helpers/jwt-fixture.js";
import { runJwtScript } from "../helpers/jwt-script.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";

describe.skipIf(!natsServerAvailable())("operator mode vs nats-server", () => {
  it("accepts and refuses the same user JWTs", async () => {
    const f = jwtFixture();
    try {
      const ref = await startNatsServer([], { config: f.config });
      let expected: Record<string, string>;
      try {
        expected = await runJwtScript(ref.port, f);
      } finally {
        await ref.stop();
      }
      const ours = await serverFromConfig(f.config);
      try {
        expect(await runJwtScript(ours.port, f)).toEqual(expected);
        expect(expected.good).toBe("ok");
      } finally {
        await ours.close();
      }
    } finally {
      f.cleanup();
    }
  }, 30_000);
});

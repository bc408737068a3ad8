// The same auth configuration file given to nats-server 2.9.10 and natsgate: the matrix of users, subjects
// and operations (logins, publish/subscribe allow/deny, queue entries, delivery filter, allow_responses)
// must give byte-identical answers.

import { describe, expect, it } from "vitest";
import { AUTH_MATRIX_CONFIG, runAuthMatrix } from "../helpers/auth-matrix.js";
import { serverFromConfig } from "../helpers/config-server.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";

const available = natsServerAvailable();

describe.skipIf(!available)("auth permissions vs nats-server", () => {
  it("gives the same outcome for every user, subject and operation", async () => {
    const ref = await startNatsServer([], { config: AUTH_MATRIX_CONFIG });
    let expected: Record<string, string>;
    try {
      expected = await runAuthMatrix(ref.port);
    } finally {
      await ref.stop();
    }
    const ours = await serverFromConfig(AUTH_MATRIX_CONFIG);
    try {
      const actual = await runAuthMatrix(ours.port);
      expect(actual).toEqual(expected);
      // Sanity: the matrix really exercised denials on both.
      expect(
        Object.values(expected).filter((v) => v.includes("Permissions Violation")).length,
      ).toBeGreaterThan(8);
    } finally {
      await ours.close();
    }
  }, 30_000);
});

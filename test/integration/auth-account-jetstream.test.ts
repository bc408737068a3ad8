// JetStream per account: with accounts configured, only those whose block enables JetStream answer the
// JetStream API (nats-server enableJetStreamAccounts); the others get no responders.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";

describe("account jetstream", () => {
  it("enables JetStream only in the accounts that ask for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-acc-js-"));
    const server = await serverFromConfig(`
      jetstream { store_dir: "${dir}" }
      accounts {
        A { jetstream: enabled, users [ { user: a, password: a } ] }
        B { users [ { user: b, password: b } ] }
      }`);
    try {
      const servers = `127.0.0.1:${server.port}`;
      const a = await connect({ servers, user: "a", pass: "a", reconnect: false });
      const b = await connect({ servers, user: "b", pass: "b", reconnect: false });
      const info = JSON.parse((await a.request("$JS.API.INFO", "", { timeout: 2000 })).string());
      expect(info.type).toBe("io.nats.jetstream.api.v1.account_info_response");
      await expect(b.request("$JS.API.INFO", "", { timeout: 2000 })).rejects.toThrow(/no responders/i);
      await a.close();
      await b.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

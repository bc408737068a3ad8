// Config reload and lame duck mode on a running server: what changes, what is refused, and how
// clients are told to leave.

import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { RawClient } from "../helpers/raw-client.js";

describe("reload and lame duck", () => {
  let server: NatsgateServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it("applies new limits and auth to new connections", async () => {
    server = await createServer({ maxPayload: 100 });
    const before = await RawClient.connect(server.port);
    expect(before.info.max_payload).toBe(100);
    before.close();
    const changed = server.reload({ ...server.options, maxPayload: 200, authToken: "s3cret" });
    expect(changed).toEqual(expect.arrayContaining(["maxPayload", "authToken"]));
    const after = await RawClient.connect(server.port);
    expect(after.info.max_payload).toBe(200);
    expect(after.info.auth_required).toBe(true);
    after.close();
    await expect(connect({ servers: `127.0.0.1:${server.port}`, reconnect: false })).rejects.toThrow();
    const nc = await connect({ servers: `127.0.0.1:${server.port}`, token: "s3cret" });
    await nc.flush();
    await nc.close();
  });

  it("refuses to change the port at runtime and keeps the old config", async () => {
    server = await createServer({ maxPayload: 100 });
    const next = { ...server.options, port: 1, maxPayload: 300 };
    expect(() => server!.reload(next)).toThrow(/config reload not supported for Port/);
    expect(server.options.maxPayload).toBe(100);
  });

  it("lame duck mode announces ldm in INFO, closes clients and stops the server", async () => {
    server = await createServer({ lameDuckDuration: 0.2 });
    const raw = await RawClient.connect(server.port);
    raw.send('CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\nPING\r\n');
    await raw.expectLine(/^PONG/, 2000);
    const done = server.enterLameDuckMode();
    const line = await raw.expectLine(/^INFO /, 2000);
    expect(JSON.parse(line.slice(5).trim()).ldm).toBe(true);
    await raw.waitClosed(5000);
    await done;
    await expect(RawClient.connect(server.port, { timeoutMs: 500 })).rejects.toThrow();
  });
});

// WebSocket clients (nats.js wsconnect) authenticate against the same users as TCP clients: account
// binding, permissions with the wildcard delivery filter, and nkey challenge-response over WebSocket.

import { createUser } from "@nats-io/nkeys";
import { connect, nkeyAuthenticator } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";
import { connectWs } from "./websocket-support.js";

const nk = createUser();

describe("WebSocket users", () => {
  let server: NatsgateServer;
  beforeAll(async () => {
    server = await serverFromConfig(`
      websocket { port: -1, no_tls: true }
      accounts {
        A { users [
          { user: web, password: web, permissions: { subscribe: { allow: ">", deny: "secret.>" } } }
          { user: tcp, password: tcp }
          { nkey: ${nk.getPublicKey()} }
        ] }
      }`);
  });
  afterAll(async () => {
    await server.close();
  });

  it("binds to the account and filters denied subjects out of wildcard subscriptions", async () => {
    const ws = await connectWs(server, { user: "web", pass: "web" });
    const tcp = await connect({
      servers: `127.0.0.1:${server.port}`,
      user: "tcp",
      pass: "tcp",
      reconnect: false,
    });
    const got: string[] = [];
    const sub = ws.subscribe(">", {
      callback: (_e, m) => {
        got.push(m.subject);
      },
    });
    await ws.flush();
    tcp.publish("secret.plan", "x");
    tcp.publish("public.news", "y");
    await tcp.flush();
    await ws.flush();
    expect(got).toEqual(["public.news"]);
    sub.unsubscribe();
    await ws.close();
    await tcp.close();
  });

  it("signs the nonce with an nkey over WebSocket", async () => {
    const ws = await connectWs(server, { authenticator: nkeyAuthenticator(nk.getSeed()) });
    const sub = ws.subscribe("hello", { max: 1 });
    ws.publish("hello", "nkey");
    for await (const m of sub) expect(m.string()).toBe("nkey");
    await ws.close();
    await expect(
      connectWs(server, { authenticator: nkeyAuthenticator(createUser().getSeed()) }),
    ).rejects.toThrow(/Authorization Violation/);
  });
});

// Who may use the WebSocket port: same_origin / allowed_origins (403), the websocket block's own
// authorization and no_auth_user overriding the server's, its auth timeout, and wss with a real certificate.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { connectWs, openRawWs, startWsServer, upgradeStatus, within, wsUrl } from "./websocket-support.js";

let server: NatsgateServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

const withOrigin = (origin: string) => ({ headers: { Origin: origin } });

async function expectUpgrade(url: string, origin: string): Promise<void> {
  const raw = await openRawWs(url, withOrigin(origin));
  await raw.waitFor("INFO");
  raw.ws.terminate();
}

describe("same_origin", () => {
  it("accepts an Origin matching the Host and refuses others with 403", async () => {
    server = await startWsServer({ sameOrigin: true });
    const port = server.websocketPort;
    await expectUpgrade(wsUrl(server), `http://127.0.0.1:${port}`);
    expect(await upgradeStatus(wsUrl(server), withOrigin(`http://127.0.0.1:${port + 1}`))).toBe(403);
    expect(await upgradeStatus(wsUrl(server), withOrigin("http://evil.example"))).toBe(403);
    expect(await upgradeStatus(wsUrl(server), withOrigin("null"))).toBe(403);
    // No Origin at all: a non-browser client, accepted as nats-server does.
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("INFO");
    raw.ws.terminate();
  });
});

describe("allowed_origins", () => {
  it("accepts listed origins and refuses other hosts, schemes and ports with 403", async () => {
    server = await startWsServer({ allowedOrigins: ["https://app.example", "http://dev.example:8080"] });
    const url = wsUrl(server);
    await expectUpgrade(url, "https://app.example");
    await expectUpgrade(url, "https://APP.example:443");
    await expectUpgrade(url, "http://dev.example:8080");
    expect(await upgradeStatus(url, withOrigin("http://app.example"))).toBe(403);
    expect(await upgradeStatus(url, withOrigin("https://app.example:8443"))).toBe(403);
    expect(await upgradeStatus(url, withOrigin("http://dev.example"))).toBe(403);
    expect(await upgradeStatus(url, withOrigin("https://other.example"))).toBe(403);
    expect(await upgradeStatus(url, withOrigin("not a url"))).toBe(403);
  });
});

describe("websocket authorization", () => {
  it("requires the websocket token from WebSocket clients only", async () => {
    server = await startWsServer({ token: "ws-secret" });
    const tcp = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
    expect(tcp.info?.auth_required).toBeUndefined();
    await tcp.close();
    await expect(connectWs(server)).rejects.toThrow(/Authorization Violation/i);
    await expect(connectWs(server, { token: "wrong" })).rejects.toThrow(/Authorization Violation/i);
    const ok = await connectWs(server, { token: "ws-secret" });
    expect(ok.info?.auth_required).toBe(true);
    await ok.close();
  });

  it("checks the websocket user and password instead of the server's", async () => {
    server = await startWsServer({ username: "wsuser", password: "wspass" }, { authToken: "tcp-token" });
    await expect(connectWs(server, { token: "tcp-token" })).rejects.toThrow(/Authorization Violation/i);
    await expect(connectWs(server, { user: "wsuser", pass: "nope" })).rejects.toThrow(
      /Authorization Violation/i,
    );
    const ok = await connectWs(server, { user: "wsuser", pass: "wspass" });
    const sub = ok.subscribe("auth.ok", { max: 1 });
    ok.publish("auth.ok", "in");
    for await (const m of sub) expect(m.string()).toBe("in");
    await ok.close();
    const tcp = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false, token: "tcp-token" });
    await tcp.close();
  });

  it("uses the server's authorization when the websocket block has none", async () => {
    server = await startWsServer({}, { username: "u", password: "p" });
    await expect(connectWs(server)).rejects.toThrow(/Authorization Violation/i);
    const ok = await connectWs(server, { user: "u", pass: "p" });
    await ok.close();
  });

  it("lets a client without credentials in as the websocket block's no_auth_user", async () => {
    const users = [
      { user: "guest", password: "g" },
      { user: "admin", password: "a" },
    ];
    server = await startWsServer({ noAuthUser: "guest" }, { extra: { authorization: { users } } });
    const nc = await connectWs(server);
    expect(nc.info?.auth_required).toBe(true);
    await nc.flush();
    expect([...server.clients.values()].map((c) => c.user)).toEqual(["guest"]);
    await nc.close();
    // Credentials still pick the user they name.
    const admin = await connectWs(server, { user: "admin", pass: "a" });
    await admin.flush();
    expect([...server.clients.values()].map((c) => c.user)).toContain("admin");
    await admin.close();
    // TCP clients have no no_auth_user here.
    await expect(connect({ servers: `127.0.0.1:${server.port}`, reconnect: false })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });

  it("applies the websocket authorization timeout with close status 1008", async () => {
    server = await startWsServer({ token: "t", authTimeout: 200 });
    const raw = await openRawWs(wsUrl(server));
    await raw.waitFor("-ERR 'Authentication Timeout'\r\n", 3000);
    expect(await within(raw.closed, "close")).toEqual({ code: 1008, reason: "Authentication Timeout" });
  });
});

const haveOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!haveOpenssl)("wss", () => {
  it("serves NATS over TLS with the configured certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-wss-"));
    try {
      const cert = join(dir, "cert.pem");
      const key = join(dir, "key.pem");
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          key,
          "-out",
          cert,
        ]),
        { stdio: "ignore" },
      );
      expect(existsSync(cert)).toBe(true);
      server = await createServer({
        port: 0,
        websocket: { host: "127.0.0.1", port: 0, tls: { certFile: cert, keyFile: key } },
      });
      const url = `wss://127.0.0.1:${server.websocketPort}`;
      const { readFileSync } = await import("node:fs");
      const ca = readFileSync(cert);
      const raw = await openRawWs(url, { ca });
      await raw.waitFor("INFO");
      raw.ws.terminate();
      const { wsconnect } = await import("@nats-io/nats-core");
      const { WebSocket } = await import("ws");
      const nc = await wsconnect({
        servers: url,
        reconnect: false,
        wsFactory: (u: string) => ({ socket: new WebSocket(u, { ca }), encrypted: true }),
        // biome-ignore lint/suspicious/noExplicitAny: wsFactory's socket type is the DOM WebSocket.
      } as any);
      const sub = nc.subscribe("tls.x", { max: 1 });
      nc.publish("tls.x", "secure");
      for await (const m of sub) expect(m.string()).toBe("secure");
      await nc.close();
      // Plain ws:// to the TLS port does not get a WebSocket.
      await expect(openRawWs(`ws://127.0.0.1:${server.websocketPort}`)).rejects.toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

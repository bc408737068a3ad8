// TLS on the client port with the official client: upgrade after INFO, handshake_first, verify (mutual TLS),
// verify_and_map to users by e-mail SAN and by subject DN; plain text and truncated handshakes refused.

import { connect as netConnect } from "node:net";
import { AuthorizationError, connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";
import { makeTestCerts, type TestCerts } from "../helpers/test-certs.js";
import { WireClient } from "../helpers/wire.js";

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());

const tlsBlock = (extra = "") =>
  `tls {\n cert_file: "${certs.serverCert}"\n key_file: "${certs.serverKey}"\n ca_file: "${certs.ca}"\n ${extra}\n}\n`;

async function withConfig(
  config: string,
  fn: (s: NatsgateServer, servers: string) => Promise<void>,
): Promise<void> {
  const s = await serverFromConfig(config);
  try {
    await fn(s, `127.0.0.1:${s.port}`);
  } finally {
    await s.close();
  }
}

async function roundTrip(nc: NatsConnection): Promise<string> {
  const sub = nc.subscribe("tls.check", { max: 1 });
  nc.publish("tls.check", "secret");
  for await (const m of sub) return m.string();
  return "";
}

describe("TLS on the client port", () => {
  it("upgrades after INFO and carries traffic", async () => {
    await withConfig(tlsBlock("timeout: 1"), async (_s, servers) => {
      const raw = await WireClient.open(Number(servers.split(":")[1]));
      expect(raw.info.tls_required).toBe(true);
      expect(raw.info.tls_verify).toBeUndefined();
      raw.close();
      const nc = await connect({ servers, tls: { caFile: certs.ca }, reconnect: false });
      expect(await roundTrip(nc)).toBe("secret");
      await nc.close();
    });
  });

  it("closes a client that talks plain text after INFO", async () => {
    await withConfig(tlsBlock(), async (s) => {
      const raw = await WireClient.open(s.port);
      raw.send('CONNECT {"verbose":false}\r\nPING\r\n');
      // The plain-text CONNECT is not a TLS record: the handshake fails and nothing is answered.
      expect(await raw.waitClosed(3000)).toBe("");
    });
  });

  it("drops a truncated handshake after the TLS timeout", async () => {
    await withConfig(tlsBlock("timeout: 0.3"), async (s) => {
      const raw = await WireClient.open(s.port);
      // The first bytes of a ClientHello record, then silence.
      raw.send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
      const started = Date.now();
      await raw.waitClosed(3000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      // The server still serves others.
      const nc = await connect({
        servers: `127.0.0.1:${s.port}`,
        tls: { caFile: certs.ca },
        reconnect: false,
      });
      expect(await roundTrip(nc)).toBe("secret");
      await nc.close();
    });
  });

  it("does the handshake first when handshake_first is set", async () => {
    await withConfig(tlsBlock("handshake_first: true"), async (s, servers) => {
      const nc = await connect({
        servers,
        tls: { caFile: certs.ca, handshakeFirst: true },
        reconnect: false,
      });
      expect(await roundTrip(nc)).toBe("secret");
      await nc.close();
      // A plain socket gets no INFO: the server waits for a ClientHello.
      const sock = netConnect({ host: "127.0.0.1", port: s.port });
      const got = await new Promise<string>((resolve) => {
        let data = "";
        sock.on("data", (d) => {
          data += d.toString("latin1");
        });
        sock.on("close", () => resolve(data));
        sock.on("error", () => resolve(data));
        sock.on("connect", () => sock.write("CONNECT {}\r\n"));
      });
      expect(got.startsWith("INFO")).toBe(false);
    });
  });

  it("requires a CA-signed client certificate with verify", async () => {
    await withConfig(tlsBlock("verify: true"), async (_s, servers) => {
      const ok = await connect({
        servers,
        tls: { caFile: certs.ca, certFile: certs.aliceCert, keyFile: certs.aliceKey },
        reconnect: false,
      });
      expect(await roundTrip(ok)).toBe("secret");
      await ok.close();
      await expect(connect({ servers, tls: { caFile: certs.ca }, reconnect: false })).rejects.toThrow();
      const rogue = { caFile: certs.ca, certFile: certs.rogueCert, keyFile: certs.rogueKey };
      await expect(connect({ servers, tls: rogue, reconnect: false })).rejects.toThrow();
    });
  });

  it("maps certificates to users with verify_and_map (e-mail SAN, then subject DN)", async () => {
    const config = `${tlsBlock("verify_and_map: true")}
      authorization { users = [
        { user: "alice@acme.test", permissions: { publish: "tls.>", subscribe: "tls.>" } }
        { user: "CN=bob,O=Acme", permissions: { publish: "bob.>", subscribe: "bob.>" } }
      ] }`;
    await withConfig(config, async (s, servers) => {
      const alice = await connect({
        servers,
        tls: { caFile: certs.ca, certFile: certs.aliceCert, keyFile: certs.aliceKey },
        reconnect: false,
      });
      expect(await roundTrip(alice)).toBe("secret");
      await alice.close();
      const bob = await connect({
        servers,
        tls: { caFile: certs.ca, certFile: certs.bobCert, keyFile: certs.bobKey },
        reconnect: false,
      });
      const conn = [...s.clients.values()].find((c) => c.user !== undefined);
      expect(conn?.user).toBe("CN=bob,O=Acme");
      await bob.close();
    });
  });

  it("refuses a verified certificate that maps to no user", async () => {
    const config = `${tlsBlock("verify_and_map: true")}\nauthorization { users = [ { user: "CN=carol,O=Acme" } ] }`;
    await withConfig(config, async (_s, servers) => {
      const err = await connect({
        servers,
        tls: { caFile: certs.ca, certFile: certs.bobCert, keyFile: certs.bobKey },
        reconnect: false,
      }).then(
        (nc) => nc.close().then(() => null),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthorizationError);
    });
  });
});

// TLS with verify_and_map against nats-server 2.9.10: INFO's TLS fields and which certificates get in
// (mapped by e-mail SAN, by subject DN, unmapped, not from the CA, none) are the same.

import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";
import { makeTestCerts, type TestCerts } from "../helpers/test-certs.js";
import { WireClient } from "../helpers/wire.js";

let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs?.cleanup());

const config = (c: TestCerts) => `
tls {
  cert_file: "${c.serverCert}"
  key_file: "${c.serverKey}"
  ca_file: "${c.ca}"
  verify_and_map: true
  timeout: 1
}
authorization { users = [
  { user: "alice@acme.test", permissions: { publish: "a.>" } }
  { user: "CN=bob,O=Acme" }
] }
`;

async function outcomes(port: number): Promise<Record<string, string>> {
  const raw = await WireClient.open(port);
  const { tls_required, tls_verify, auth_required } = raw.info;
  raw.close();
  const out: Record<string, string> = { info: JSON.stringify({ tls_required, tls_verify, auth_required }) };
  const who = {
    alice: { certFile: certs.aliceCert, keyFile: certs.aliceKey },
    bob: { certFile: certs.bobCert, keyFile: certs.bobKey },
    rogue: { certFile: certs.rogueCert, keyFile: certs.rogueKey },
    none: {},
  };
  for (const [name, files] of Object.entries(who)) {
    out[name] = await connect({
      servers: `127.0.0.1:${port}`,
      tls: { caFile: certs.ca, ...files },
      reconnect: false,
    }).then(
      async (nc) => {
        await nc.close();
        return "connected";
      },
      (e: Error) => (e.message.includes("Authorization Violation") ? "Authorization Violation" : "refused"),
    );
  }
  return out;
}

describe.skipIf(!natsServerAvailable())("TLS verify_and_map vs nats-server", () => {
  it("lets in the same certificates", async () => {
    const ref = await startNatsServer([], { config: config(certs) });
    let expected: Record<string, string>;
    try {
      expected = await outcomes(ref.port);
    } finally {
      await ref.stop();
    }
    const ours = await serverFromConfig(config(certs));
    try {
      expect(await outcomes(ours.port)).toEqual(expected);
      expect(expected.alice).toBe("connected");
      expect(expected.rogue).toBe("refused");
    } finally {
      await ours.close();
    }
  }, 30_000);
});

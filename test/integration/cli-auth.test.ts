// The CLI's connection flags as real processes against natsgate and nats-server 2.9.10 configured to need
// them: --creds (operator mode JWT), --nkey (seed file), --tlsca/--tlscert/--tlskey (mutual TLS), and
// `server ping` through a system account user.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { credsFile, type JwtFixture, jwtFixture, userJwt } from "../helpers/jwt-fixture.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";
import { nkeyFixture } from "../helpers/nkey-script.js";
import { makeTestCerts, type TestCerts } from "../helpers/test-certs.js";
import { cli, ensureBuilt, type Target } from "./cli-support.js";

type Starter = (config: string) => Promise<Target>;

async function natsgateWith(config: string): Promise<Target> {
  const s = await serverFromConfig(config);
  return { url: `nats://127.0.0.1:${s.port}`, stop: () => s.close() };
}

async function natsServerWith(config: string): Promise<Target> {
  const ns = await startNatsServer([], { config });
  return { url: ns.url, stop: () => ns.stop() };
}

const starters: [string, Starter][] = [["natsgate", natsgateWith]];
if (natsServerAvailable()) starters.push(["nats-server", natsServerWith]);

let dir: string;
let certs: TestCerts;
let jwt: JwtFixture;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "natsgate-cli-auth-"));
  certs = makeTestCerts();
  jwt = jwtFixture();
}, 120_000);

afterAll(() => {
  certs?.cleanup();
  jwt?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Subscribes with an in-process client, runs `pub` through the CLI, and returns what arrived. */
async function pubThroughCli(
  target: Target,
  clientOpts: Partial<ConnectionOptions>,
  subject: string,
  cliArgs: string[],
): Promise<{ code: number | null; stderr: string; received: string }> {
  const nc: NatsConnection = await connect({
    servers: target.url.replace(/^\w+:\/\//, ""),
    reconnect: false,
    ...clientOpts,
  });
  try {
    const sub = nc.subscribe(subject, { max: 1, timeout: 10_000 });
    await nc.flush();
    const r = await cli(target.url, [...cliArgs, "pub", subject, "via cli"]);
    let received = "";
    if (r.code === 0) for await (const m of sub) received = m.string();
    return { code: r.code, stderr: r.stderr, received };
  } finally {
    await nc.close();
  }
}

describe.each(starters)("CLI connection flags against %s", (_name, startWith) => {
  it("--creds authenticates an operator-mode JWT user; without it the server refuses", async () => {
    const user = createUser();
    const creds = join(dir, `u-${Date.now()}.creds`);
    writeFileSync(creds, credsFile(userJwt(user, jwt.account), user.getSeed()));
    const target = await startWith(jwt.config);
    try {
      const ok = await pubThroughCli(
        target,
        {
          authenticator: credsAuthenticator(
            new TextEncoder().encode(credsFile(userJwt(user, jwt.account), user.getSeed())),
          ),
        },
        "creds.x",
        ["--creds", creds],
      );
      expect(ok).toMatchObject({ code: 0, received: "via cli" });
      const denied = await cli(target.url, ["server", "check", "connection"]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^natsgate: error: could not connect to .*: .*authorization violation/i);
      expect(denied.stderr.split("\n")).toHaveLength(2);
    } finally {
      await target.stop();
    }
  }, 60_000);

  it("--nkey signs the nonce with the seed in the file; a stranger's seed is refused", async () => {
    const f = nkeyFixture();
    const seedFile = join(dir, `user-${Date.now()}.nk`);
    writeFileSync(seedFile, `${new TextDecoder().decode(f.user.getSeed())}\n`);
    const target = await startWith(f.config);
    try {
      const ok = await pubThroughCli(target, { user: "plain", pass: "plain" }, "ok.nkey", [
        "--nkey",
        seedFile,
      ]);
      expect(ok).toMatchObject({ code: 0, received: "via cli" });
      const stranger = join(dir, `stranger-${Date.now()}.nk`);
      writeFileSync(stranger, new TextDecoder().decode(createUser().getSeed()));
      const denied = await cli(target.url, ["--nkey", stranger, "server", "check", "connection"]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/authorization violation/i);
    } finally {
      await target.stop();
    }
  }, 60_000);

  it("--tlsca/--tlscert/--tlskey connect to a server that verifies client certificates", async () => {
    const config = `tls {\n cert_file: "${certs.serverCert}"\n key_file: "${certs.serverKey}"\n ca_file: "${certs.ca}"\n verify: true\n}\n`;
    const target = await startWith(config);
    try {
      const tlsArgs = ["--tlsca", certs.ca, "--tlscert", certs.aliceCert, "--tlskey", certs.aliceKey];
      const ok = await pubThroughCli(
        target,
        { tls: { caFile: certs.ca, certFile: certs.bobCert, keyFile: certs.bobKey } },
        "tls.x",
        tlsArgs,
      );
      expect(ok).toMatchObject({ code: 0, received: "via cli" });
      const info = await cli(target.url, [...tlsArgs, "server", "info", "--json"]);
      expect(info.code).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ tls_required: true, tls_verify: true });
      // Without a client certificate the handshake is refused: one line, exit 1.
      const noCert = await cli(target.url, ["--tlsca", certs.ca, "server", "check", "connection"]);
      expect(noCert.code).toBe(1);
      expect(noCert.stderr).toMatch(/^natsgate: error: could not connect to /);
      expect(noCert.stderr.split("\n")).toHaveLength(2);
    } finally {
      await target.stop();
    }
  }, 60_000);

  it("server ping answers through a system account user and fails in a plain account", async () => {
    const config = `system_account: SYS
server_name: ping_me
accounts {
  SYS { users [ { user: sys, password: sys } ] }
  APP { users [ { user: app, password: app } ] }
}
`;
    const target = await startWith(config);
    try {
      const r = await cli(target.url, ["--user", "sys", "--password", "sys", "server", "ping", "1", "--id"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ping_me \(N[A-Z0-9]{55}\) +rtt=[\d.]+ms\n/);
      expect(r.stdout).toMatch(
        /\n---- ping statistics ----\n1 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+\n$/,
      );
      const app = await cli(target.url, [
        "--user",
        "app",
        "--password",
        "app",
        "--timeout",
        "500ms",
        "server",
        "ping",
      ]);
      expect(app).toMatchObject({
        code: 1,
        stderr: "natsgate: error: no responses received: server ping needs system account credentials\n",
      });
    } finally {
      await target.stop();
    }
  }, 60_000);
});

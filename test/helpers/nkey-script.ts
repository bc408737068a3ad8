// Raw nkey challenge-response sessions (good signature, wrong key, tampered and missing signature, nonce
// from another connection) run alike against natsgate and nats-server; outcomes are the server's bytes.

import { createUser, type KeyPair } from "@nats-io/nkeys";
import { WireClient } from "./wire.js";

export interface NkeyFixture {
  user: KeyPair;
  other: KeyPair;
  config: string;
}

export function nkeyFixture(): NkeyFixture {
  const user = createUser();
  const other = createUser();
  const config = `authorization { users = [
    { nkey: ${user.getPublicKey()}, permissions: { publish: "ok.>" } }
    { user: plain, password: plain }
  ] }\n`;
  return { user, other, config };
}

const sign = (kp: KeyPair, nonce: string) => Buffer.from(kp.sign(Buffer.from(nonce))).toString("base64url");

async function attempt(port: number, connect: (nonce: string) => object, after = ""): Promise<string> {
  const c = await WireClient.open(port);
  try {
    const nonce = String(c.info.nonce ?? "");
    c.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...connect(nonce) })}\r\n${after}`);
    try {
      return (await c.sync()) || "ok";
    } catch {
      return `closed: ${c.unread.trim()}`;
    }
  } finally {
    c.close();
  }
}

export async function runNkeyScript(port: number, f: NkeyFixture): Promise<Record<string, string>> {
  const pub = f.user.getPublicKey();
  const probe = await WireClient.open(port);
  const info = probe.info;
  probe.close();
  const staleNonce = String(info.nonce);
  return {
    "nonce shape": `${typeof info.nonce}:${String(info.nonce).length}:${info.auth_required}`,
    good: await attempt(
      port,
      (n) => ({ nkey: pub, sig: sign(f.user, n) }),
      "PUB ok.1 0\r\n\r\nPUB no 0\r\n\r\n",
    ),
    "std base64 sig": await attempt(port, (n) => ({
      nkey: pub,
      sig: Buffer.from(f.user.sign(Buffer.from(n))).toString("base64"),
    })),
    "wrong key": await attempt(port, (n) => ({ nkey: pub, sig: sign(f.other, n) })),
    "unknown nkey": await attempt(port, (n) => ({ nkey: f.other.getPublicKey(), sig: sign(f.other, n) })),
    "missing sig": await attempt(port, () => ({ nkey: pub })),
    "tampered sig": await attempt(port, (n) => ({ nkey: pub, sig: `${sign(f.user, n).slice(0, -4)}AAAA` })),
    "nonce of another connection": await attempt(port, () => ({ nkey: pub, sig: sign(f.user, staleNonce) })),
    "password user alongside": await attempt(port, () => ({ user: "plain", pass: "plain" })),
  };
}

// Raw CONNECT sessions with user JWTs (valid, signing key, expired, tampered, wrong nonce signer, revoked,
// unknown account, bearer, permissions) run alike against natsgate and nats-server.

import type { KeyPair } from "@nats-io/nkeys";
import { createUser, type JwtFixture, userJwt } from "./jwt-fixture.js";
import { WireClient } from "./wire.js";

const sign = (kp: KeyPair, nonce: string) => Buffer.from(kp.sign(Buffer.from(nonce))).toString("base64url");

async function attempt(port: number, jwt: string, signer: KeyPair | null, after = ""): Promise<string> {
  const c = await WireClient.open(port);
  try {
    const nonce = String(c.info.nonce ?? "");
    const connect: Record<string, unknown> = { verbose: false, pedantic: false, jwt };
    if (signer !== null) connect.sig = sign(signer, nonce);
    c.send(`CONNECT ${JSON.stringify(connect)}\r\n${after}`);
    try {
      return (await c.sync()) || "ok";
    } catch {
      return `closed: ${c.unread.trim()}`;
    }
  } finally {
    c.close();
  }
}

export async function runJwtScript(port: number, f: JwtFixture): Promise<Record<string, string>> {
  const u = createUser();
  const good = userJwt(u, f.account);
  const parts = good.split(".");
  const body = JSON.parse(Buffer.from(parts[1]!, "base64url").toString());
  body.nats.bearer_token = true;
  const tampered = `${parts[0]}.${Buffer.from(JSON.stringify(body)).toString("base64url")}.${parts[2]}`;
  const probe = await WireClient.open(port);
  const info = probe.info;
  probe.close();
  const perms = userJwt(u, f.account, { pub: { allow: ["ok.>"] }, sub: { deny: ["secret"] } });
  return {
    info: `${info.auth_required}:${typeof info.nonce}`,
    good: await attempt(port, good, u),
    "signing key": await attempt(
      port,
      userJwt(u, f.accountSigner, { issuer_account: f.account.getPublicKey() }),
      u,
    ),
    expired: await attempt(port, userJwt(u, f.account, {}, { exp: Math.floor(Date.now() / 1000) - 10 }), u),
    tampered: await attempt(port, tampered, null),
    "wrong nonce signer": await attempt(port, good, createUser()),
    "missing sig": await attempt(port, good, null),
    revoked: await attempt(port, userJwt(f.revokedUser, f.account), f.revokedUser),
    "unknown account": await attempt(port, userJwt(u, f.stranger), u),
    "signed by operator": await attempt(port, userJwt(u, f.operator), u),
    bearer: await attempt(port, userJwt(u, f.account, { bearer_token: true }), null),
    permissions: await attempt(
      port,
      perms,
      u,
      "PUB ok.1 0\r\n\r\nPUB no 0\r\n\r\nSUB secret 1\r\nSUB fine 2\r\n",
    ),
    "no jwt": await attempt(port, "", null),
  };
}

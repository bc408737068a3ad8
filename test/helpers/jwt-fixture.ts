// A small NATS JWT encoder for tests (ed25519-nkey, v2 claims) and an operator/account/user fixture, so
// operator-mode tests make their own keys and JWTs instead of downloading them.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString("base64url");
const NO_LIMITS = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

/** Encodes and signs `claims` with `signer` (its public key becomes `iss`). */
export function encodeJwt(claims: Record<string, unknown>, signer: KeyPair): string {
  const header = b64(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const body = {
    jti: b64(crypto.getRandomValues(new Uint8Array(16))),
    iat: Math.floor(Date.now() / 1000) - 5,
    iss: signer.getPublicKey(),
    ...claims,
  };
  const payload = b64(JSON.stringify(body));
  return `${header}.${payload}.${b64(signer.sign(Buffer.from(`${header}.${payload}`)))}`;
}

export function userJwt(
  user: KeyPair,
  signer: KeyPair,
  nats: Record<string, unknown> = {},
  extra = {},
): string {
  return encodeJwt(
    {
      sub: user.getPublicKey(),
      name: "u",
      ...extra,
      nats: { pub: {}, sub: {}, ...NO_LIMITS, type: "user", version: 2, ...nats },
    },
    signer,
  );
}

export function credsFile(jwt: string, seed: Uint8Array): string {
  return `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(seed)}\n------END USER NKEY SEED------\n`;
}

export interface JwtFixture {
  operator: KeyPair;
  account: KeyPair;
  accountSigner: KeyPair;
  sys: KeyPair;
  /** An account that is not preloaded. */
  stranger: KeyPair;
  /** Users revoked in the account JWT. */
  revokedUser: KeyPair;
  config: string;
  cleanup(): void;
}

export function jwtFixture(): JwtFixture {
  const operator = createOperator();
  const account = createAccount();
  const accountSigner = createAccount();
  const sys = createAccount();
  const stranger = createAccount();
  const revokedUser = createUser();
  const opJwt = encodeJwt(
    { sub: operator.getPublicKey(), name: "op", nats: { type: "operator", version: 2 } },
    operator,
  );
  const accJwt = encodeJwt(
    {
      sub: account.getPublicKey(),
      name: "A",
      nats: {
        type: "account",
        version: 2,
        limits: NO_LIMITS,
        signing_keys: [accountSigner.getPublicKey()],
        revocations: { [revokedUser.getPublicKey()]: Math.floor(Date.now() / 1000) + 60 },
      },
    },
    operator,
  );
  const sysJwt = encodeJwt(
    { sub: sys.getPublicKey(), name: "SYS", nats: { type: "account", version: 2, limits: NO_LIMITS } },
    operator,
  );
  const dir = mkdtempSync(join(tmpdir(), "natsgate-jwt-"));
  const opFile = join(dir, "op.jwt");
  writeFileSync(opFile, opJwt);
  const config = `operator: "${opFile}"
system_account: ${sys.getPublicKey()}
resolver: MEMORY
resolver_preload: {
  ${account.getPublicKey()}: "${accJwt}"
  ${sys.getPublicKey()}: "${sysJwt}"
}
`;
  return {
    operator,
    account,
    accountSigner,
    sys,
    stranger,
    revokedUser,
    config,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export { createUser };

// Checks a nonce signature made with a user's nkey, as nats-server auth.go does for nkey and JWT users:
// `sig` is base64url (raw) or standard base64 of the ed25519 signature over the nonce's bytes.

import { randomBytes } from "node:crypto";
import { fromPublic } from "@nats-io/nkeys";

/** nats-server's nonce: 11 random bytes, base64url without padding (15 characters). */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}

function decodeSignature(sig: string): Uint8Array | null {
  if (/^[A-Za-z0-9_-]+$/.test(sig)) return Buffer.from(sig, "base64url");
  if (/^[A-Za-z0-9+/]+=*$/.test(sig)) return Buffer.from(sig, "base64");
  return null;
}

/** True when `sig` is `publicKey`'s signature of `nonce`. */
export function verifyNonceSignature(
  publicKey: string,
  nonce: string | undefined,
  sig: string | undefined,
): boolean {
  if (nonce === undefined || sig === undefined || sig.length === 0) return false;
  const raw = decodeSignature(sig);
  if (raw === null || raw.length !== 64) return false;
  try {
    return fromPublic(publicKey).verify(Buffer.from(nonce, "utf8"), raw);
  } catch {
    return false;
  }
}

// Identifiers: server ids shaped like nats-server's (a 56-character base32 public nkey starting with N)
// and nonces for the INFO line.

import { randomBytes } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function newServerId(): string {
  const bytes = randomBytes(55);
  let id = "N";
  for (let i = 0; i < 55; i++) id += BASE32[bytes[i] & 31];
  return id;
}

/** nats-server's nonces: 11 random bytes, base64 raw-url encoded. */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}

// NATS JWTs (nats-io/jwt v2): decoding, the ed25519-nkey signature check against the `iss` key, and
// the claim shapes natsgate reads for operators, accounts and users. JSON from outside is checked here.

import { fromPublic } from "@nats-io/nkeys";

export interface JwtPermission {
  allow?: string[];
  deny?: string[];
}

export interface UserNats {
  type?: string;
  issuer_account?: string;
  pub?: JwtPermission;
  sub?: JwtPermission;
  /** Response permission: max responses and ttl in nanoseconds. */
  resp?: { max?: number; ttl?: number };
  bearer_token?: boolean;
  allowed_connection_types?: string[];
}

export interface JwtExport {
  subject?: string;
  type?: string;
  response_type?: string;
}

export interface JwtImport {
  subject?: string;
  account?: string;
  to?: string;
  local_subject?: string;
  type?: string;
}

export interface AccountNats {
  type?: string;
  signing_keys?: (string | { key?: string; kind?: string })[];
  revocations?: Record<string, number>;
  exports?: JwtExport[];
  imports?: JwtImport[];
  default_permissions?: { pub?: JwtPermission; sub?: JwtPermission };
}

export interface OperatorNats {
  type?: string;
  signing_keys?: string[];
}

export interface Claims<N> {
  jti?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  iss: string;
  sub: string;
  name?: string;
  nats: N;
}

function b64json(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Decodes a JWT and checks its signature with the key in `iss`; null when malformed, not an ed25519-nkey
 * JWT, or the signature does not verify. Times are not checked here (see `isCurrent`).
 */
export function decodeVerifiedJwt<N>(token: string): Claims<N> | null {
  const parts = token.trim().split(".");
  if (parts.length !== 3) return null;
  try {
    const header = b64json(parts[0]!);
    if (!isObject(header) || header.typ !== "JWT") return null;
    if (header.alg !== "ed25519-nkey" && header.alg !== "ed25519") return null;
    const claims = b64json(parts[1]!);
    if (!isObject(claims) || typeof claims.iss !== "string" || typeof claims.sub !== "string") return null;
    if (!isObject(claims.nats)) return null;
    const sig = Buffer.from(parts[2]!, "base64url");
    if (!fromPublic(claims.iss).verify(Buffer.from(`${parts[0]}.${parts[1]}`), sig)) return null;
    return claims as unknown as Claims<N>;
  } catch {
    return null;
  }
}

/** Not expired and already valid (`exp`/`nbf` are Unix seconds). */
export function isCurrent(claims: { exp?: number; nbf?: number }, nowMs = Date.now()): boolean {
  const now = nowMs / 1000;
  if (typeof claims.exp === "number" && claims.exp > 0 && claims.exp < now) return false;
  if (typeof claims.nbf === "number" && claims.nbf > 0 && claims.nbf > now) return false;
  return true;
}

/** The account's signing keys as plain public keys (a scoped key is `{ key, kind: "user_scope" }`). */
export function signingKeys(nats: AccountNats): string[] {
  const out: string[] = [];
  for (const k of nats.signing_keys ?? []) {
    if (typeof k === "string") out.push(k);
    else if (isObject(k) && typeof k.key === "string") out.push(k.key);
  }
  return out;
}

// Decentralized auth (operator mode): trusted operator JWTs, account JWTs from `resolver: MEMORY` with
// `resolver_preload`, and user JWTs presented in CONNECT with the nonce signed by the user's nkey
// (nats-server auth.go, the `s.trustedKeys != nil` branch; jwt.go).

import { readFileSync } from "node:fs";
import type { ServerOptions } from "../config/options.js";
import { Permissions, type PermissionsConfig, type SubjectPermissionConfig } from "../core/permissions.js";
import {
  type AuthContext,
  type Authenticator,
  type ConnectCredentials,
  connectionTypeAllowed,
  type Identity,
} from "./authenticator.js";
import {
  type AccountNats,
  type Claims,
  decodeVerifiedJwt,
  isCurrent,
  type JwtPermission,
  type OperatorNats,
  signingKeys,
  type UserNats,
} from "./jwt.js";
import { verifyNonceSignature } from "./nkey-verify.js";
import {
  type AccountConfig,
  type ExportConfig,
  type ImportConfig,
  SecurityConfigError,
} from "./security-config.js";

export interface OperatorMode {
  operators: Claims<OperatorNats>[];
  /** Account JWT claims by account public key. */
  accounts: Map<string, Claims<AccountNats>>;
}

/** An operator setting is a JWT, or a file holding one (possibly inside BEGIN/END decorations). */
function readJwtSetting(value: string): string {
  if (value.trim().startsWith("eyJ")) return value.trim();
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch (err) {
    throw new SecurityConfigError(`error reading operator JWT ${value}: ${(err as Error).message}`);
  }
  const m = /eyJ[A-Za-z0-9_\-.]+/.exec(text);
  if (m === null) throw new SecurityConfigError(`no JWT found in ${value}`);
  return m[0];
}

function trustedKeys(operators: Claims<OperatorNats>[]): Set<string> {
  const keys = new Set<string>();
  for (const op of operators) {
    keys.add(op.sub);
    for (const k of op.nats.signing_keys ?? []) keys.add(k);
  }
  return keys;
}

/** Reads `operator`, `resolver` and `resolver_preload`; undefined when no operator is configured. */
export function operatorModeFrom(opts: ServerOptions): OperatorMode | undefined {
  const raw = opts.extra.operator;
  if (raw === undefined) return undefined;
  const settings = Array.isArray(raw) ? raw : [raw];
  const operators = settings.map((s) => {
    const claims = decodeVerifiedJwt<OperatorNats>(readJwtSetting(String(s)));
    if (claims === null || claims.nats.type !== "operator")
      throw new SecurityConfigError("invalid operator JWT");
    return claims;
  });
  const resolver = opts.extra.resolver;
  const kind = typeof resolver === "string" ? resolver.toUpperCase() : undefined;
  if (kind !== "MEMORY")
    throw new SecurityConfigError(
      "only `resolver: MEMORY` is supported in operator mode (no URL or full resolver yet)",
    );
  const trusted = trustedKeys(operators);
  const accounts = new Map<string, Claims<AccountNats>>();
  const preload = opts.extra.resolver_preload;
  if (typeof preload === "object" && preload !== null) {
    for (const [key, jwt] of Object.entries(preload as Record<string, unknown>)) {
      const claims = decodeVerifiedJwt<AccountNats>(String(jwt));
      if (claims === null || claims.sub !== key)
        throw new SecurityConfigError(`invalid account JWT in resolver_preload for ${key}`);
      if (!trusted.has(claims.iss))
        throw new SecurityConfigError(`account JWT for ${key} not signed by a trusted operator`);
      accounts.set(key, claims);
    }
  }
  return { operators, accounts };
}

/** The accounts' JWT exports and imports in the shape account-setup wires. */
export function accountConfigsFrom(mode: OperatorMode): AccountConfig[] {
  return [...mode.accounts.values()].map((acc) => ({
    name: acc.sub,
    exports: (acc.nats.exports ?? []).map(
      (e): ExportConfig => ({
        kind: e.type === "service" ? "service" : "stream",
        subject: e.subject ?? "",
        responseType: (e.response_type?.toLowerCase() as ExportConfig["responseType"]) ?? "singleton",
      }),
    ),
    imports: (acc.nats.imports ?? []).map((i): ImportConfig => {
      const imp: ImportConfig = {
        kind: i.type === "service" ? "service" : "stream",
        account: i.account ?? "",
        subject: i.subject ?? "",
      };
      // jwt v2: for streams `to` is a prefix and `local_subject` the mapping; for services both name the local subject.
      if (imp.kind === "stream") {
        if (i.local_subject) imp.to = i.local_subject;
        else if (i.to) imp.prefix = i.to;
      } else if (i.local_subject || i.to) imp.to = i.local_subject || i.to;
      return imp;
    }),
  }));
}

function subjectPermission(p: JwtPermission | undefined): SubjectPermissionConfig | undefined {
  if (p === undefined) return undefined;
  const out: SubjectPermissionConfig = {};
  if (Array.isArray(p.allow) && p.allow.length > 0) out.allow = p.allow.map(String);
  if (Array.isArray(p.deny) && p.deny.length > 0) out.deny = p.deny.map(String);
  return out.allow === undefined && out.deny === undefined ? undefined : out;
}

/** User JWT permissions, else the account's default_permissions (nats-server buildInternalNkeyUser). */
function userPermissions(user: UserNats, account: AccountNats): PermissionsConfig | undefined {
  const p: PermissionsConfig = {};
  const pub = subjectPermission(user.pub);
  const sub = subjectPermission(user.sub);
  if (pub !== undefined) p.publish = pub;
  if (sub !== undefined) p.subscribe = sub;
  if (user.resp !== undefined)
    p.allowResponses = {
      maxMsgs: user.resp.max ?? 1,
      expiresMs: (user.resp.ttl ?? 0) / 1e6 || 2 * 60 * 1000,
    };
  if (p.publish || p.subscribe || p.allowResponses) return p;
  const d = account.default_permissions;
  if (d === undefined) return undefined;
  const dp: PermissionsConfig = {};
  const dpub = subjectPermission(d.pub);
  const dsub = subjectPermission(d.sub);
  if (dpub !== undefined) dp.publish = dpub;
  if (dsub !== undefined) dp.subscribe = dsub;
  return dp.publish || dp.subscribe ? dp : undefined;
}

export class JwtAuthenticator implements Authenticator {
  readonly required = true;
  readonly nonceRequired = true;

  constructor(private readonly mode: OperatorMode) {}

  authenticate(creds: ConnectCredentials, ctx: AuthContext): Identity | null {
    if (!creds.jwt) return null;
    const user = decodeVerifiedJwt<UserNats>(creds.jwt);
    if (user === null || (user.nats.type !== undefined && user.nats.type !== "user")) return null;
    if (!isCurrent(user)) return null;
    const types = user.nats.allowed_connection_types;
    if (
      Array.isArray(types) &&
      !connectionTypeAllowed(
        types.map((t) => String(t).toUpperCase()),
        ctx,
      )
    )
      return null;
    const accountKey = user.nats.issuer_account ?? user.iss;
    const account = this.mode.accounts.get(accountKey);
    if (account === undefined || !isCurrent(account)) return null;
    if (user.iss !== account.sub && !signingKeys(account.nats).includes(user.iss)) return null;
    if (!user.nats.bearer_token && !verifyNonceSignature(user.sub, ctx.nonce, creds.sig)) return null;
    if (isRevoked(account.nats, user)) return null;
    const identity: Identity = { account: accountKey, user: user.sub };
    const perms = userPermissions(user.nats, account.nats);
    if (perms !== undefined) identity.permissions = new Permissions(perms);
    if (typeof user.exp === "number" && user.exp > 0) identity.expiresAt = user.exp * 1000;
    return identity;
  }
}

/** nats-server checkUserRevoked: revoked when issued at or before the revocation time (per key or "*"). */
function isRevoked(account: AccountNats, user: Claims<UserNats>): boolean {
  const revocations = account.revocations;
  if (revocations === undefined) return false;
  const iat = user.iat ?? 0;
  for (const key of [user.sub, "*"]) {
    const t = revocations[key];
    if (typeof t === "number" && iat <= t) return true;
  }
  return false;
}

// The authenticator for configured users: `users` (user/password, bcrypt, nkey) in `authorization` and in
// `accounts`, a token or single user, `no_auth_user`, TLS certificate mapping. Follows nats-server
// auth.go processClientOrLeafAuthentication, but always compares a hash so unknown users take as long.

import bcrypt from "bcryptjs";
import { GLOBAL_ACCOUNT } from "../core/account.js";
import { Permissions } from "../core/permissions.js";
import {
  type AuthContext,
  type Authenticator,
  type ConnectCredentials,
  connectionTypeAllowed,
  type Identity,
} from "./authenticator.js";
import { verifyNonceSignature } from "./nkey-verify.js";
import type { SecurityConfig, UserConfig } from "./security-config.js";
import { isBcrypt, secretMatches } from "./simple-auth.js";

interface UserEntry {
  config: UserConfig;
  identity: Identity;
}

export interface ConfiguredAuthOptions {
  /** TLS verify_and_map: the user comes from the client certificate. */
  tlsMap?: boolean;
}

export class ConfiguredAuthenticator implements Authenticator {
  readonly required: boolean;
  readonly nonceRequired: boolean;
  private readonly users = new Map<string, UserEntry>();
  private readonly nkeys = new Map<string, UserEntry>();
  /** A hash of the configured cost, compared when the user is unknown (no timing oracle). */
  private dummyHash: string | null = null;
  private readonly dummyCost: number | null;

  constructor(
    private readonly config: SecurityConfig,
    private readonly options: ConfiguredAuthOptions = {},
  ) {
    let cost: number | null = null;
    for (const u of config.users) {
      const perms = u.permissions === undefined ? undefined : new Permissions(u.permissions);
      const identity: Identity = { account: u.account };
      if (u.user !== undefined) identity.user = u.user;
      else if (u.nkey !== undefined) identity.user = u.nkey;
      if (perms !== undefined) identity.permissions = perms;
      const entry = { config: u, identity };
      if (u.nkey !== undefined) this.nkeys.set(u.nkey, entry);
      else this.users.set(u.user!, entry);
      if (cost === null && u.password !== undefined && isBcrypt(u.password)) cost = bcryptCost(u.password);
    }
    this.dummyCost = cost;
    this.required =
      config.users.length > 0 ||
      config.token !== undefined ||
      config.user !== undefined ||
      options.tlsMap === true;
    this.nonceRequired = this.nkeys.size > 0;
  }

  /** The identity of a configured user by name (no_auth_user of the WebSocket and MQTT blocks). */
  identityForUser(name: string): Identity | null {
    return this.users.get(name)?.identity ?? null;
  }

  authenticate(creds: ConnectCredentials, ctx: AuthContext): Identity | null {
    if (!this.required) return { account: GLOBAL_ACCOUNT };
    if (this.nkeys.size > 0 && creds.nkey) {
      const entry = this.nkeys.get(creds.nkey);
      if (entry === undefined || !connectionTypeAllowed(entry.config.allowedConnectionTypes, ctx))
        return null;
      return verifyNonceSignature(creds.nkey, ctx.nonce, creds.sig) ? entry.identity : null;
    }
    if (this.users.size > 0) return this.authenticateUser(creds, ctx);
    const c = this.config;
    if (c.token !== undefined)
      return secretMatches(c.token, creds.authToken) ? { account: GLOBAL_ACCOUNT } : null;
    if (c.user !== undefined) {
      const userOk = creds.user === c.user;
      // Compare even when the name is wrong, so both failures take the same time.
      const passOk = c.password === undefined || secretMatches(c.password, creds.pass);
      return userOk && passOk ? { account: GLOBAL_ACCOUNT, user: c.user } : null;
    }
    return null;
  }

  private authenticateUser(creds: ConnectCredentials, ctx: AuthContext): Identity | null {
    if (this.options.tlsMap) return this.authenticateCert(ctx);
    let user = creds.user;
    let pass = creds.pass;
    const noAuth = this.config.noAuthUser;
    if (noAuth !== undefined && !creds.user && !creds.pass && !creds.authToken) {
      const entry = this.users.get(noAuth);
      if (entry !== undefined && connectionTypeAllowed(entry.config.allowedConnectionTypes, ctx)) {
        user = noAuth;
        pass = entry.config.password;
        if (pass === undefined || !isBcrypt(pass)) return entry.identity;
        // A bcrypt password cannot be replayed: nats-server copies it and compares it with itself (fails).
        return secretMatches(pass, pass) ? entry.identity : null;
      }
    }
    if (!user) return null;
    const entry = this.users.get(user);
    if (entry === undefined || !connectionTypeAllowed(entry.config.allowedConnectionTypes, ctx)) {
      this.burnCompare(pass);
      return null;
    }
    const configured = entry.config.password;
    if (configured === undefined) return pass ? null : entry.identity;
    return secretMatches(configured, pass) ? entry.identity : null;
  }

  /** verify_and_map: the first certificate name that is a configured user (nats-server checkClientTLSCertSubject). */
  private authenticateCert(ctx: AuthContext): Identity | null {
    for (const name of ctx.certNames ?? []) {
      const entry = this.users.get(name) ?? this.findByDn(name);
      if (entry !== undefined && connectionTypeAllowed(entry.config.allowedConnectionTypes, ctx))
        return entry.identity;
    }
    return null;
  }

  /** A DN configured with different spacing or order still maps (nats-server ldap.DN Equal/RDNsMatch). */
  private findByDn(dn: string): UserEntry | undefined {
    const want = normaliseDn(dn);
    if (want === null) return undefined;
    for (const [name, entry] of this.users) {
      const have = normaliseDn(name);
      if (have !== null && have === want) return entry;
    }
    return undefined;
  }

  private burnCompare(pass: string | undefined): void {
    if (this.dummyCost === null) return;
    this.dummyHash ??= bcrypt.hashSync("natsgate-unknown-user", this.dummyCost);
    bcrypt.compareSync(pass ?? "", this.dummyHash);
  }
}

function bcryptCost(hash: string): number {
  const cost = Number.parseInt(hash.split("$")[2] ?? "", 10);
  return Number.isInteger(cost) && cost >= 4 && cost <= 31 ? cost : 10;
}

/** "CN=a, O=b" and "O=b,CN=a" compare equal: RDNs sorted, types upper-cased, spaces trimmed. */
function normaliseDn(dn: string): string | null {
  if (!dn.includes("=")) return null;
  const rdns = dn.split(/(?<!\\),/).map((rdn) => {
    const i = rdn.indexOf("=");
    if (i < 0) return rdn.trim();
    return `${rdn.slice(0, i).trim().toUpperCase()}=${rdn.slice(i + 1).trim()}`;
  });
  return rdns.sort().join(",");
}

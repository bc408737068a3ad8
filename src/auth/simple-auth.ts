// Single user/password or token authorization, as nats-server's top-level `authorization` block
// and the --user/--pass/--auth flags. Passwords and tokens may be bcrypt hashes ("$2a$...").

import bcrypt from "bcryptjs";
import { GLOBAL_ACCOUNT } from "../core/account.js";
import type { AuthContext, Authenticator, ConnectCredentials, Identity } from "./authenticator.js";

export interface SimpleAuthConfig {
  user?: string;
  password?: string;
  token?: string;
}

/** nats-server treats a secret that starts with "$2" as a bcrypt hash. */
export function isBcrypt(secret: string): boolean {
  return secret.startsWith("$2");
}

export function secretMatches(configured: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  if (isBcrypt(configured)) {
    try {
      return bcrypt.compareSync(given, configured);
    } catch {
      return false;
    }
  }
  return constantTimeEqual(configured, given);
}

function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

export class SimpleAuthenticator implements Authenticator {
  readonly required: boolean;

  constructor(private readonly config: SimpleAuthConfig) {
    this.required = config.token !== undefined || config.user !== undefined;
  }

  authenticate(creds: ConnectCredentials, _ctx: AuthContext): Identity | null {
    if (!this.required) return { account: GLOBAL_ACCOUNT };
    if (this.config.token !== undefined) {
      return secretMatches(this.config.token, creds.authToken) ? { account: GLOBAL_ACCOUNT } : null;
    }
    if (creds.user !== this.config.user) return null;
    if (this.config.password !== undefined && !secretMatches(this.config.password, creds.pass)) return null;
    return { account: GLOBAL_ACCOUNT, user: creds.user };
  }
}

// Chooses and builds the server's authenticator from its options: configured users, accounts and
// permissions (ConfiguredAuthenticator) and, in operator mode, the JWT authenticator.

import type { ServerOptions } from "../config/options.js";
import type { Account } from "../core/account.js";
import type { AccountLinks, NewInternalClient } from "../core/account-links.js";
import { createAccounts, linkAccounts } from "./account-setup.js";
import type { Authenticator } from "./authenticator.js";
import { ConfiguredAuthenticator } from "./configured-auth.js";
import { type SecurityConfig, securityConfigFrom } from "./security-config.js";

export interface ServerSecurity {
  readonly config: SecurityConfig;
  readonly authenticator: Authenticator;
}

/** Throws SecurityConfigError on a configuration nats-server would refuse. */
export function buildSecurity(options: ServerOptions, opts: { tlsMap?: boolean } = {}): ServerSecurity {
  const config = securityConfigFrom(options);
  return { config, authenticator: new ConfiguredAuthenticator(config, { tlsMap: opts.tlsMap }) };
}

/** Creates the configured accounts in `accounts` and subscribes their imports. */
export function setupAccounts(
  security: ServerSecurity,
  accounts: Map<string, Account>,
  newClient: NewInternalClient,
): AccountLinks {
  createAccounts(security.config, accounts);
  return linkAccounts(security.config, accounts, newClient);
}

// Chooses and builds the server's authenticator from its options: configured users, accounts and
// permissions (ConfiguredAuthenticator) and, in operator mode, the JWT authenticator.

import type { Socket } from "node:net";
import type { ServerOptions } from "../config/options.js";
import type { Account } from "../core/account.js";
import type { AccountLinks, NewInternalClient } from "../core/account-links.js";
import type { Transport } from "../core/transport.js";
import { createAccounts, linkAccounts, planImports } from "./account-setup.js";
import type { Authenticator } from "./authenticator.js";
import { ConfiguredAuthenticator } from "./configured-auth.js";
import { accountConfigsFrom, JwtAuthenticator, operatorModeFrom } from "./jwt-auth.js";
import { type SecurityConfig, securityConfigFrom } from "./security-config.js";
import { type TlsConfig, tlsConfigFrom, tlsFiles } from "./tls-config.js";
import { TlsTransport, TlsUpgrader } from "./tls-transport.js";

export interface ServerSecurity {
  readonly config: SecurityConfig;
  readonly authenticator: Authenticator;
}

/** Throws SecurityConfigError on a configuration nats-server would refuse. */
export function buildSecurity(options: ServerOptions, opts: { tlsMap?: boolean } = {}): ServerSecurity {
  const config = securityConfigFrom(options);
  const operator = operatorModeFrom(options);
  if (operator !== undefined) {
    // Operator mode: accounts come from their JWTs, users from the JWTs clients present.
    config.accounts.push(...accountConfigsFrom(operator));
    return { config, authenticator: new JwtAuthenticator(operator) };
  }
  const tlsMap = opts.tlsMap ?? tlsConfigFrom(options.extra.tls)?.verifyAndMap;
  return { config, authenticator: new ConfiguredAuthenticator(config, { tlsMap }) };
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

/** The client port's TLS, when a `tls` block is configured: INFO fields and a transport per socket. */
export interface ClientTls {
  readonly config: TlsConfig;
  transport(socket: Socket, onHandshakeError?: (remote: string, err: Error) => void): Transport;
}

export function buildClientTls(options: ServerOptions): ClientTls | undefined {
  const config = tlsConfigFrom(options.extra.tls);
  if (config === undefined) return undefined;
  const upgrader = new TlsUpgrader({
    ...tlsFiles(config),
    requestCert: config.verify,
    rejectUnauthorized: config.verify,
  });
  return {
    config,
    transport: (socket, onHandshakeError) =>
      new TlsTransport(socket, {
        upgrader,
        handshakeFirst: config.handshakeFirst,
        timeoutMs: config.timeoutMs,
        onHandshakeError,
      }),
  };
}

/**
 * Everything buildSecurity, setupAccounts and buildClientTls would refuse, without starting anything:
 * for loading a config file (and `-t`). Throws SecurityConfigError.
 */
export function validateSecurity(options: ServerOptions): void {
  const security = buildSecurity(options);
  planImports(security.config);
  buildClientTls(options);
}

// The nats CLI's connection flags (-s/--server, --user, --password, --creds, --nkey, --tls*, --timeout) and
// their NATS_* environment variables, turned into a connected client.

import { readFileSync } from "node:fs";
import {
  type Authenticator,
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { type Command, Option } from "commander";
import { CliError, describeError } from "./cli-error.js";
import { parseDuration } from "./duration.js";

export interface ConnectionFlags {
  server?: string;
  user?: string;
  password?: string;
  creds?: string;
  nkey?: string;
  tlscert?: string;
  tlskey?: string;
  tlsca?: string;
  tlsfirst?: boolean;
  timeout?: string;
  connectionName?: string;
  jsDomain?: string;
  jsApiPrefix?: string;
}

/** Adds the global connection flags to the root program; subcommands read them with optsWithGlobals(). */
export function addConnectionOptions(program: Command): void {
  const opt = (flags: string, help: string, env?: string) => {
    const o = new Option(flags, help);
    program.addOption(env ? o.env(env) : o);
  };
  opt("-s, --server <url>", "NATS server urls", "NATS_URL");
  opt("--user <user>", "Username or Token", "NATS_USER");
  opt("--password <password>", "Password", "NATS_PASSWORD");
  opt("--creds <file>", "User credentials", "NATS_CREDS");
  opt("--nkey <file>", "User NKEY", "NATS_NKEY");
  opt("--tlscert <file>", "TLS client certificate file", "NATS_CERT");
  opt("--tlskey <file>", "TLS client key file", "NATS_KEY");
  opt("--tlsca <file>", "TLS certificate authority chain file", "NATS_CA");
  opt("--tlsfirst", "Perform TLS handshake before expecting the server greeting");
  opt("--timeout <duration>", "Time to wait on responses from NATS (default 5s)", "NATS_TIMEOUT");
  opt("--connection-name <name>", "Nickname to use for the underlying NATS Connection");
  opt("--js-domain <domain>", "JetStream domain to access");
  opt("--js-api-prefix <prefix>", "Subject prefix for access to JetStream API");
}

/** The request timeout in milliseconds (--timeout, default 5s). */
export function timeoutMs(flags: ConnectionFlags): number {
  return flags.timeout ? Math.max(1, Math.round(parseDuration(flags.timeout, "timeout") / 1e6)) : 5000;
}

function authenticator(flags: ConnectionFlags): Authenticator | undefined {
  try {
    if (flags.creds) return credsAuthenticator(readFileSync(flags.creds));
    if (flags.nkey)
      return nkeyAuthenticator(new TextEncoder().encode(readFileSync(flags.nkey, "utf8").trim()));
  } catch (err) {
    throw new CliError(`could not read credentials: ${describeError(err)}`);
  }
  return undefined;
}

/** Builds the client options; a --user without --password is a token, as in the nats CLI. */
export function connectionOptions(flags: ConnectionFlags): ConnectionOptions {
  const servers = (flags.server ?? "nats://127.0.0.1:4222")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const opts: ConnectionOptions = {
    servers,
    name: flags.connectionName ?? "NATS CLI (natsgate)",
    timeout: timeoutMs(flags),
    maxReconnectAttempts: 0,
  };
  if (flags.user && flags.password !== undefined) {
    opts.user = flags.user;
    opts.pass = flags.password;
  } else if (flags.user) {
    opts.token = flags.user;
  }
  const auth = authenticator(flags);
  if (auth) opts.authenticator = auth;
  if (flags.tlscert || flags.tlskey || flags.tlsca || flags.tlsfirst) {
    opts.tls = {
      ...(flags.tlscert ? { certFile: flags.tlscert } : {}),
      ...(flags.tlskey ? { keyFile: flags.tlskey } : {}),
      ...(flags.tlsca ? { caFile: flags.tlsca } : {}),
      ...(flags.tlsfirst ? { handshakeFirst: true } : {}),
    };
  }
  return opts;
}

/** Connects or fails with one line naming the servers tried. */
export async function connectWith(flags: ConnectionFlags): Promise<NatsConnection> {
  const opts = connectionOptions(flags);
  try {
    return await connect(opts);
  } catch (err) {
    throw new CliError(`could not connect to ${[opts.servers].flat().join(", ")}: ${describeError(err)}`);
  }
}

/** The JetStream API options shared by jetstream() and jetstreamManager(). */
export function jetStreamOptions(flags: ConnectionFlags): {
  timeout: number;
  domain?: string;
  apiPrefix?: string;
} {
  return {
    timeout: timeoutMs(flags),
    ...(flags.jsDomain ? { domain: flags.jsDomain } : {}),
    ...(flags.jsApiPrefix ? { apiPrefix: flags.jsApiPrefix } : {}),
  };
}

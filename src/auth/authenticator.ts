// What a connection presents in CONNECT, and what an authenticator turns it into:
// an identity bound to an account. Every protocol edge authenticates through this interface.

import type { Permissions } from "../core/permissions.js";

export interface ConnectCredentials {
  user?: string;
  pass?: string;
  authToken?: string;
  nkey?: string;
  sig?: string;
  jwt?: string;
}

export interface AuthContext {
  kind: "client" | "websocket" | "mqtt";
  remoteAddress: string;
  /** The nonce sent in INFO, which `sig` must sign (nkey and JWT users). */
  nonce?: string;
  /**
   * Names a verified client certificate may map to (TLS verify_and_map), in nats-server's order:
   * email SANs, DNS SANs, URI SANs, then the subject DN (RFC 2253).
   */
  certNames?: string[];
}

/** The connection type a user's allowed_connection_types names (nats-server connectionTypeAllowed). */
export function connectionType(kind: AuthContext["kind"]): string {
  return kind === "websocket" ? "WEBSOCKET" : kind === "mqtt" ? "MQTT" : "STANDARD";
}

/** True when `allowed` is empty/absent or names the context's connection type. */
export function connectionTypeAllowed(allowed: readonly string[] | undefined, ctx: AuthContext): boolean {
  return allowed === undefined || allowed.length === 0 || allowed.includes(connectionType(ctx.kind));
}

export interface Identity {
  /** Account name the connection is bound to. */
  account: string;
  user?: string;
  /** Publish/subscribe permissions; absent = everything allowed. */
  permissions?: Permissions;
  /** Milliseconds since the epoch after which the connection must close (JWT expiry). */
  expiresAt?: number;
}

export interface Authenticator {
  /** Whether clients must authenticate (INFO auth_required). */
  readonly required: boolean;
  /** Whether INFO must carry a nonce for `sig` (nkey users or operator mode). */
  readonly nonceRequired?: boolean;
  /** Returns the identity, or null when the credentials are rejected. */
  authenticate(creds: ConnectCredentials, ctx: AuthContext): Identity | null;
}

// The one call the WebSocket and MQTT edges make to log a client in: credentials as their protocol
// carries them → the account, the user and a per-connection permission checker (null = all allowed).

import { ConnectionPermissions } from "../core/permissions.js";
import type { AuthContext, Authenticator, ConnectCredentials, Identity } from "./authenticator.js";

export interface EdgeLogin {
  identity: Identity;
  /** Check `canPublish(subject)`, `canSubscribe(subject, queue)` and `admitDelivery(subject, reply)`. */
  permissions: ConnectionPermissions | null;
}

/**
 * MQTT CONNECT's user name and password as nats-server reads them (mqtt.go): the password doubles as
 * the token and as a (bearer) user JWT.
 */
export function mqttCredentials(
  username: string | undefined,
  password: string | undefined,
): ConnectCredentials {
  const creds: ConnectCredentials = {};
  if (username !== undefined && username !== "") creds.user = username;
  if (password !== undefined && password !== "") {
    creds.pass = password;
    creds.authToken = password;
    creds.jwt = password;
  }
  return creds;
}

/** Authenticates; null when refused (answer with the protocol's own error: CONNACK 0x86/0x04, WS -ERR). */
export function authenticateEdge(
  authenticator: Authenticator,
  creds: ConnectCredentials,
  ctx: AuthContext,
): EdgeLogin | null {
  const identity = authenticator.authenticate(creds, ctx);
  if (identity === null) return null;
  const permissions =
    identity.permissions === undefined ? null : new ConnectionPermissions(identity.permissions);
  return { identity, permissions };
}

// Which authenticator WebSocket clients use: the websocket block's own `authorization` and `no_auth_user`
// override the server's when any is set (nats-server auth.go, "auth override"); a JWT cookie stands in for
// a CONNECT without `jwt`.

import type { AuthContext, Authenticator, ConnectCredentials, Identity } from "../../auth/authenticator.js";
import { SimpleAuthenticator } from "../../auth/simple-auth.js";
import type { WebsocketOptions } from "../../config/options.js";

/** An authenticator that knows configured users (nats-server `users`): used to resolve `no_auth_user`. */
export interface UserDirectory {
  identityForUser(name: string): Identity | null;
}

export function isUserDirectory(a: Authenticator): a is Authenticator & UserDirectory {
  return typeof (a as Partial<UserDirectory>).identityForUser === "function";
}

function hasNoCredentials(c: ConnectCredentials): boolean {
  return !c.user && !c.pass && !c.authToken && !c.nkey && !c.jwt;
}

/** True when the websocket block configures its own auth (nats-server wsConfigAuth). */
export function hasAuthOverride(ws: WebsocketOptions): boolean {
  return ws.username !== undefined || ws.token !== undefined || ws.noAuthUser !== undefined;
}

class WebsocketOverrideAuthenticator implements Authenticator {
  readonly required = true;
  /** nats-server sends a nonce to every client when the server needs one (nkey users, operator mode). */
  readonly nonceRequired: boolean | undefined;
  private readonly simple: SimpleAuthenticator | null;

  constructor(
    private readonly base: Authenticator,
    private readonly noAuthUser: string | undefined,
    ws: WebsocketOptions,
  ) {
    this.nonceRequired = base.nonceRequired;
    this.simple =
      ws.username !== undefined || ws.token !== undefined
        ? new SimpleAuthenticator({ user: ws.username, password: ws.password, token: ws.token })
        : null;
  }

  authenticate(creds: ConnectCredentials, ctx: AuthContext): Identity | null {
    if (this.noAuthUser !== undefined && hasNoCredentials(creds)) {
      // The configured users (and their accounts and permissions) belong to the server's authenticator.
      return isUserDirectory(this.base) ? this.base.identityForUser(this.noAuthUser) : null;
    }
    if (this.simple !== null) return this.simple.authenticate(creds, ctx);
    // Only no_auth_user overrides: credentials are checked against the configured users, as nats-server.
    return isUserDirectory(this.base) ? this.base.authenticate(creds, ctx) : null;
  }
}

/** The authenticator for WebSocket clients: the server's, unless the websocket block overrides it. */
export function websocketAuthenticator(base: Authenticator, ws: WebsocketOptions): Authenticator {
  return hasAuthOverride(ws) ? new WebsocketOverrideAuthenticator(base, ws.noAuthUser, ws) : base;
}

/** Wraps an authenticator so a CONNECT without `jwt` uses the JWT from the upgrade request's cookie. */
export function withCookieJwt(inner: Authenticator, jwt: string): Authenticator {
  return {
    required: inner.required,
    nonceRequired: inner.nonceRequired,
    authenticate: (creds, ctx) => inner.authenticate(creds.jwt ? creds : { ...creds, jwt }, ctx),
  };
}

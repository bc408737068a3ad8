// What a NATS connection over WebSocket sees of its server: the server's own context, except for the
// WebSocket-specific authenticator, auth timeout and the INFO's auth_required that follows from them.

import type { Authenticator } from "../../auth/authenticator.js";
import type { ServerOptions } from "../../config/options.js";
import type { Account } from "../../core/account.js";
import type { ServerStats } from "../../core/stats.js";
import type { Logger } from "../../util/logger.js";
import type { NatsConnection, NatsConnectionContext } from "../nats/connection.js";
import type { CloseReason } from "../nats/errors.js";

const AUTH_REQUIRED_FIELD = '"auth_required":true,';

export class WebsocketConnectionContext implements NatsConnectionContext {
  private baseOptions: ServerOptions | null = null;
  private wsOptions: ServerOptions | null = null;

  constructor(
    private readonly server: NatsConnectionContext,
    readonly authenticator: Authenticator,
    /** Milliseconds; the websocket block's `authorization.timeout`, when set. */
    private readonly authTimeout: number | undefined,
  ) {}

  /** The server's options (read on the hot path): re-derived only when the server's object changes (reload). */
  get options(): ServerOptions {
    const base = this.server.options;
    if (base !== this.baseOptions) {
      this.baseOptions = base;
      this.wsOptions =
        this.authTimeout === undefined || this.authTimeout === 0
          ? base
          : { ...base, authTimeout: this.authTimeout };
    }
    return this.wsOptions!;
  }

  get logger(): Logger {
    return this.server.logger;
  }

  get stats(): ServerStats {
    return this.server.stats;
  }

  /** nats-server sends the TCP INFO, with auth_required set when only the websocket block asks for auth. */
  infoJson(conn: NatsConnection): string {
    const json = this.server.infoJson(conn);
    if (!this.authenticator.required || this.server.authenticator.required) return json;
    // The server's INFO writes auth_required just before max_payload when its own auth requires it.
    const at = json.indexOf('"max_payload"');
    return at < 0
      ? `{${AUTH_REQUIRED_FIELD}${json.slice(1)}`
      : json.slice(0, at) + AUTH_REQUIRED_FIELD + json.slice(at);
  }

  lookupAccount(name: string): Account | null {
    return this.server.lookupAccount(name);
  }

  connectionClosed(conn: NatsConnection, reason: CloseReason): void {
    this.server.connectionClosed(conn, reason);
  }
}

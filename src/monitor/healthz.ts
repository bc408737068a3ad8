// /healthz: "ok" once the server listens and, when JetStream is configured, once JetStream is up with its
// streams recovered; otherwise an error status that the HTTP layer answers with 503 (monitor.go healthz).

import type { JetStreamMonitorView } from "./jsz.js";
import type { MonitorQuery } from "./query.js";

export interface HealthzOptions {
  jsEnabledOnly?: boolean;
  jsServerOnly?: boolean;
}

export interface HealthStatus {
  status: "ok" | "error" | "unavailable";
  error?: string;
}

export interface HealthzInput {
  /** The client listener is bound. */
  listening: boolean;
  jetstreamConfigured: boolean;
  jetstream: JetStreamMonitorView | null;
}

/** nats-server's text for JSNotEnabledErr (10076). */
export const JS_NOT_ENABLED = "JetStream not enabled";

export function healthzOptionsFromQuery(q: MonitorQuery): HealthzOptions {
  // `js-enabled` is the deprecated spelling of js-enabled-only.
  const jsEnabled = q.bool("js-enabled");
  return { jsEnabledOnly: q.bool("js-enabled-only") || jsEnabled, jsServerOnly: q.bool("js-server-only") };
}

export function healthz(input: HealthzInput, _opts: HealthzOptions = {}): HealthStatus {
  if (!input.listening) {
    return { status: "error", error: "failed to be ready for connections after 1ms: server" };
  }
  if (!input.jetstreamConfigured) return { status: "ok" };
  if (input.jetstream === null || !input.jetstream.ready) {
    return { status: "unavailable", error: JS_NOT_ENABLED };
  }
  // js-enabled-only and js-server-only skip the meta-leader and asset checks, which a single server
  // (no clustered JetStream) does not have: every variant is ok from here.
  return { status: "ok" };
}

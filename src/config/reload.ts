// What a configuration reload (SIGHUP) may change: nats-server refuses changes to listeners and
// identity at runtime and applies the rest. Pure functions over two ServerOptions.

import type { ServerOptions } from "./options.js";

/** Options that need a restart, with nats-server's names for the refusal message. */
const NOT_RELOADABLE: [keyof ServerOptions, string][] = [
  ["host", "Host"],
  ["port", "Port"],
  ["serverName", "ServerName"],
  ["httpHost", "HTTPHost"],
  ["httpPort", "HTTPPort"],
  ["httpsPort", "HTTPSPort"],
  ["websocket", "Websocket"],
  ["mqtt", "MQTT"],
  ["jetstream", "JetStream"],
];

/** Options a reload applies in place (connections read them live or on their next use). */
const RELOADABLE: (keyof ServerOptions)[] = [
  "maxPayload",
  "maxControlLine",
  "maxConnections",
  "maxSubscriptions",
  "maxPending",
  "pingInterval",
  "maxPingsOutstanding",
  "writeDeadline",
  "authTimeout",
  "username",
  "password",
  "authToken",
  "noAuthUser",
  "debug",
  "trace",
  "logtime",
  "lameDuckDuration",
  "extra",
];

export interface ReloadPlan {
  /** Reloadable options whose value differs. */
  changed: (keyof ServerOptions)[];
  /** Refusals, e.g. `config reload not supported for Port: old=4222, new=4223`. */
  refused: string[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function planReload(current: ServerOptions, next: ServerOptions): ReloadPlan {
  const refused: string[] = [];
  for (const [key, name] of NOT_RELOADABLE) {
    if (!same(current[key], next[key])) {
      refused.push(
        `config reload not supported for ${name}: old=${JSON.stringify(current[key])}, new=${JSON.stringify(next[key])}`,
      );
    }
  }
  const changed = RELOADABLE.filter((key) => !same(current[key], next[key]));
  return { changed, refused };
}

/** Copies the changed reloadable options into `current` (the object connections hold). */
export function applyReload(current: ServerOptions, next: ServerOptions, plan: ReloadPlan): void {
  const target = current as unknown as Record<string, unknown>;
  const source = next as unknown as Record<string, unknown>;
  for (const key of plan.changed) target[key] = source[key];
}

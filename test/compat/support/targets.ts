// The two servers a compat session runs against (nats-server from PATH and natsgate in-process), and the
// named server setups, each given once in nats-server config syntax and once as natsgate options.

import { type CreateServerOptions, createServer } from "../../../src/index.js";
import { natsServerAvailable, startNatsServer } from "../../helpers/nats-server-process.js";

export interface ServerSetup {
  /** nats-server config file text. */
  conf: string;
  /** The same limits as natsgate createServer() options. */
  natsgate: CreateServerOptions;
}

export const SETUPS = {
  default: { conf: "", natsgate: {} },
  maxPayload8: { conf: "max_payload: 8\n", natsgate: { maxPayload: 8 } },
  maxControlLine32: { conf: "max_control_line: 32\n", natsgate: { maxControlLine: 32 } },
  maxSubs2: { conf: "max_subscriptions: 2\n", natsgate: { maxSubscriptions: 2 } },
  maxConns1: { conf: "max_connections: 1\n", natsgate: { maxConnections: 1 } },
  userPass: {
    conf: "authorization { user: alice, password: secret, timeout: 1 }\n",
    natsgate: { username: "alice", password: "secret", authTimeout: 1000 },
  },
  token: { conf: "authorization { token: s3cr3t }\n", natsgate: { authToken: "s3cr3t" } },
  stale: {
    conf: 'ping_interval: "1s"\nping_max: 1\n',
    natsgate: { pingInterval: 1000, maxPingsOutstanding: 1 },
  },
  stale2: {
    conf: 'ping_interval: "1s"\nping_max: 2\n',
    natsgate: { pingInterval: 1000, maxPingsOutstanding: 2 },
  },
} satisfies Record<string, ServerSetup>;

export type SetupName = keyof typeof SETUPS;

export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: "nats-server" | "natsgate";
  /** Whether this side runs in this test run (binary present, not switched off). */
  readonly enabled: boolean;
  start(setup: ServerSetup): Promise<RunningServer>;
}

/**
 * NATSGATE_COMPAT_TARGETS (comma list, default "nats-server,natsgate") picks the sides to run, e.g.
 * "nats-server" to check the scripts against the reference alone.
 */
function selected(name: string): boolean {
  const list = process.env.NATSGATE_COMPAT_TARGETS ?? "nats-server,natsgate";
  return list
    .split(",")
    .map((s) => s.trim())
    .includes(name);
}

export const natsServerTarget: Target = {
  name: "nats-server",
  enabled: selected("nats-server") && natsServerAvailable(),
  start: (setup) => startNatsServer([], { config: setup.conf }),
};

export const natsgateTarget: Target = {
  name: "natsgate",
  enabled: selected("natsgate"),
  start: async (setup) => {
    const server = await createServer({ host: "127.0.0.1", port: 0, ...setup.natsgate });
    return { port: server.port, stop: () => server.close() };
  },
};

/** Says once per file why the reference side is not running, so a green run is not mistaken for a full one. */
export function reportSkippedReference(): void {
  if (natsServerTarget.enabled) return;
  const why = selected("nats-server")
    ? "nats-server is not on PATH"
    : "NATSGATE_COMPAT_TARGETS excludes nats-server";
  console.warn(
    `compat: skipping the nats-server side (${why}); natsgate is checked against the scripts only`,
  );
}

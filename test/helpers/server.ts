// Test fixtures that run a real natsgate server in-process on a free port and close it (and every client
// a test opened through them) afterwards, so integration tests share one setup and never leak sockets.

import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, beforeEach } from "vitest";
import { type CreateServerOptions, createServer, type NatsgateServer } from "../../src/index.js";

/** Things to undo after a test, last registered first; errors while undoing are ignored. */
class Cleanups {
  private readonly fns: (() => unknown)[] = [];

  add(fn: () => unknown): void {
    this.fns.push(fn);
  }

  async run(): Promise<void> {
    for (const fn of this.fns.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // Already closed or failed: nothing left to release.
      }
    }
  }
}

export interface ServerHandle {
  readonly server: NatsgateServer;
  readonly port: number;
  /** "127.0.0.1:<port>", what nats.js takes as `servers`. */
  readonly url: string;
  /** A nats.js client to this server, closed after the test. */
  connect(opts?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /** Runs `fn` after the test, before the server closes. */
  cleanup(fn: () => unknown): void;
}

function handleFor(server: NatsgateServer, cleanups: Cleanups): ServerHandle {
  return {
    server,
    port: server.port,
    url: `127.0.0.1:${server.port}`,
    async connect(opts = {}) {
      const nc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false, ...opts });
      cleanups.add(() => nc.close());
      return nc;
    },
    cleanup: (fn) => cleanups.add(fn),
  };
}

/** Starts a server with `opts` (port 0), runs `fn`, then closes its clients and the server. */
export async function withServer<T>(
  opts: CreateServerOptions,
  fn: (h: ServerHandle) => Promise<T>,
): Promise<T> {
  const cleanups = new Cleanups();
  const server = await createServer({ port: 0, ...opts });
  try {
    return await fn(handleFor(server, cleanups));
  } finally {
    await cleanups.run();
    await server.close();
  }
}

/**
 * One fresh server per test of the enclosing describe block: `const t = useServer({...})`,
 * then `t.server`, `t.port`, `await t.connect()` inside the tests.
 */
export function useServer(opts: CreateServerOptions = {}): ServerHandle {
  let current: ServerHandle | null = null;
  let server: NatsgateServer | null = null;
  const cleanups = new Cleanups();
  beforeEach(async () => {
    server = await createServer({ port: 0, ...opts });
    current = handleFor(server, cleanups);
  });
  afterEach(async () => {
    await cleanups.run();
    await server?.close();
    server = null;
    current = null;
  });
  const get = (): ServerHandle => {
    if (current === null) throw new Error("useServer: only available inside a test");
    return current;
  };
  return {
    get server() {
      return get().server;
    },
    get port() {
      return get().port;
    },
    get url() {
      return get().url;
    },
    connect: (o) => get().connect(o),
    cleanup: (fn) => cleanups.add(fn),
  };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. For state with no event to await. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Rejects with `what` if `p` does not settle within `timeoutMs`. */
export async function within<T>(p: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

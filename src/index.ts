// The library API: start a real natsgate server in-process, e.g. inside a project's own tests.

import { resolveOptions, type ServerOptionsInput } from "./config/options.js";
import { NatsgateServer } from "./server.js";
import { createLogger, type Logger, silentLogger } from "./util/logger.js";

export type { ServerOptions, ServerOptionsInput } from "./config/options.js";
export { NatsgateServer } from "./server.js";
export { NATS_SERVER_COMPAT_VERSION, NATSGATE_VERSION } from "./version.js";

export interface CreateServerOptions extends ServerOptionsInput {
  /** A pino logger, `true` for logging to stdout, or false/absent for silence (the default when embedded). */
  logger?: Logger | boolean;
}

/** Starts a server and resolves once it listens. `port: 0` picks a free port: read it from `server.port`. */
export async function createServer(input: CreateServerOptions = {}): Promise<NatsgateServer> {
  const { logger, ...rest } = input;
  // Monitoring binds where clients do unless told otherwise (nats-server uses the client host).
  const host = rest.host ?? "127.0.0.1";
  const options = resolveOptions({ host, port: 0, httpHost: host, ...rest });
  const log =
    logger === true
      ? createLogger({
          debug: options.debug,
          trace: options.trace,
          logtime: options.logtime,
          logFile: options.logFile,
        })
      : logger === false || logger === undefined
        ? silentLogger()
        : logger;
  const server = new NatsgateServer(options, log);
  await server.start();
  return server;
}

// The monitoring HTTP(S) listener: the only fastify import. Serves handlers by exact path the way
// nats-server's mux does (JSON indented, JSONP with `callback`, 400 with a text body for bad parameters,
// "404 page not found" elsewhere) and counts requests per path for /varz's http_req_stats.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MonitorQuery, MonitorRequestError } from "./query.js";

const JSONP_CALLBACK = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

export interface MonitorResponse {
  status?: number;
  /** A JSON body (indented like nats-server's MarshalIndent unless `compact`). */
  json?: unknown;
  compact?: boolean;
  /** A non-JSON body with its content type (HTML pages, Prometheus text). */
  body?: string;
  contentType?: string;
}

export type MonitorHandler = (query: MonitorQuery) => MonitorResponse;

export interface MonitorHttpOptions {
  host: string;
  /** 0 = a free port. */
  port: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: Buffer | string; cert: Buffer | string };
  handlers: ReadonlyMap<string, MonitorHandler>;
  /** Called once per request to a known path, before its handler (http_req_stats). */
  onRequest?(path: string): void;
  /** Handler failures that are not request errors (bugs): logged by the caller. */
  onError?(err: unknown, path: string): void;
}

export interface MonitorHttpServer {
  readonly port: number;
  readonly protocol: "http" | "https";
  close(): Promise<void>;
}

export async function listenMonitorHttp(opts: MonitorHttpOptions): Promise<MonitorHttpServer> {
  // Loaded on first use: a server without a monitoring port never pays for fastify's import.
  const { default: Fastify } = await import("fastify");
  const app = createApp(Fastify, opts);
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : opts.port;
  return {
    port,
    protocol: opts.tls ? "https" : "http",
    close: () => app.close(),
  };
}

function createApp(Fastify: typeof import("fastify").default, opts: MonitorHttpOptions): FastifyInstance {
  const base = {
    logger: false,
    // Idle keep-alive sockets (dashboards polling /varz) must not hold shutdown up.
    forceCloseConnections: "idle" as const,
    return503OnClosing: true,
  };
  const app = (opts.tls
    ? Fastify({ ...base, https: opts.tls })
    : Fastify(base)) as unknown as FastifyInstance;
  for (const [path, handler] of opts.handlers) {
    app.route({
      method: ["GET", "POST"],
      url: path,
      handler: (req, reply) => serve(opts, path, handler, req, reply),
    });
  }
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type("text/plain; charset=utf-8").send("404 page not found\n");
  });
  return app;
}

function serve(
  opts: MonitorHttpOptions,
  path: string,
  handler: MonitorHandler,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const q = req.url.indexOf("?");
  const query = MonitorQuery.parse(q < 0 ? "" : req.url.slice(q + 1));
  opts.onRequest?.(path);
  let res: MonitorResponse;
  try {
    res = handler(query);
  } catch (err) {
    if (err instanceof MonitorRequestError) {
      return reply.code(err.status).type("text/plain; charset=utf-8").send(err.message);
    }
    opts.onError?.(err, path);
    return reply.code(500).type("text/plain; charset=utf-8").send("internal error");
  }
  reply.code(res.status ?? 200);
  if (res.json === undefined)
    return reply.type(res.contentType ?? "text/plain; charset=utf-8").send(res.body ?? "");
  const json = res.compact ? JSON.stringify(res.json) : JSON.stringify(res.json, null, 2);
  const callback = query.get("callback");
  // nats-server echoes any callback; natsgate takes only a JavaScript name so the page cannot be made
  // to run injected script.
  if (callback !== "" && !JSONP_CALLBACK.test(callback)) {
    return reply.code(400).type("text/plain; charset=utf-8").send(`invalid callback: ${callback}`);
  }
  if (callback !== "") return reply.type("application/javascript").send(`${callback}(${json})`);
  return reply.type("application/json").send(json);
}

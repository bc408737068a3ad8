// A real browser speaks NATS to natsgate: headless Chromium (the system binary, driven by playwright-core)
// loads a page that bundles the official nats.js client, connects over WebSocket with the browser's own
// WebSocket (Origin header, permessage-deflate offer), and exchanges messages with a TCP client.

import { existsSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { within } from "../helpers/server.js";

const CHROMIUM = process.env.NATSGATE_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Minimal shapes of what this test uses from playwright-core (an optional dependency here).
interface Page {
  goto(url: string): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(o: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser> };
}

/** What the page's globals hold: the nats.js bundle, and the connection the test keeps between steps. */
interface PageNc {
  info: { server_id: string; headers: boolean };
  subscribe(subject: string, opts: { max: number }): AsyncIterable<{ string(): string }>;
  publish(subject: string, payload: string): void;
  flush(): Promise<void>;
}
interface PageGlobals {
  nats: { wsconnect(opts: { servers: string; reconnect: boolean }): Promise<PageNc> };
  nc: PageNc;
  sub: AsyncIterable<{ string(): string }>;
}

async function loadPlaywright(): Promise<Playwright | string> {
  try {
    const name = "playwright-core";
    return (await import(name)) as Playwright;
  } catch {
    return "playwright-core is not installed (it belongs in devDependencies)";
  }
}

async function bundleNatsClient(): Promise<string | null> {
  try {
    const name = "esbuild";
    const esbuild = (await import(name)) as typeof import("esbuild");
    const out = await esbuild.build({
      stdin: { contents: 'export { wsconnect } from "@nats-io/nats-core";', resolveDir: process.cwd() },
      bundle: true,
      format: "iife",
      globalName: "nats",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    return out.outputFiles[0]!.text;
  } catch {
    return null;
  }
}

const playwright = await loadPlaywright();
const bundle = await bundleNatsClient();
const missing =
  typeof playwright === "string"
    ? playwright
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set NATSGATE_CHROMIUM)`
      : bundle === null
        ? "esbuild is not available to bundle nats.js for the page"
        : null;
if (missing !== null && process.env.NATSGATE_REQUIRE_CHROMIUM === "1") {
  throw new Error(`browser test required (NATSGATE_REQUIRE_CHROMIUM=1) but cannot run: ${missing}`);
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>natsgate ws</title>
<script src="/nats.js"></script></head><body>natsgate browser test</body></html>`;

/** Serves the test page and the nats.js bundle from 127.0.0.1: the page gets a real http:// origin. */
function servePage(js: string): Promise<Server> {
  const http = createHttpServer((req, res) => {
    if (req.url === "/nats.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" }).end(js);
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" }).end(PAGE);
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(http)));
}

describe.skipIf(missing !== null)(
  `headless Chromium${missing === null ? "" : ` (skipped: ${missing})`}`,
  () => {
    let pageServer: Server;
    let server: NatsgateServer;
    let browser: Browser;
    let tcp: NatsConnection;
    let page: Page;
    let pageOrigin: string;

    beforeAll(async () => {
      pageServer = await servePage(bundle!);
      pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
      // The page's own origin is the only one allowed, and compression is on as browsers offer it.
      server = await createServer({
        port: 0,
        websocket: {
          host: "127.0.0.1",
          port: 0,
          noTls: true,
          compression: true,
          allowedOrigins: [pageOrigin],
        },
      });
      tcp = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
      browser = await (playwright as Playwright).chromium.launch({
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      page = await browser.newPage();
      await page.goto(`${pageOrigin}/`);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await tcp?.close();
      await server?.close();
      await new Promise((r) => pageServer?.close(r));
    });

    it("connects from the page, receives from a TCP publisher and publishes to a TCP subscriber", async () => {
      const wsUrl = `ws://127.0.0.1:${server.websocketPort}`;
      // In the page: connect with nats.js over the browser's WebSocket and subscribe.
      const info = await page.evaluate(async (url: string) => {
        const w = globalThis as unknown as PageGlobals;
        w.nc = await w.nats.wsconnect({ servers: url, reconnect: false });
        w.sub = w.nc.subscribe("browser.in", { max: 1 });
        await w.nc.flush();
        return { serverId: w.nc.info.server_id, headers: w.nc.info.headers };
      }, wsUrl);
      expect(info).toEqual({ serverId: server.serverId, headers: true });
      const wsConn = [...server.clients.values()].find((c) => c.kind === "websocket");
      expect(wsConn?.remoteAddress).toBe("127.0.0.1");

      tcp.publish("browser.in", "hello browser");
      const received = await within(
        page.evaluate(async (_: null) => {
          const w = globalThis as unknown as PageGlobals;
          for await (const m of w.sub) return m.string();
          return "";
        }, null),
        "browser receives",
      );
      expect(received).toBe("hello browser");

      const sub = tcp.subscribe("browser.out", { max: 1 });
      await tcp.flush();
      await page.evaluate(async (payload: string) => {
        const w = globalThis as unknown as PageGlobals;
        w.nc.publish("browser.out", payload);
        await w.nc.flush();
      }, "x".repeat(10_000));
      for await (const m of sub) expect(m.string()).toBe("x".repeat(10_000));
    });

    it("is refused (403) from an origin that is not allowed, and accepted from the allowed one", async () => {
      const tryOpen = (p: Page) =>
        p.evaluate(
          (url: string) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(url);
              ws.onopen = () => {
                resolve(`open ${ws.extensions}`);
                ws.close();
              };
              ws.onerror = () => resolve("refused");
            }),
          `ws://127.0.0.1:${server.websocketPort}`,
        );
      // Chromium's permessage-deflate offer (with client_max_window_bits) is accepted as nats-server does.
      expect(await tryOpen(page)).toBe(
        "open permessage-deflate; server_no_context_takeover; client_no_context_takeover",
      );
      // Same page server under another host name: another origin, not in allowed_origins.
      const other = await browser.newPage();
      await other.goto(pageOrigin.replace("127.0.0.1", "localhost"));
      expect(await tryOpen(other)).toBe("refused");
    });
  },
);

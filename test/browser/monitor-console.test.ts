// The web console in a real browser: headless Chromium (the system binary, over the DevTools protocol)
// loads /console, which shows a connection made by a test client and, through its live tail over
// WebSocket, a message that client publishes. A screenshot of the page is written as a test artefact.

import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { CHROMIUM_PATH, ChromiumPage, chromiumAvailable } from "../helpers/chromium-cdp.js";

/** Where the screenshot goes (kept after the run); NATSGATE_ARTIFACTS overrides. */
const ARTIFACTS = process.env.NATSGATE_ARTIFACTS ?? join(tmpdir(), "natsgate-artifacts");

const haveChromium = chromiumAvailable();
if (!haveChromium && process.env.NATSGATE_REQUIRE_CHROMIUM === "1") {
  throw new Error(`browser test required (NATSGATE_REQUIRE_CHROMIUM=1) but ${CHROMIUM_PATH} was not found`);
}
if (!haveChromium) console.warn(`browser: ${CHROMIUM_PATH} not found; the console browser test is skipped`);

describe.skipIf(!haveChromium)("web console in headless Chromium", () => {
  let server: NatsgateServer;
  let nc: NatsConnection;
  let page: ChromiumPage;

  beforeAll(async () => {
    server = await createServer({
      port: 0,
      httpHost: "127.0.0.1",
      httpPort: -1,
      websocket: { host: "127.0.0.1", port: 0, noTls: true },
    });
    nc = await connect({ port: server.port, name: "console-visible-client" });
    nc.subscribe("tail.demo");
    await nc.flush();
    page = await ChromiumPage.launch();
  });

  afterAll(async () => {
    await page?.close();
    await nc?.close();
    await server?.close();
  });

  it("shows the test client's connection and a message it published, and writes a screenshot", async () => {
    await page.goto(`${server.monitoring.url}/console?tail=tail.demo`);
    const text = "document.body.innerText";
    await page.waitFor(`${text}.includes("console-visible-client")`, "the connection in the table");
    expect(await page.evaluate<string>(`document.querySelector("#connections").innerText`)).toMatch(
      /nats\s+console-visible-client\s+nats\.js/,
    );
    expect(await page.evaluate<string>(`document.querySelector("#subjects").innerText`)).toContain(
      "tail.demo",
    );
    // The page's tail is a client of the server over WebSocket: once subscribed, publish to it.
    await page.waitFor(
      `document.querySelector("#tail-status").innerText === "tailing tail.demo"`,
      "the tail",
    );
    nc.publish("tail.demo", "hello from the test client");
    await nc.flush();
    await page.waitFor(
      `document.querySelector("#tail").innerText.includes("hello from the test client")`,
      "the message",
    );
    const row = await page.evaluate<string>(`document.querySelector("#tail tr:nth-child(2)").innerText`);
    expect(row).toMatch(/tail\.demo\s+26\s+hello from the test client/);
    const tail = [...server.clients.values()].find((c) => c.opts.name === "natsgate console tail");
    expect(tail?.kind).toBe("websocket");

    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    writeFileSync(join(ARTIFACTS, "monitor-console.png"), png);
  }, 60_000);
});

// Drives the system's headless Chromium over the DevTools protocol with nothing but the `ws` package:
// open a page, evaluate expressions in it, wait for a condition, take a screenshot. Enough for tests
// that need a real browser without playwright.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";

export const CHROMIUM_PATH = process.env.NATSGATE_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

interface CdpReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

export class ChromiumPage {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: CdpReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
    private sessionId = "",
  ) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as CdpReply;
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg);
    });
  }

  /** Starts Chromium and opens a blank page of `width`×`height`. */
  static async launch(width = 1280, height = 1000): Promise<ChromiumPage> {
    const profile = mkdtempSync(join(tmpdir(), "natsgate-chromium-"));
    const child = spawn(
      CHROMIUM_PATH,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    try {
      const endpoint = await devtoolsEndpoint(child);
      const ws = new WebSocket(endpoint, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      const page = new ChromiumPage(child, ws, profile);
      const { targetId } = (await page.send("Target.createTarget", { url: "about:blank" })) as {
        targetId: string;
      };
      const { sessionId } = (await page.send("Target.attachToTarget", { targetId, flatten: true })) as {
        sessionId: string;
      };
      page.sessionId = sessionId;
      await page.send("Page.enable");
      await page.send("Emulation.setDeviceMetricsOverride", {
        width,
        height,
        deviceScaleFactor: 1,
        mobile: false,
      });
      return page;
    } catch (err) {
      child.kill("SIGKILL");
      rmSync(profile, { recursive: true, force: true });
      throw err;
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg: Record<string, unknown> = { id, method, params };
    if (this.sessionId !== "") msg.sessionId = this.sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`CDP ${method} timed out`)), 15_000);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (r.error) reject(new Error(`CDP ${method}: ${r.error.message}`));
        else resolve(r.result ?? {});
      });
      this.ws.send(JSON.stringify(msg));
    });
  }

  async goto(url: string): Promise<void> {
    await this.send("Page.navigate", { url });
  }

  /** The value of a JavaScript expression evaluated in the page. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send("Runtime.evaluate", { expression, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /**
   * Polls `expression` in the page until it is truthy; fails with `what` after `timeoutMs`. An expression
   * that throws counts as not yet (the page may still be loading: no body, elements not there yet).
   */
  async waitFor(expression: string, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        if (await this.evaluate<boolean>(`Boolean(${expression})`)) return;
      } catch (err) {
        last = ` (last error: ${(err as Error).message})`;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async screenshot(): Promise<Buffer> {
    const { data } = (await this.send("Page.captureScreenshot", { format: "png" })) as { data: string };
    return Buffer.from(data, "base64");
  }

  async close(): Promise<void> {
    this.sessionId = "";
    await this.send("Browser.close").catch(() => undefined);
    this.ws.close();
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => this.child.kill("SIGKILL"), 5000);
        this.child.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
      });
    }
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Chromium prints "DevTools listening on ws://…" on stderr once it accepts DevTools connections. */
function devtoolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err.slice(-2000)}`)), 20_000);
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${err.slice(-2000)}`));
    });
  });
}

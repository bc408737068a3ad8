// Shared pieces of the CLI process tests: run the built `natsgate` binary, and start natsgate or nats-server
// (with JetStream in a temp dir, or with a given config) as the target.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { createServer } from "../../src/index.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";

export const MAIN = resolve("dist/cli/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI asynchronously (an in-process server must keep serving while it runs). */
export function cli(
  url: string,
  args: string[],
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, NATS_URL: url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`natsgate ${args.join(" ")} did not finish:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

export interface Target {
  url: string;
  stop(): Promise<void>;
}

export async function startNatsgateTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-cli-js-"));
  const server = await createServer({ port: 0, jetstream: { storeDir: dir } });
  return {
    url: `nats://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startReferenceTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-cli-ns-"));
  const ns = await startNatsServer(["-js", "-sd", dir]);
  return {
    url: ns.url,
    stop: async () => {
      await ns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** natsgate always, nats-server when it is on PATH. */
export function jetStreamTargets(): [string, () => Promise<Target>][] {
  const targets: [string, () => Promise<Target>][] = [["natsgate", startNatsgateTarget]];
  if (natsServerAvailable()) targets.push(["nats-server", startReferenceTarget]);
  else console.warn("nats-server not on PATH: CLI comparison against nats-server skipped");
  return targets;
}

/** Builds dist/ when the CLI sources are newer than the built files (call in beforeAll, 120 s timeout). */
export function ensureBuilt(): void {
  const srcDir = resolve("src/cli/commands");
  const newest = readdirSync(srcDir).reduce((m, f) => Math.max(m, statSync(join(srcDir, f)).mtimeMs), 0);
  const built = resolve("dist/cli/commands/run.js");
  if (!existsSync(MAIN) || !existsSync(built) || statSync(built).mtimeMs < newest) {
    spawnSync("npm", ["run", "build"], { stdio: "ignore" });
  }
  expect(existsSync(built)).toBe(true);
}

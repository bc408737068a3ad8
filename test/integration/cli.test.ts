// The natsgate command as operators and client test launchers run it: nats-server's flags, the
// ports file named after the invoking program, -t on good and bad files, and a clean exit on SIGTERM.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const MAIN = resolve("dist/cli/main.js");

function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((res, rej) => {
    const tick = () => {
      const v = probe();
      if (v !== undefined) return res(v);
      if (Date.now() > deadline) return rej(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null) res(child.exitCode);
    else child.once("exit", (code) => res(code));
  });
}

describe("natsgate command", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "natsgate-cli-"));
    dirs.push(d);
    return d;
  };

  beforeAll(() => {
    if (!existsSync(MAIN)) spawnSync("npm", ["run", "build"], { stdio: "ignore" });
    expect(existsSync(MAIN)).toBe(true);
  });

  afterEach(() => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("prints its version in the documented form", () => {
    const r = spawnSync(process.execPath, [MAIN, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^natsgate v\d+\.\d+\.\d+ \(nats-server compatible v2\.\d+\.\d+\)\n$/);
  });

  it("accepts Go-style flags, writes the ports file, serves clients and exits 0 on SIGTERM", async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [MAIN, "-a", "127.0.0.1", "-port=-1", "--ports_file_dir", dir, "-n", "cli-test"],
      {
        stdio: "ignore",
      },
    );
    children.push(child);
    const file = await waitFor(
      () => readdirSync(dir).find((f) => f.endsWith(`_${child.pid}.ports`)),
      10_000,
      "ports file",
    );
    expect(file).toBe(`natsgate_${child.pid}.ports`);
    const ports = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nats: string[] };
    const url = ports.nats[0];
    expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: url.replace("nats://", "") });
    expect(nc.info?.server_name).toBe("cli-test");
    const sub = nc.subscribe("cli.>", { max: 1 });
    nc.publish("cli.x", "hello");
    for await (const m of sub) expect(m.string()).toBe("hello");
    await nc.close();
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    // Like nats-server, the ports file goes away with the process.
    expect(existsSync(join(dir, file))).toBe(false);
  });

  it("names the ports file after the program it was invoked as (a nats-server shim)", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [MAIN, "-a", "127.0.0.1", "-p", "-1", "-ports_file_dir", dir], {
      stdio: "ignore",
      argv0: "nats-server",
    });
    children.push(child);
    const file = await waitFor(
      () => readdirSync(dir).find((f) => f.endsWith(".ports")),
      10_000,
      "ports file",
    );
    expect(file).toBe(`nats-server_${child.pid}.ports`);
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
  });

  it("reloads its config file on SIGHUP", async () => {
    const dir = tempDir();
    const conf = join(dir, "n.conf");
    writeFileSync(conf, "max_payload: 1000\n");
    const child = spawn(
      process.execPath,
      [MAIN, "-c", conf, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir],
      {
        stdio: "ignore",
      },
    );
    children.push(child);
    const file = await waitFor(
      () => readdirSync(dir).find((f) => f.endsWith(".ports")),
      10_000,
      "ports file",
    );
    const url = (JSON.parse(readFileSync(join(dir, file), "utf8")) as { nats: string[] }).nats[0].replace(
      "nats://",
      "",
    );
    const first = await connect({ servers: url });
    expect(first.info?.max_payload).toBe(1000);
    await first.close();
    writeFileSync(conf, "max_payload: 2000\n");
    child.kill("SIGHUP");
    // The signal is handled asynchronously: poll fresh connections until INFO shows the new limit.
    const deadline = Date.now() + 5000;
    let seen = 0;
    while (Date.now() < deadline && seen !== 2000) {
      const nc = await connect({ servers: url });
      seen = nc.info?.max_payload ?? 0;
      await nc.close();
      if (seen !== 2000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(2000);
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
  });

  it("-t accepts the shipped config and rejects a malformed one with file, line and column", () => {
    const ok = spawnSync(process.execPath, [MAIN, "-t", "-c", "config/natsgate.conf"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("is valid");
    const dir = tempDir();
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "port: 4222\nauthorization {\n  user: a\n");
    const r = spawnSync(process.execPath, [MAIN, "-t", "-c", bad], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.conf:\d+:\d+/);
  });

  it("-t also checks what only a start would find (an import of an unknown account)", () => {
    const dir = tempDir();
    const conf = join(dir, "acc.conf");
    writeFileSync(
      conf,
      "accounts {\n  A { users [ { user: a, password: a } ]\n    imports [ { stream: { account: NOPE, subject: x } } ] }\n}\n",
    );
    const r = spawnSync(process.execPath, [MAIN, "-t", "-c", conf], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("NOPE");
  });

  it("rejects an unknown flag with Go's wording", () => {
    const r = spawnSync(process.execPath, [MAIN, "--no-such-flag"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("flag provided but not defined: -no-such-flag");
  });
});

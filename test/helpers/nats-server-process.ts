// Starts the reference `nats-server` (from PATH) as a child process on a random loopback port and stops it,
// so differential and client tests can run the same traffic against nats-server and natsgate.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  type FSWatcher,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StartNatsServerOptions {
  /** Text of a nats-server config file, written to a temp file and passed with `-c`. */
  config?: string;
  /** Milliseconds to wait for the server to listen (default 10 s). */
  startTimeoutMs?: number;
  /** The binary to run (default `nats-server` from PATH). */
  binary?: string;
}

export interface NatsServerProcess {
  readonly host: string;
  /** The bound client port. */
  readonly port: number;
  /** "nats://127.0.0.1:<port>". */
  readonly url: string;
  readonly pid: number;
  /** Every listener nats-server reported in its ports file, e.g. { nats: [...], monitoring: [...] }. */
  readonly ports: Record<string, string[]>;
  /** The temp directory holding the config and ports files; removed by stop(). */
  readonly dir: string;
  /** What the server wrote to stdout and stderr so far (its log). */
  logs(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; removes the temp directory. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

/** True when `nats-server --version` runs. */
export function natsServerAvailable(binary = "nats-server"): boolean {
  const r = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const available = r.status === 0 && /nats-server/i.test(`${r.stdout}${r.stderr}`);
  // CI sets this so a missing reference fails the run instead of silently skipping the comparisons.
  if (!available && process.env.NATSGATE_REQUIRE_NATS_SERVER === "1") {
    throw new Error(`${binary} is required (NATSGATE_REQUIRE_NATS_SERVER=1) but was not found on PATH`);
  }
  return available;
}

/**
 * Runs nats-server on 127.0.0.1 with a random port (`-p -1`), learning the port from the ports file it writes,
 * so there is no window where a probed free port could be taken by someone else. Extra `args` come last and
 * win over ours (nats-server: later flags override earlier ones; flags override the config file).
 */
export async function startNatsServer(
  args: string[] = [],
  opts: StartNatsServerOptions = {},
): Promise<NatsServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "nats-server-"));
  const fullArgs = ["-a", HOST, "-p", "-1", "--ports_file_dir", dir];
  if (opts.config !== undefined) {
    const confPath = join(dir, "nats-server.conf");
    writeFileSync(confPath, opts.config);
    fullArgs.push("-c", confPath);
  }
  fullArgs.push(...args);
  const child = spawn(opts.binary ?? "nats-server", fullArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  // A test run that dies before stop() must not leave servers behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  try {
    const ports = await waitForPortsFile(child, dir, opts.startTimeoutMs ?? 10_000, () => log);
    const port = portOf(ports.nats?.[0]);
    return {
      host: HOST,
      port,
      url: `nats://${HOST}:${port}`,
      pid: child.pid ?? -1,
      ports,
      dir,
      logs: () => log,
      stop: async () => {
        await stopChild(child);
        process.removeListener("exit", killOnExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopChild(child);
    process.removeListener("exit", killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function portOf(url: string | undefined): number {
  const m = url ? /:(\d+)$/.exec(url) : null;
  if (!m) throw new Error(`nats-server ports file has no client url: ${String(url)}`);
  return Number(m[1]);
}

/** Resolves with the parsed ports file once nats-server has written it (it does so after it listens). */
function waitForPortsFile(
  child: ChildProcess,
  dir: string,
  timeoutMs: number,
  logs: () => string,
): Promise<Record<string, string[]>> {
  return new Promise((resolve, reject) => {
    let watcher: FSWatcher | undefined;
    const finish = (err: Error | null, value?: Record<string, string[]>) => {
      clearTimeout(timer);
      watcher?.close();
      child.removeListener("exit", onExit);
      child.stderr?.removeListener("data", check);
      if (err) reject(err);
      else resolve(value!);
    };
    const check = () => {
      // The name is `<program>_<pid>.ports`, <program> being the base name the binary was run by.
      const name = readdirSync(dir).find((f) => f.endsWith(`_${child.pid}.ports`));
      if (!name) return;
      try {
        const parsed = JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, string[]>;
        if (parsed.nats?.length) finish(null, parsed);
      } catch {
        // Not written yet, or written only in part: the next fs event or log line will look again.
      }
    };
    const onExit = (code: number | null) =>
      finish(new Error(`nats-server exited (code ${code}) before listening:\n${logs()}`));
    const timer = setTimeout(
      () => finish(new Error(`nats-server did not listen within ${timeoutMs} ms:\n${logs()}`)),
      timeoutMs,
    );
    child.once("exit", onExit);
    child.once("error", (e) => finish(e));
    child.stderr?.on("data", check);
    watcher = watch(dir, check);
    check();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// Starts and stops the servers under test (natsgate from dist/, nats-server from PATH) as child
// processes, optionally pinned to one core, and waits until they answer with INFO.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const NATSGATE_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_LINES = 40;

export const SERVER_NAMES = ["natsgate", "nats-server"];

function version(name) {
  try {
    if (name === "nats-server")
      return execFileSync("nats-server", ["--version"], { encoding: "utf8" }).trim();
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    return `natsgate (git ${rev})`;
  } catch {
    return "unknown";
  }
}

/** Command line of a server, or the reason it cannot be run here. */
export function serverCommand(name, host, port, natsgateMain = NATSGATE_MAIN) {
  const flags = ["-a", host, "-p", String(port)];
  if (name === "natsgate") {
    if (!existsSync(natsgateMain))
      return { error: `${relative(process.cwd(), natsgateMain)} not found (run \`npm run build\`)` };
    return { file: process.execPath, args: [natsgateMain, ...flags] };
  }
  if (spawnSync("nats-server", ["--version"]).error) return { error: "nats-server not found on PATH" };
  return { file: "nats-server", args: flags };
}

export function describeServer(name) {
  return { name, version: version(name) };
}

/** A port the kernel just handed out on `host`; it is closed again before the server binds it. */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Prefixes `taskset -c <cpu>` when pinning is on; taskset execs, so the pid stays the server's. */
export function pinned(cpu, file, args) {
  return cpu === null ? { file, args } : { file: "taskset", args: ["-c", String(cpu), file, ...args] };
}

/** Resolves when a TCP client on `port` receives an INFO line; retries until the deadline. */
async function waitForInfo(host, port, deadline, exited) {
  while (Date.now() < deadline) {
    if (exited()) throw new Error("server exited before it was ready");
    const ok = await new Promise((resolve) => {
      const sock = net.connect({ host, port });
      let seen = "";
      let settled = false;
      const done = (v) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        resolve(v);
      };
      // Not listening yet: retry shortly rather than spin on ECONNREFUSED.
      const retryLater = () => setTimeout(() => done(false), 50);
      sock.setTimeout(1000, () => done(false));
      sock.on("data", (d) => {
        seen += d.toString("latin1");
        if (seen.startsWith("INFO ") && seen.includes("\r\n")) done(true);
      });
      sock.on("error", retryLater);
      sock.on("close", retryLater);
    });
    if (ok) return;
  }
  throw new Error(`no INFO on ${host}:${port} within ${READY_TIMEOUT_MS / 1000}s`);
}

/** Starts server `name` on a free port; resolves with a handle once it sends INFO. */
export async function startServer(name, { host, cpu, natsgateMain }) {
  const port = await freePort(host);
  const cmd = serverCommand(name, host, port, natsgateMain);
  if (cmd.error) throw new Error(cmd.error);
  const { file, args } = pinned(cpu, cmd.file, cmd.args);
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  const tail = [];
  const keep = (d) => {
    tail.push(...d.toString("utf8").split("\n").filter(Boolean));
    if (tail.length > LOG_TAIL_LINES) tail.splice(0, tail.length - LOG_TAIL_LINES);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const handle = {
    name,
    host,
    port,
    pid: child.pid,
    exit: null,
    logTail: () => tail.join("\n"),
    stop: () => stopChild(child, handle),
  };
  child.once("error", (err) => {
    handle.exit ??= `failed to spawn: ${err.message}`;
  });
  child.once("exit", (code, signal) => {
    handle.exit ??= signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  try {
    await waitForInfo(host, port, Date.now() + READY_TIMEOUT_MS, () => handle.exit !== null);
  } catch (err) {
    await handle.stop();
    throw new Error(
      `${name} did not start: ${err.message}${handle.exit ? ` (${handle.exit})` : ""}\n${handle.logTail()}`,
    );
  }
  return handle;
}

/** SIGTERM, then SIGKILL if the server has not exited within STOP_TIMEOUT_MS. */
function stopChild(child, handle) {
  if (handle.exit !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

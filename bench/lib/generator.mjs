// Runs one round's load generator in its own process (pinned to its own core when possible),
// hands it the job over IPC and returns its measurement; kills it if it overstays its deadline.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pinned } from "./server-process.mjs";

const WORKER = fileURLToPath(new URL("../gen/worker.mjs", import.meta.url));
// The worker enforces job.timeoutMs itself; this grace covers a worker too stuck to report.
const KILL_GRACE_MS = 5_000;

export function runGenerator(job, cpu, onSpawn) {
  const { file, args } = pinned(cpu, process.execPath, [WORKER]);
  const child = spawn(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  onSpawn?.(child);
  return new Promise((resolve) => {
    let result = null;
    const killer = setTimeout(() => {
      result ??= { ok: false, error: `generator unresponsive after ${job.timeoutMs / 1000}s, killed` };
      child.kill("SIGKILL");
    }, job.timeoutMs + KILL_GRACE_MS);
    child.once("message", (msg) => {
      result ??= msg;
    });
    child.once("error", (err) => {
      result ??= { ok: false, error: `generator failed to start: ${err.message}` };
    });
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      resolve(result ?? { ok: false, error: `generator exited (${signal ?? code}) without a result` });
    });
    try {
      child.send(job);
    } catch (err) {
      result ??= { ok: false, error: `could not send the job to the generator: ${err.message}` };
    }
  });
}

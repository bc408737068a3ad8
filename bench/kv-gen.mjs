// Load generator for the KV benchmark (bench/kv-putget.mjs): the official @nats-io/kv client, as an
// application uses it, keeping `window` puts or gets outstanding. Runs as a child process: gets the job
// over IPC, sends back the measurement (wall time, latencies, server CPU over the measured window).
import { performance } from "node:perf_hooks";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { cpuSeconds } from "./lib/proc-stats.mjs";

const KEYS = 1000;

/** Runs `count` operations with at most `window` in flight; returns per-operation latencies (us). */
async function windowed(count, window, op) {
  const lat = new Float64Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      lat[i] = (performance.now() - t0) * 1000;
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  return lat;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function run(job) {
  const nc = await connect({ servers: `${job.host}:${job.port}`, reconnect: false });
  try {
    const kvm = new Kvm(nc);
    const kv = await kvm.create(job.bucket, { storage: job.storage, history: 1 });
    const value = new Uint8Array(job.valueSize).fill(120);
    // Gets read keys that exist; a put run starts from the same pre-filled bucket.
    await windowed(KEYS, 64, (i) => kv.put(`k${i}`, value));
    const op =
      job.op === "put"
        ? (i) => kv.put(`k${i % KEYS}`, value)
        : async (i) => {
            const e = await kv.get(`k${i % KEYS}`);
            if (e === null || e.length !== job.valueSize) throw new Error(`bad get of k${i % KEYS}`);
          };
    const cpu0 = cpuSeconds(job.serverPid, job.ticks);
    const gen0 = process.cpuUsage();
    const t0 = performance.now();
    const lat = await windowed(job.count, job.window, op);
    const wallSec = (performance.now() - t0) / 1000;
    const serverCpuSec = cpuSeconds(job.serverPid, job.ticks) - cpu0;
    const sorted = Array.from(lat).sort((a, b) => a - b);
    const gen = process.cpuUsage(gen0);
    const genCpuSec = (gen.user + gen.system) / 1e6;
    await kv.destroy();
    return {
      ok: true,
      done: job.count,
      wallSec,
      serverCpuSec,
      genCpuSec,
      p50Us: pct(sorted, 0.5),
      p99Us: pct(sorted, 0.99),
    };
  } finally {
    await nc.close();
  }
}

process.once("message", (job) => {
  const timer = setTimeout(() => {
    process.send({ ok: false, error: `timed out after ${job.timeoutMs} ms` }, () => process.exit(1));
  }, job.timeoutMs);
  run(job).then(
    (res) => process.send(res, () => process.exit(0)),
    (err) => {
      clearTimeout(timer);
      process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1));
    },
  );
});

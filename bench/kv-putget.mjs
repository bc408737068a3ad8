// KV benchmark: put and get throughput through the official @nats-io/kv client (puts are JetStream
// publishes with a PubAck, gets are direct gets), natsgate against nats-server 2.9.10, in alternating
// rounds on fresh servers, the server pinned to CPU 0 and the generator (bench/kv-gen.mjs) to CPU 1.
//   node bench/kv-putget.mjs [--quick] [--rounds n] [--no-pin] [--only natsgate,nats-server] [--workload a,b]
//   (natsgate runs from dist/: `npm run build` first)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { clockTicks } from "./lib/proc-stats.mjs";
import { freePort, pinned } from "./lib/server-process.mjs";

const HOST = "127.0.0.1";
const NATSGATE_MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const GEN = fileURLToPath(new URL("./kv-gen.mjs", import.meta.url));
const OUT = fileURLToPath(new URL("./results/kv-putget.json", import.meta.url));
const SERVERS = ["natsgate", "nats-server"];

/** natsgate's file store acks a put after fsync (group commit); nats-server 2.9.10 fsyncs every 2 min. */
const WORKLOADS = [
  { name: "put-memory-w64", op: "put", storage: "memory", window: 64, full: 100_000, quick: 10_000 },
  { name: "put-file-w64", op: "put", storage: "file", window: 64, full: 100_000, quick: 10_000 },
  { name: "put-file-sync", op: "put", storage: "file", window: 1, full: 5_000, quick: 1_000 },
  { name: "get-memory-w64", op: "get", storage: "memory", window: 64, full: 100_000, quick: 10_000 },
  { name: "get-file-w64", op: "get", storage: "file", window: 64, full: 100_000, quick: 10_000 },
  { name: "get-file-sync", op: "get", storage: "file", window: 1, full: 10_000, quick: 2_000 },
];

function parseArgs(argv) {
  const opts = { quick: false, rounds: null, pin: true, servers: SERVERS, workloads: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--quick") opts.quick = true;
    else if (argv[i] === "--no-pin") opts.pin = false;
    else if (argv[i] === "--rounds") opts.rounds = Number(argv[++i]);
    else if (argv[i] === "--only") opts.servers = argv[++i].split(",");
    else if (argv[i] === "--workload") opts.workloads = argv[++i].split(",");
    else throw new Error(`unknown option ${argv[i]}`);
  }
  opts.rounds ??= opts.quick ? 1 : 3;
  return opts;
}

function pinning(wanted) {
  if (!wanted || os.availableParallelism() < 2 || spawnSync("taskset", ["--version"]).error) {
    return { server: null, generator: null };
  }
  return { server: 0, generator: 1 };
}

/** A server with JetStream in a fresh store dir; resolves once it logs that it is ready. */
async function startServer(name, cpu) {
  const port = await freePort(HOST);
  const dir = mkdtempSync(join(os.tmpdir(), `kvbench-${name}-`));
  const flags = ["-a", HOST, "-p", String(port), "-js", "-sd", dir];
  let cmd;
  if (name === "nats-server") cmd = { file: "nats-server", args: flags };
  else {
    if (!existsSync(NATSGATE_MAIN)) throw new Error(`${NATSGATE_MAIN} not found: run \`npm run build\``);
    cmd = { file: process.execPath, args: [NATSGATE_MAIN, ...flags] };
  }
  const { file, args } = pinned(cpu, cmd.file, cmd.args);
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log}`)), 15_000);
    const onData = (d) => {
      log += d.toString();
      if (/Listening for client connections|Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}):\n${log}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      child.once("exit", () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      child.kill("SIGTERM");
    });
  return { name, port, pid: child.pid, stop };
}

function runGenerator(job, cpu) {
  const { file, args } = pinned(cpu, process.execPath, [GEN]);
  const child = spawn(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve) => {
    let result = null;
    child.once("message", (m) => {
      result = m;
    });
    child.once("exit", () => resolve(result ?? { ok: false, error: "generator exited without a result" }));
    child.send(job);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

/** Round 0 is a warm-up; then natsgate and nats-server alternate, each on a fresh server per round. */
async function runWorkload(opts, pin, ticks, w) {
  const count = opts.quick ? w.quick : w.full;
  const perServer = Object.fromEntries(opts.servers.map((s) => [s, []]));
  for (let r = 0; r <= opts.rounds; r++) {
    for (const name of opts.servers) {
      const s = await startServer(name, pin.server);
      try {
        const job = {
          host: HOST,
          port: s.port,
          serverPid: s.pid,
          ticks,
          bucket: `bench_${r}`,
          op: w.op,
          storage: w.storage,
          window: w.window,
          count: r === 0 ? Math.ceil(count / 4) : count,
          valueSize: 16,
          timeoutMs: 300_000,
        };
        const res = await runGenerator(job, pin.generator);
        const label = r === 0 ? "warm-up" : `round ${r}`;
        if (!res.ok) {
          console.log(`  ${w.name} ${name} ${label}: FAILED ${res.error}`);
          continue;
        }
        const rate = res.done / res.wallSec;
        const cpu = res.serverCpuSec / res.wallSec;
        const gen = res.genCpuSec / res.wallSec;
        console.log(
          `  ${w.name} ${name} ${label}: ${rate.toFixed(0)} ops/s p50 ${res.p50Us.toFixed(0)}us p99 ${res.p99Us.toFixed(0)}us, cpu server ${(cpu * 100).toFixed(0)}% gen ${(gen * 100).toFixed(0)}%`,
        );
        if (r > 0) perServer[name].push({ rate, cpu, gen, p50Us: res.p50Us, p99Us: res.p99Us });
      } finally {
        await s.stop();
      }
    }
  }
  const summary = {};
  for (const [name, rounds] of Object.entries(perServer)) {
    summary[name] = {
      opsPerSec: median(rounds.map((x) => x.rate)),
      p50Us: median(rounds.map((x) => x.p50Us)),
      serverCpu: median(rounds.map((x) => x.cpu)),
      generatorCpu: median(rounds.map((x) => x.gen)),
    };
  }
  return { name: w.name, op: w.op, storage: w.storage, window: w.window, count, summary };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pin = pinning(opts.pin);
  const ticks = clockTicks();
  console.log(`KV put/get bench${opts.quick ? " (quick)" : ""}: ${opts.servers.join(", ")}`);
  console.log(
    `${os.cpus().length} CPUs, node ${process.version}; pinning ${pin.server === null ? "off" : "server CPU 0, generator CPU 1"}`,
  );
  const chosen = WORKLOADS.filter((w) => opts.workloads === undefined || opts.workloads.includes(w.name));
  const results = [];
  for (const w of chosen) results.push(await runWorkload(opts, pin, ticks, w));
  console.log("\nworkload         server          ops/s   ratio ng/ns   p50 us   cpu server / gen");
  for (const r of results) {
    const ref = r.summary["nats-server"]?.opsPerSec;
    for (const [name, s] of Object.entries(r.summary)) {
      const ratio = ref && name === "natsgate" ? (s.opsPerSec / ref).toFixed(2) : "-";
      console.log(
        `${r.name.padEnd(16)} ${name.padEnd(12)} ${s.opsPerSec.toFixed(0).padStart(8)}   ${ratio.padStart(11)}   ${s.p50Us.toFixed(0).padStart(6)}   ${(s.serverCpu * 100).toFixed(0)}% / ${(s.generatorCpu * 100).toFixed(0)}%`,
      );
    }
  }
  mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify({ at: new Date().toISOString(), quick: opts.quick, rounds: opts.rounds, pinning: pin, results }, null, 2)}\n`,
  );
  console.log(`\nresults written to ${OUT}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

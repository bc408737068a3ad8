// JetStream publish benchmark: sync publish (one ack outstanding) and async publish (window 256) into
// a file and a memory stream, natsgate (durable: PubAck after fsync, group commit) against nats-server
// 2.9.10 (lazy: fsync every 2 minutes) and natsgate in nats-server's lazy mode, in alternating rounds.
//   node bench/jetstream-publish.mjs [--quick] [--rounds n] [--no-pin] [--only a,b] [--natsgate main.js]
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
const GEN = fileURLToPath(new URL("./jetstream-gen.mjs", import.meta.url));
const OUT = fileURLToPath(new URL("./results/jetstream-publish.json", import.meta.url));

const SERVERS = {
  natsgate: { fsync: "durable: PubAck after fsync, one fsync per event-loop turn (group commit)" },
  "nats-server": { fsync: "lazy: PubAck before fsync, fsync every 2 minutes (nats-server default)" },
  "natsgate-lazy": { fsync: "lazy: sync_interval 60s, PubAck once written to the OS" },
};

const WORKLOADS = [
  { name: "sync-file", storage: "file", window: 1, full: 5_000, quick: 1_000 },
  { name: "sync-memory", storage: "memory", window: 1, full: 5_000, quick: 1_000 },
  { name: "async-file", storage: "file", window: 256, full: 200_000, quick: 30_000 },
  { name: "async-memory", storage: "memory", window: 256, full: 200_000, quick: 30_000 },
];

function parseArgs(argv) {
  const opts = {
    quick: false,
    rounds: null,
    pin: true,
    servers: Object.keys(SERVERS),
    natsgate: NATSGATE_MAIN,
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--quick") opts.quick = true;
    else if (argv[i] === "--no-pin") opts.pin = false;
    else if (argv[i] === "--rounds") opts.rounds = Number(argv[++i]);
    else if (argv[i] === "--only") opts.servers = argv[++i].split(",");
    else if (argv[i] === "--natsgate") opts.natsgate = argv[++i];
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

/** Starts a server with JetStream in a fresh store dir; resolves once it logs that it listens. */
async function startServer(name, cpu, natsgateMain) {
  const port = await freePort(HOST);
  const dir = mkdtempSync(join(os.tmpdir(), `jsbench-${name}-`));
  let cmd;
  if (name === "nats-server") {
    cmd = { file: "nats-server", args: ["-a", HOST, "-p", String(port), "-js", "-sd", dir] };
  } else {
    if (!existsSync(natsgateMain)) throw new Error(`${natsgateMain} not found: run \`npm run build\``);
    const args = [natsgateMain, "-a", HOST, "-p", String(port), "-js", "-sd", dir];
    if (name === "natsgate-lazy") {
      writeFileSync(join(dir, "lazy.conf"), `jetstream { store_dir: "${dir}", sync_interval: "60s" }\n`);
      args.push("-c", join(dir, "lazy.conf"));
    }
    cmd = { file: process.execPath, args };
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

async function runWorkload(opts, pin, ticks, w) {
  const messages = opts.quick ? w.quick : w.full;
  const perServer = Object.fromEntries(opts.servers.map((s) => [s, []]));
  const servers = {};
  try {
    for (const name of opts.servers) servers[name] = await startServer(name, pin.server, opts.natsgate);
    for (let r = 0; r <= opts.rounds; r++) {
      for (const name of opts.servers) {
        const s = servers[name];
        const job = {
          host: HOST,
          port: s.port,
          serverPid: s.pid,
          ticks,
          pinning: pin,
          storage: w.storage,
          window: w.window,
          messages: r === 0 ? Math.ceil(messages / 4) : messages,
          payloadSize: 16,
          timeoutMs: 180_000,
        };
        const res = await runGenerator(job, pin.generator);
        const label = r === 0 ? "warm-up" : `round ${r}`;
        if (!res.ok) {
          console.log(`  ${w.name} ${name} ${label}: FAILED ${res.error}`);
          continue;
        }
        const rate = res.published / res.wallSec;
        const cpu = res.serverCpuSec / res.wallSec;
        const lat =
          res.p50Us === undefined ? "" : ` p50 ${res.p50Us.toFixed(0)}us p99 ${res.p99Us.toFixed(0)}us`;
        console.log(
          `  ${w.name} ${name} ${label}: ${rate.toFixed(0)} msgs/s${lat}, server cpu ${(cpu * 100).toFixed(0)}%`,
        );
        if (r > 0) perServer[name].push({ rate, cpu, p50Us: res.p50Us, p99Us: res.p99Us });
      }
    }
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
  const summary = {};
  for (const [name, rounds] of Object.entries(perServer)) {
    summary[name] = {
      msgsPerSec: median(rounds.map((x) => x.rate)),
      serverCpu: median(rounds.map((x) => x.cpu)),
      p50Us: median(rounds.filter((x) => x.p50Us !== undefined).map((x) => x.p50Us)),
    };
  }
  return { name: w.name, storage: w.storage, window: w.window, messages, summary };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pin = pinning(opts.pin);
  const ticks = clockTicks();
  console.log(`JetStream publish bench${opts.quick ? " (quick)" : ""}: ${opts.servers.join(", ")}`);
  console.log(
    `${os.cpus().length} CPUs, node ${process.version}; pinning ${pin.server === null ? "off" : "server CPU 0, generator CPU 1"}`,
  );
  for (const name of opts.servers) console.log(`  ${name}: ${SERVERS[name].fsync}`);
  const results = [];
  const chosen = WORKLOADS.filter((w) => opts.workloads === undefined || opts.workloads.includes(w.name));
  for (const w of chosen) results.push(await runWorkload(opts, pin, ticks, w));
  console.log("\nworkload      server          msgs/s   ratio vs nats-server   server cpu");
  for (const r of results) {
    const ref = r.summary["nats-server"]?.msgsPerSec;
    for (const [name, s] of Object.entries(r.summary)) {
      const ratio = ref ? (s.msgsPerSec / ref).toFixed(2) : "-";
      console.log(
        `${r.name.padEnd(13)} ${name.padEnd(15)} ${s.msgsPerSec.toFixed(0).padStart(7)}   ${ratio.padStart(5)}                  ${(s.serverCpu * 100).toFixed(0)}%`,
      );
    }
  }
  mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify({ at: new Date().toISOString(), quick: opts.quick, rounds: opts.rounds, fsync: SERVERS, results }, null, 2)}\n`,
  );
  console.log(`\nresults written to ${OUT}`);
}

await main();

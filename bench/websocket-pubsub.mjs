// WebSocket pub/sub benchmark: 1 publisher -> 1 subscriber over each server's WebSocket listener
// (natsgate and nats-server 2.9.10, `websocket { no_tls: true }`), 16-byte payloads, alternating rounds,
// median msgs/s and the natsgate/nats-server ratio, with CPU shares to show who was the bottleneck.
//   node bench/websocket-pubsub.mjs [--quick] [--rounds n] [--messages n] [--no-pin] [--only a,b] [--natsgate main.js]
//   (natsgate runs from dist/: `npm run build` first)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { encodeBatch, FrameReader, makePayload } from "./gen/wire.mjs";
import { clockTicks, cpuSeconds } from "./lib/proc-stats.mjs";
import { median } from "./lib/report.mjs";
import { freePort, pinned } from "./lib/server-process.mjs";

const HOST = "127.0.0.1";
const SELF = fileURLToPath(import.meta.url);
const NATSGATE_MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const SERVERS = ["natsgate", "nats-server"];
const PAYLOAD = 16;
const BATCH = 16_384;
/** The publisher stays at most this many messages ahead of the subscriber (no slow-consumer test). */
const WINDOW = 200_000;

function parseArgs(argv) {
  const o = {
    quick: false,
    rounds: null,
    messages: null,
    pin: true,
    servers: SERVERS,
    natsgate: NATSGATE_MAIN,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--no-pin") o.pin = false;
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--messages") o.messages = Number(argv[++i]);
    else if (a === "--only") o.servers = argv[++i].split(",");
    else if (a === "--natsgate") o.natsgate = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  o.rounds ??= o.quick ? 1 : 3;
  o.messages ??= o.quick ? 200_000 : 4_000_000;
  return o;
}

// ---- generator (runs as its own process: `--gen <json>`) ----

/** A raw WebSocket NATS connection whose reader counts MSG frames; resolves after INFO. */
function wsConn(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const reader = new FrameReader({ write: (b) => ws.send(b) });
    ws.on("message", (d) => reader.feed(d));
    ws.on("error", reject);
    ws.on("close", (code) => {
      reader.closed = `closed by server (${code})`;
    });
    reader.infoWaiter = () => resolve({ ws, reader });
  });
}

async function generate(job) {
  const url = `ws://${HOST}:${job.wsPort}`;
  const sub = await wsConn(url);
  const pub = await wsConn(url);
  sub.ws.send('CONNECT {"verbose":false,"pedantic":false}\r\nSUB bench.ws 1\r\n');
  pub.ws.send('CONNECT {"verbose":false,"pedantic":false}\r\n');
  await Promise.all([sub.reader.ping(), pub.reader.ping()]);
  const batch = encodeBatch(["bench.ws"], makePayload(PAYLOAD), BATCH);
  const done = new Promise((resolve) => {
    sub.reader.onChunk = () => {
      if (sub.reader.count >= job.messages) resolve();
    };
  });
  const cpu0 = cpuSeconds(job.serverPid, job.ticks);
  const gen0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let sent = 0;
  while (sent < job.messages) {
    if (sub.reader.closed || pub.reader.closed) throw new Error(sub.reader.closed || pub.reader.closed);
    const n = Math.min(BATCH, job.messages - sent);
    pub.ws.send(n === BATCH ? batch.buf : batch.buf.subarray(0, batch.ends[n - 1]));
    sent += n;
    // Back-pressure: let the socket drain and the subscriber catch up before sending more.
    while (pub.ws.bufferedAmount > 8 * 1024 * 1024 || sent - sub.reader.count > WINDOW) {
      if (sub.reader.closed) throw new Error(sub.reader.closed);
      await new Promise((r) => setImmediate(r));
    }
  }
  await done;
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const gen = process.cpuUsage(gen0);
  const result = {
    delivered: sub.reader.count,
    wallSec,
    rate: sub.reader.count / wallSec,
    serverCpu: (cpuSeconds(job.serverPid, job.ticks) - cpu0) / wallSec,
    genCpu: (gen.user + gen.system) / 1e6 / wallSec,
    errors: [...sub.reader.errors, ...pub.reader.errors],
  };
  sub.ws.terminate();
  pub.ws.terminate();
  return result;
}

// ---- orchestration ----

function waitForWsInfo(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const ws = new WebSocket(`ws://${HOST}:${port}`);
      ws.on("message", () => {
        ws.terminate();
        resolve();
      });
      ws.on("error", () => {
        if (Date.now() > deadline) reject(new Error(`no INFO over ws://${HOST}:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function startServer(name, cpu, natsgateMain) {
  const [port, wsPort] = [await freePort(HOST), await freePort(HOST)];
  const dir = mkdtempSync(join(os.tmpdir(), `wsbench-${name}-`));
  const conf = join(dir, "ws.conf");
  writeFileSync(conf, `listen: "${HOST}:${port}"\nwebsocket { listen: "${HOST}:${wsPort}", no_tls: true }\n`);
  if (name === "natsgate" && !existsSync(natsgateMain))
    throw new Error(`${natsgateMain} not found (npm run build)`);
  const cmd =
    name === "natsgate"
      ? { file: process.execPath, args: [natsgateMain, "-c", conf] }
      : { file: "nats-server", args: ["-c", conf] };
  const { file, args } = pinned(cpu, cmd.file, cmd.args);
  const child = spawn(file, args, { stdio: "ignore" });
  const handle = {
    name,
    pid: child.pid,
    wsPort,
    stop: () =>
      new Promise((r) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          r();
        });
        child.kill("SIGTERM");
      }),
  };
  await waitForWsInfo(wsPort, Date.now() + 15_000);
  return handle;
}

function runGenerator(job, cpu) {
  return new Promise((resolve, reject) => {
    const { file, args } = pinned(cpu, process.execPath, [SELF, "--gen", JSON.stringify(job)]);
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`generator exit ${code}`)),
    );
  });
}

function verdict(r) {
  if (r.serverCpu >= 0.9 && r.genCpu < 0.9) return "server-bound";
  if (r.genCpu >= 0.9 && r.serverCpu < 0.9) return "GENERATOR-bound";
  return r.serverCpu >= 0.9 ? "both" : "neither";
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const canPin = opts.pin && os.availableParallelism() >= 2 && !spawnSync("taskset", ["--version"]).error;
  const pin = canPin ? { server: 0, gen: 1 } : { server: null, gen: null };
  const ticks = clockTicks();
  console.log(
    `websocket pub-sub: ${opts.messages} msgs x ${PAYLOAD} B, ${opts.rounds} round(s) + 1 warm-up, ${canPin ? "pinned" : "not pinned"}`,
  );
  const servers = [];
  for (const name of opts.servers) {
    if (name === "nats-server" && spawnSync("nats-server", ["--version"]).error) {
      console.log("  nats-server not on PATH: skipped");
      continue;
    }
    servers.push(await startServer(name, pin.server, opts.natsgate));
  }
  const rates = new Map(servers.map((s) => [s.name, []]));
  try {
    for (let round = 0; round <= opts.rounds; round++) {
      for (const s of servers) {
        const job = { wsPort: s.wsPort, serverPid: s.pid, messages: opts.messages, ticks };
        const r = await runGenerator(job, pin.gen);
        const label = round === 0 ? "warm-up" : `round ${round}`;
        const cpu = `cpu server ${(r.serverCpu * 100).toFixed(0)}% gen ${(r.genCpu * 100).toFixed(0)}%`;
        console.log(
          `  ${label.padEnd(8)} ${s.name.padEnd(11)} ${(r.rate / 1e6).toFixed(2)}M msgs/s in ${r.wallSec.toFixed(2)}s, ${cpu} -> ${verdict(r)}${r.errors.length ? ` errors: ${r.errors}` : ""}`,
        );
        if (round > 0) rates.get(s.name).push(r.rate);
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const med = Object.fromEntries([...rates].map(([n, v]) => [n, median(v)]));
  for (const [n, v] of Object.entries(med))
    console.log(`  median ${n.padEnd(11)} ${(v / 1e6).toFixed(2)}M msgs/s`);
  if (med.natsgate && med["nats-server"])
    console.log(`  ratio natsgate/nats-server ${(med.natsgate / med["nats-server"]).toFixed(2)}`);
}

if (process.argv[2] === "--gen") {
  generate(JSON.parse(process.argv[3]))
    .then((r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    })
    .catch((err) => {
      console.error(err.message);
      process.exit(1);
    });
} else {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}

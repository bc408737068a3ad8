// Benchmark entry point (`npm run bench`): runs each workload against natsgate and nats-server in
// alternating rounds, prints per-round figures, medians and natsgate/nats-server ratios, and
// writes bench/results/latest.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseOptions, USAGE } from "./lib/args.mjs";
import { runGenerator } from "./lib/generator.mjs";
import { toJson } from "./lib/json-file.mjs";
import { clockTicks, rssKb, statusKb } from "./lib/proc-stats.mjs";
import { ratiosOf, renderTable, roundLine, summarize, tableRows } from "./lib/report.mjs";
import { describeServer, startServer } from "./lib/server-process.mjs";
import { runStandalone, STANDALONE } from "./lib/standalone.mjs";
import { jobFor, WORKLOADS } from "./lib/workloads.mjs";

const HOST = "127.0.0.1";
const DEFAULT_OUT = fileURLToPath(new URL("./results/latest.json", import.meta.url));

/** Server on core 0, generator on core 1, when taskset exists and there are two cores to use. */
function choosePinning(wanted) {
  const cpus = os.availableParallelism();
  if (!wanted) return { server: null, generator: null, note: "pinning off (--no-pin)" };
  if (spawnSync("taskset", ["--version"]).error) {
    return { server: null, generator: null, note: "taskset not found: processes not pinned" };
  }
  if (cpus < 2) return { server: null, generator: null, note: "only one CPU: processes not pinned" };
  return { server: 0, generator: 1, note: "server pinned to CPU 0, generator to CPU 1 (taskset)" };
}

/** Runs one round of `workload` on a live server and annotates failures with the server's state. */
async function runRound(ctx, workload, handle, label) {
  const extra = { ticks: ctx.ticks, timeoutMs: ctx.opts.timeoutMs, pinning: ctx.pinning };
  const job = jobFor(workload, ctx.opts.quick, handle, extra);
  let generator = null;
  const result = await runGenerator(job, ctx.pinning.generator, (child) => {
    generator = child;
    ctx.children.add(child);
  });
  ctx.children.delete(generator);
  result.serverRssKb = rssKb(handle.pid);
  result.serverHwmKb = statusKb(handle.pid, "VmHWM");
  if (!result.ok && handle.exit !== null) {
    result.error += ` [server ${handle.exit}]`;
    console.log(handle.logTail().split("\n").slice(-10).join("\n"));
  }
  result.label = label;
  console.log(roundLine(workload, handle.name, label, result));
  return result;
}

/** Returns a running server for `name`, (re)starting it if needed; null after printing why not. */
async function ensureServer(ctx, live, name) {
  const current = live.get(name);
  if (current && current.exit === null) return current;
  if (current) console.log(`  ${name} ${current.exit}; restarting it`);
  try {
    const handle = await startServer(name, {
      host: HOST,
      cpu: ctx.pinning.server,
      natsgateMain: ctx.opts.natsgate,
    });
    ctx.servers.add(handle);
    live.set(name, handle);
    return handle;
  } catch (err) {
    live.delete(name);
    return { failed: err.message };
  }
}

async function oneRound(ctx, workload, live, name, label) {
  const handle = await ensureServer(ctx, live, name);
  if (handle.failed) {
    const result = { ok: false, error: handle.failed.split("\n")[0], label };
    console.log(roundLine(workload, name, label, result));
    const log = handle.failed.split("\n").slice(1).join("\n").trim();
    if (log && !ctx.startLogShown.has(name)) console.log(log);
    ctx.startLogShown.add(name);
    return result;
  }
  const result = await runRound(ctx, workload, handle, label);
  if (workload.freshServer) await stopServer(ctx, live, name);
  return result;
}

async function stopServer(ctx, live, name) {
  const handle = live.get(name);
  live.delete(name);
  if (handle) {
    await handle.stop();
    ctx.servers.delete(handle);
  }
}

/** Warm-up, then alternating measured rounds (A, B, A, B, ...) on servers started for this workload. */
async function runWorkload(ctx, workload) {
  const { servers, warmup, rounds } = ctx.opts;
  console.log(`\n== ${workload.name}: ${workload.about}`);
  const live = new Map();
  const perRound = Object.fromEntries(servers.map((s) => [s, []]));
  try {
    // A fresh server per round measures memory from a clean start; warming it up would defeat that.
    const warmups = workload.freshServer ? 0 : warmup;
    for (let w = 0; w < warmups; w++) {
      for (const name of servers) await oneRound(ctx, workload, live, name, "warm-up");
    }
    for (let r = 1; r <= rounds; r++) {
      for (const name of servers)
        perRound[name].push(await oneRound(ctx, workload, live, name, `round ${r}`));
    }
  } finally {
    for (const name of [...live.keys()]) await stopServer(ctx, live, name);
  }
  const perServer = Object.fromEntries(servers.map((s) => [s, summarize(workload, perRound[s])]));
  return { workload, perServer, perRound, ratios: ratiosOf(workload, perServer) };
}

function printSummary(ctx, entries) {
  console.log("\n== Summary (median of measured rounds)\n");
  console.log(renderTable(tableRows(entries)));
  console.log(
    "\nratio = natsgate / nats-server. msgs/s: higher is better (ratio > 1: natsgate faster);" +
      "\nlatency and RSS: lower is better (ratio < 1: natsgate better)." +
      "\ncpu srv/gen = CPU share of one core used by the server / the generator over the measured window;" +
      "\nthe word after it says which process was CPU-bound (>= 90%): 'server' is what we want to measure.",
  );
  for (const { workload, perServer } of entries) {
    for (const [name, s] of Object.entries(perServer)) {
      for (const err of s.errors) console.log(`! ${workload.name} on ${name}: ${err}`);
      if (s.noisyRounds > 0) {
        console.log(
          `! ${workload.name} on ${name}: ${s.noisyRounds} round(s) shared a pinned core with other load`,
        );
      }
      if (s.generatorBoundRounds > 0) {
        console.log(
          `! ${workload.name} on ${name}: the generator was CPU-bound; the figure understates the server`,
        );
      }
    }
  }
  const short = entries.some((e) => Object.values(e.perServer).some((s) => s.shortRounds > 0));
  if (short) console.log("(rounds under 0.5 s have coarse CPU shares: use a full run for CPU verdicts)");
  if (!ctx.opts.servers.includes("natsgate") || !ctx.opts.servers.includes("nats-server")) {
    console.log("(one server only: no ratios)");
  }
}

function writeResults(ctx, entries, startedAt) {
  const out = ctx.opts.out ?? DEFAULT_OUT;
  const doc = {
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: ctx.opts.quick,
    rounds: ctx.opts.rounds,
    warmup: ctx.opts.warmup,
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, kernel: os.release() },
    pinning: ctx.pinning,
    servers: ctx.opts.servers.map(describeServer),
    workloads: entries.map(({ workload, perServer, perRound, ratios }) => ({
      name: workload.name,
      about: workload.about,
      work: ctx.opts.quick ? workload.quick : workload.full,
      metrics: workload.metrics.map(({ key, label, better }) => ({ key, label, better })),
      perServer: Object.fromEntries(
        Object.entries(perServer).map(([name, s]) => [name, { ...s, rounds: perRound[name] }]),
      ),
      ratioNatsgateOverNatsServer: ratios,
    })),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, toJson(doc));
  console.log(`\nresults written to ${out}`);
}

/** Kills what this run started (by handle), on Ctrl-C or SIGTERM, so nothing is left behind. */
function installInterruptHandler(ctx) {
  const onSignal = (signal) => {
    for (const child of ctx.children) child.kill("SIGKILL");
    Promise.all([...ctx.servers].map((s) => s.stop())).finally(() =>
      process.exit(signal === "SIGINT" ? 130 : 143),
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (opts.list) {
    for (const w of WORKLOADS) console.log(`${w.name.padEnd(14)} ${w.about}`);
    for (const e of STANDALONE)
      console.log(`${e.name.padEnd(14)} ${e.about} (bench/${e.script}, run after the others)`);
    return;
  }
  const startedAt = new Date().toISOString();
  const pinning = choosePinning(opts.pin);
  const ctx = {
    opts,
    pinning,
    ticks: clockTicks(),
    children: new Set(),
    servers: new Set(),
    startLogShown: new Set(),
  };
  installInterruptHandler(ctx);
  console.log(`natsgate bench${opts.quick ? " (quick)" : ""}: ${opts.servers.join(" vs ")}`);
  console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}; ${pinning.note}`);
  console.log(
    `${opts.warmup} warm-up + ${opts.rounds} measured round(s) per server, ${opts.timeoutMs / 1000}s limit per round`,
  );
  const entries = [];
  for (const workload of opts.workloads) entries.push(await runWorkload(ctx, workload));
  if (entries.length > 0) {
    printSummary(ctx, entries);
    writeResults(ctx, entries, startedAt);
  }
  await runStandaloneScripts(ctx);
}

/** The standalone scripts (WebSocket, JetStream, MQTT), one after another, each printing its own table. */
async function runStandaloneScripts(ctx) {
  const failed = [];
  for (const entry of ctx.opts.standalone) {
    console.log(`\n== ${entry.name} (bench/${entry.script}): ${entry.about}\n`);
    const status = await runStandalone(entry, ctx.opts, (child) => ctx.children.add(child));
    if (status !== 0) failed.push(`${entry.name}: ${status}`);
  }
  if (failed.length > 0) {
    console.log(`\n! standalone benchmarks that did not finish cleanly: ${failed.join("; ")}`);
    process.exitCode = 1;
  }
}

await main();

// Cross-node pub/sub through a 2-node cluster: publisher on node A, subscriber on node B, every message
// crossing the route (RMSG). A natsgate pair versus a nats-server 2.9.10 pair, alternating rounds, 16-byte
// payloads, median msgs/s and the ratio, with each process's CPU seconds to show which one was the bottleneck.
//   node bench/cluster-pubsub.mjs [--quick] [--rounds n] [--messages n] [--only natsgate,nats-server] [--natsgate main.js]
//   (natsgate runs from dist/: `npm run build` first)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect, encodeBatch, encodePub, makePayload } from "./gen/wire.mjs";
import { clockTicks, cpuSeconds } from "./lib/proc-stats.mjs";
import { median } from "./lib/report.mjs";
import { freePort } from "./lib/server-process.mjs";

const HOST = "127.0.0.1";
const DEFAULT_NATSGATE_MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const BATCH = 16_384;
/** The publisher stays at most this many messages ahead of the subscriber (throughput, not a slow-consumer test). */
const WINDOW = 200_000;

function parseArgs(argv) {
  const o = {
    quick: false,
    rounds: null,
    messages: null,
    servers: ["natsgate", "nats-server"],
    natsgate: DEFAULT_NATSGATE_MAIN,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--messages") o.messages = Number(argv[++i]);
    else if (a === "--only") o.servers = argv[++i].split(",");
    else if (a === "--natsgate") o.natsgate = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  o.rounds ??= o.quick ? 1 : 3;
  o.messages ??= o.quick ? 200_000 : 2_000_000;
  return o;
}

/** One cluster node as a child process; `routeTo` is the other node's cluster port. */
function spawnNode(name, natsgateMain, port, clusterPort, routeTo) {
  const flags = ["-a", HOST, "-p", String(port), "--cluster", `nats://${HOST}:${clusterPort}`];
  flags.push("--cluster_name", "bench");
  if (routeTo !== null) flags.push("--routes", `nats-route://${HOST}:${routeTo}`);
  const child =
    name === "natsgate"
      ? spawn(process.execPath, [natsgateMain, ...flags], { stdio: "ignore" })
      : spawn("nats-server", flags, { stdio: "ignore" });
  return { child, port, pid: child.pid };
}

async function connectWhenReady(port, label, deadlineMs = 15_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await connect(port, HOST, label, undefined, label === "sub" ? 1 << 20 : 0);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${label}: no server on ${port}: ${err.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Publishes probes on A until B's subscriber sees one: the route is up and B's interest reached A. */
async function waitForRoute(pub, sub) {
  const probe = encodePub("probe", makePayload(1));
  const deadline = Date.now() + 15_000;
  while (sub.reader.count === 0) {
    if (Date.now() > deadline) throw new Error("route did not come up");
    pub.write(probe);
    await pub.flush();
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function round(name, natsgateMain, messages) {
  const [pa, pb, ca, cb] = await Promise.all([
    freePort(HOST),
    freePort(HOST),
    freePort(HOST),
    freePort(HOST),
  ]);
  const a = spawnNode(name, natsgateMain, pa, ca, null);
  const b = spawnNode(name, natsgateMain, pb, cb, ca);
  try {
    const sub = await connectWhenReady(pb, "sub");
    sub.write(Buffer.from("SUB bench 1\r\nSUB probe 2\r\n"));
    await sub.flush();
    const pub = await connectWhenReady(pa, "pub");
    await waitForRoute(pub, sub);
    await new Promise((r) => setTimeout(r, 100));
    const base = sub.reader.count;
    const ticks = clockTicks();
    const cpu0 = [cpuSeconds(a.pid, ticks), cpuSeconds(b.pid, ticks), process.cpuUsage()];
    const { buf, ends } = encodeBatch(["bench"], makePayload(16), BATCH);
    const start = process.hrtime.bigint();
    let sent = 0;
    while (sent < messages) {
      const n = Math.min(BATCH, messages - sent);
      const ok = pub.write(n === BATCH ? buf : buf.subarray(0, ends[n - 1]));
      sent += n;
      if (!ok) await pub.drain();
      while (sent - (sub.reader.count - base) > WINDOW) await new Promise((r) => setImmediate(r));
    }
    const deadline = Date.now() + 120_000;
    while (sub.reader.count - base < messages) {
      if (Date.now() > deadline) throw new Error(`only ${sub.reader.count - base} of ${messages} delivered`);
      await new Promise((r) => setTimeout(r, 1));
    }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    const gen = process.cpuUsage(cpu0[2]);
    const cpu = {
      nodeA: cpuSeconds(a.pid, ticks) - cpu0[0],
      nodeB: cpuSeconds(b.pid, ticks) - cpu0[1],
      generator: (gen.user + gen.system) / 1e6,
    };
    pub.close();
    sub.close();
    return { rate: messages / secs, secs, cpu };
  } finally {
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.servers.includes("natsgate") && !existsSync(o.natsgate))
    throw new Error("dist/ missing: npm run build");
  const results = Object.fromEntries(o.servers.map((s) => [s, []]));
  for (let r = 0; r < o.rounds + 1; r++) {
    for (const name of o.servers) {
      const res = await round(name, o.natsgate, o.messages);
      const warm = r === 0 ? " (warm-up)" : "";
      const c = res.cpu;
      console.log(
        `${name.padEnd(11)} round ${r}${warm}: ${Math.round(res.rate).toLocaleString()} msgs/s in ${res.secs.toFixed(2)}s; ` +
          `CPU s: A ${c.nodeA.toFixed(2)}, B ${c.nodeB.toFixed(2)}, generator ${c.generator.toFixed(2)}`,
      );
      if (r > 0) results[name].push(res.rate);
    }
  }
  for (const name of o.servers)
    console.log(`${name}: median ${Math.round(median(results[name])).toLocaleString()} msgs/s`);
  if (results.natsgate?.length && results["nats-server"]?.length)
    console.log(
      `ratio natsgate/nats-server: ${(median(results.natsgate) / median(results["nats-server"])).toFixed(2)}`,
    );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

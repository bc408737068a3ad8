// JetStream consumer benchmark: pull consume with explicit acks, and push consume, natsgate vs nats-server
// side by side (alternating rounds, medians, ratio), with each process's CPU time so it is clear which
// one was the bottleneck. The client is the official @nats-io/jetstream library.
//
//   npm run build && node bench/jetstream-consumers.mjs [--messages 200000] [--rounds 3] [--quick]
//                                                       [--natsgate dist/cli/main.js] [--no-pin]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { clockTicks, cpuSeconds } from "./lib/proc-stats.mjs";
import { freePort, pinned } from "./lib/server-process.mjs";

const HOST = "127.0.0.1";
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes("--quick");
const MESSAGES = Number(flag("messages", quick ? 20_000 : 200_000));
const ROUNDS = Number(flag("rounds", quick ? 1 : 3));
const NATSGATE_MAIN = flag("natsgate", fileURLToPath(new URL("../dist/cli/main.js", import.meta.url)));
const PIN =
  !args.includes("--no-pin") && os.availableParallelism() >= 2 && !spawnSync("taskset", ["--version"]).error;
const PAYLOAD = new Uint8Array(16).fill(120);
const TICKS = clockTicks();

async function startServer(name) {
  const port = await freePort(HOST);
  const dir = mkdtempSync(join(os.tmpdir(), `bench-js-${name}-`));
  const flags = ["-a", HOST, "-p", String(port), "-js", "-sd", dir];
  const cmd = name === "natsgate" ? [process.execPath, NATSGATE_MAIN, ...flags] : ["nats-server", ...flags];
  const { file, args: argv } = pinned(PIN ? 0 : null, cmd[0], cmd.slice(1));
  const child = spawn(file, argv, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  for (let i = 0; i < 150; i++) {
    try {
      const nc = await connect({ servers: `${HOST}:${port}`, reconnect: false });
      await nc.close();
      return { name, port, pid: child.pid, child, dir };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`${name} did not start: ${err.slice(-500)}`);
}

async function stopServer(s) {
  s.child.kill("SIGTERM");
  await new Promise((r) => s.child.once("exit", r));
  rmSync(s.dir, { recursive: true, force: true });
}

/** Fills a fresh memory stream with MESSAGES 16-byte messages. */
async function fill(nc, jsm, stream) {
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "memory" });
  for (let i = 0; i < MESSAGES; i++) {
    nc.publish(`${stream}.m`, PAYLOAD);
    if (i % 10_000 === 9_999) await nc.flush();
  }
  await nc.flush();
  for (;;) {
    const si = await jsm.streams.info(stream);
    if (si.state.messages >= MESSAGES) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Pull consume, every message acked; done when the server's ack floor reaches the end. */
async function pullRound(nc, js, jsm, stream) {
  await jsm.consumers.add(stream, { durable_name: "pull", ack_policy: AckPolicy.Explicit });
  const c = await js.consumers.get(stream, "pull");
  const start = performance.now();
  let n = 0;
  const it = await c.consume({ max_messages: 1000 });
  for await (const m of it) {
    m.ack();
    if (++n === MESSAGES) break;
  }
  await nc.flush();
  for (;;) {
    const ci = await jsm.consumers.info(stream, "pull");
    if (ci.ack_floor.stream_seq >= MESSAGES) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

/** Push consume with flow control and heartbeats (as ordered consumers do), ack none. */
async function pushRound(_nc, js, jsm, stream) {
  await jsm.consumers.add(stream, {
    durable_name: "push",
    ack_policy: AckPolicy.None,
    deliver_subject: `deliver.${stream}`,
    flow_control: true,
    idle_heartbeat: 5_000_000_000,
  });
  const pc = await js.consumers.getPushConsumer(stream, "push");
  const start = performance.now();
  let n = 0;
  const it = await pc.consume();
  for await (const _m of it) if (++n === MESSAGES) break;
  const ms = performance.now() - start;
  it.stop();
  return ms;
}

const WORKLOADS = { "pull-explicit-ack": pullRound, "push-flow-control": pushRound };

async function round(server, workload, index) {
  const nc = await connect({ servers: `${HOST}:${server.port}`, reconnect: false });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `B${index}`;
  await fill(nc, jsm, stream);
  const serverCpu0 = cpuSeconds(server.pid, TICKS);
  const clientCpu0 = process.cpuUsage();
  const ms = await WORKLOADS[workload](nc, js, jsm, stream);
  const serverCpu = cpuSeconds(server.pid, TICKS) - serverCpu0;
  const c = process.cpuUsage(clientCpu0);
  await jsm.streams.delete(stream);
  await nc.close();
  return { rate: MESSAGES / (ms / 1000), sec: ms / 1000, serverCpu, clientCpu: (c.user + c.system) / 1e6 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const names = spawnSync("nats-server", ["--version"]).error ? ["natsgate"] : ["natsgate", "nats-server"];
  console.log(
    `JetStream consumers: ${MESSAGES} x 16 B per round, ${ROUNDS} rounds, pinning ${PIN ? "on" : "off"}`,
  );
  const servers = {};
  for (const n of names) servers[n] = await startServer(n);
  let index = 0;
  try {
    for (const workload of Object.keys(WORKLOADS)) {
      const results = Object.fromEntries(names.map((n) => [n, []]));
      for (const n of names) await round(servers[n], workload, index++); // warm-up
      for (let r = 0; r < ROUNDS; r++) {
        for (const n of names) {
          const res = await round(servers[n], workload, index++);
          results[n].push(res);
          console.log(
            `  ${workload} ${n.padEnd(11)} ${Math.round(res.rate).toLocaleString().padStart(10)} msgs/s` +
              `  wall ${res.sec.toFixed(2)}s  server cpu ${res.serverCpu.toFixed(2)}s  client cpu ${res.clientCpu.toFixed(2)}s`,
          );
        }
      }
      const med = Object.fromEntries(names.map((n) => [n, median(results[n].map((x) => x.rate))]));
      const ratio = med["nats-server"]
        ? ` (natsgate/nats-server ${(med.natsgate / med["nats-server"]).toFixed(2)})`
        : "";
      console.log(
        `${workload}: ${names.map((n) => `${n} ${Math.round(med[n]).toLocaleString()} msgs/s`).join(", ")}${ratio}`,
      );
    }
  } finally {
    for (const n of names) await stopServer(servers[n]);
  }
}

await main();

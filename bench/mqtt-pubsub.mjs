// MQTT benchmark, natsgate next to nats-server 2.9.10's MQTT listener (`mqtt {}` + JetStream):
//   qos0      MQTT publisher -> MQTT subscriber, QoS 0
//   qos1      MQTT publisher -> MQTT subscriber, QoS 1 both ways (subscriber acks every message)
//   mqtt-nats MQTT publisher (QoS 0) -> raw NATS subscriber
//   sessions  N persistent sessions (clean=false) each subscribing QoS 1 to its own topic, then one
//             message to each: connect+subscribe time, delivery time and server RSS growth
// Alternating rounds, medians, natsgate/nats-server ratios. The generator runs in this process.
//   node bench/mqtt-pubsub.mjs [--quick] [--rounds n] [--messages n] [--sessions n]
//        [--workload qos0,qos1,mqtt-nats,sessions] [--only natsgate|nats-server] [--natsgate main.js]
//   (natsgate runs from dist/: `npm run build` first)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mqttConnect, publishPacket, subscribePacket } from "./lib/mqtt-wire.mjs";
import { rssKb } from "./lib/proc-stats.mjs";
import { median } from "./lib/report.mjs";
import { freePort, pinned } from "./lib/server-process.mjs";

const HOST = "127.0.0.1";
const NATSGATE_MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const PAYLOAD = Buffer.alloc(16, 0x61);
const BATCH = 1024;

function parseArgs(argv) {
  const o = {
    quick: false,
    rounds: null,
    messages: null,
    sessions: null,
    servers: ["natsgate", "nats-server"],
  };
  o.workloads = ["qos0", "qos1", "mqtt-nats", "sessions"];
  o.natsgate = NATSGATE_MAIN;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else if (a === "--messages") o.messages = Number(argv[++i]);
    else if (a === "--sessions") o.sessions = Number(argv[++i]);
    else if (a === "--workload") o.workloads = argv[++i].split(",");
    else if (a === "--only") o.servers = argv[++i].split(",");
    else if (a === "--natsgate") o.natsgate = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  o.rounds ??= o.quick ? 1 : 3;
  o.messages ??= o.quick ? 50_000 : 500_000;
  o.sessions ??= o.quick ? 1_000 : 10_000;
  return o;
}

async function startServer(name, natsgateMain) {
  const [port, mqttPort] = [await freePort(HOST), await freePort(HOST)];
  const dir = mkdtempSync(join(os.tmpdir(), `mqttbench-${name}-`));
  const conf = join(dir, "mqtt.conf");
  writeFileSync(
    conf,
    `listen: "${HOST}:${port}"\nserver_name: bench\njetstream { store_dir: "${join(dir, "js")}" }\n` +
      `mqtt { listen: "${HOST}:${mqttPort}" }\n`,
  );
  if (name === "natsgate" && !existsSync(natsgateMain))
    throw new Error(`${natsgateMain} not found (npm run build)`);
  const cmd =
    name === "natsgate"
      ? { file: process.execPath, args: [natsgateMain, "-c", conf] }
      : { file: "nats-server", args: ["-c", conf] };
  const canPin = os.availableParallelism() >= 2 && !spawnSync("taskset", ["--version"]).error;
  const { file, args } = pinned(canPin ? 0 : null, cmd.file, cmd.args);
  const child = spawn(file, args, { stdio: "ignore" });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const c = await mqttConnect(HOST, mqttPort, "probe");
      c.socket.destroy();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    name,
    pid: child.pid,
    port,
    mqttPort,
    stop: () =>
      new Promise((r) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          r();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** Publishes `n` messages in batches; QoS 1 keeps at most `window` unacknowledged. */
async function publishAll(pub, topic, qos, n, delivered) {
  let sent = 0;
  let id = 1;
  while (sent < n) {
    const k = Math.min(BATCH, n - sent);
    const parts = [];
    for (let i = 0; i < k; i++) {
      parts.push(publishPacket(topic, PAYLOAD, qos, id));
      id = id === 65535 ? 1 : id + 1;
    }
    pub.socket.write(Buffer.concat(parts));
    sent += k;
    while (
      pub.socket.writableLength > 4 * 1024 * 1024 ||
      sent - delivered() > 50_000 ||
      (qos === 1 && sent - pub.reader.pubacks > 512)
    ) {
      if (pub.socket.destroyed) throw new Error("publisher closed by server");
      await new Promise((r) => setImmediate(r));
    }
  }
}

async function mqttToMqtt(s, qos, n) {
  const sub = await mqttConnect(HOST, s.mqttPort, `sub-${qos}`);
  sub.socket.write(subscribePacket(1, "bench/t", qos));
  await sub.reader.until(() => sub.reader.subacks > 0, "SUBACK");
  const pub = await mqttConnect(HOST, s.mqttPort, `pub-${qos}`);
  const t0 = process.hrtime.bigint();
  await publishAll(pub, "bench/t", qos, n, () => sub.reader.publishes);
  await sub.reader.until(() => sub.reader.publishes >= n, `${n} deliveries`);
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  sub.socket.destroy();
  pub.socket.destroy();
  return { figure: n / sec, unit: "msgs/s", sec };
}

async function mqttToNats(s, n) {
  const nc = net.connect(s.port, HOST);
  let count = 0;
  let rest = "";
  // Counts HMSG/MSG frames: control line, then skip the sized body.
  let skip = 0;
  nc.on("data", (d) => {
    let text = rest + d.toString("latin1");
    let pos = 0;
    for (;;) {
      if (skip > 0) {
        const take = Math.min(skip, text.length - pos);
        skip -= take;
        pos += take;
        if (skip > 0) break;
      }
      const eol = text.indexOf("\r\n", pos);
      if (eol === -1) break;
      const line = text.slice(pos, eol);
      pos = eol + 2;
      if (line.startsWith("HMSG") || line.startsWith("MSG")) {
        count++;
        skip = Number(line.slice(line.lastIndexOf(" ") + 1)) + 2;
      } else if (line === "PING") nc.write("PONG\r\n");
    }
    text = text.slice(pos);
    rest = text;
  });
  await new Promise((r) => nc.once("connect", r));
  nc.write('CONNECT {"verbose":false,"headers":true}\r\nSUB bench.n 1\r\nPING\r\n');
  await new Promise((r) => setTimeout(r, 200));
  const pub = await mqttConnect(HOST, s.mqttPort, "pub-n");
  const t0 = process.hrtime.bigint();
  await publishAll(pub, "bench/n", 0, n, () => count);
  while (count < n) {
    if (nc.destroyed) throw new Error("NATS subscriber closed");
    await new Promise((r) => setTimeout(r, 5));
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  nc.destroy();
  pub.socket.destroy();
  return { figure: n / sec, unit: "msgs/s", sec };
}

async function sessions(s, n) {
  const rss0 = rssKb(s.pid);
  const t0 = Date.now();
  const conns = [];
  const LANES = 200;
  for (let lane = 0; lane < LANES; lane++) conns.push(null);
  let next = 0;
  const all = [];
  await Promise.all(
    conns.map(async () => {
      while (next < n) {
        const i = next++;
        const c = await mqttConnect(HOST, s.mqttPort, `sess-${i}`, { clean: false });
        c.socket.write(subscribePacket(1, `sess/${i}`, 1));
        await c.reader.until(() => c.reader.subacks > 0, "SUBACK", 60_000);
        all.push(c);
      }
    }),
  );
  const connectSec = (Date.now() - t0) / 1000;
  const rss1 = rssKb(s.pid);
  const pub = await mqttConnect(HOST, s.mqttPort, "sess-pub");
  const t1 = Date.now();
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(publishPacket(`sess/${i}`, PAYLOAD, 1, (i % 65535) + 1));
  pub.socket.write(Buffer.concat(parts));
  const received = () => all.reduce((a, c) => a + c.reader.publishes, 0);
  const deadline = Date.now() + 120_000;
  while (received() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const deliverSec = (Date.now() - t1) / 1000;
  const got = received();
  for (const c of all) c.socket.destroy();
  pub.socket.destroy();
  return {
    figure: connectSec,
    unit: "s to connect+subscribe",
    extra: `${n} sessions, ${(n / connectSec).toFixed(0)}/s, deliver ${got}/${n} in ${deliverSec.toFixed(2)}s, RSS +${((rss1 - rss0) / 1024).toFixed(1)} MiB (${((rss1 - rss0) / n).toFixed(1)} KiB/session)`,
  };
}

async function run(workload, s, o) {
  if (workload === "qos0") return mqttToMqtt(s, 0, o.messages);
  if (workload === "qos1") return mqttToMqtt(s, 1, Math.ceil(o.messages / 5));
  if (workload === "mqtt-nats") return mqttToNats(s, o.messages);
  return sessions(s, o.sessions);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  for (const workload of o.workloads) {
    const figures = new Map();
    const rounds = workload === "sessions" ? 1 : o.rounds;
    for (let round = 0; round < rounds; round++) {
      for (const name of o.servers) {
        if (name === "nats-server" && spawnSync("nats-server", ["--version"]).error) continue;
        // A fresh server per round for sessions (memory from a clean start), else per round too: simple and fair.
        const s = await startServer(name, o.natsgate);
        try {
          const r = await run(workload, s, o);
          figures.set(name, [...(figures.get(name) ?? []), r.figure]);
          const fig =
            r.unit === "msgs/s"
              ? `${(r.figure / 1000).toFixed(1)}k msgs/s`
              : `${r.figure.toFixed(2)} ${r.unit}`;
          console.log(`${workload} round ${round + 1} ${name}: ${fig}${r.extra ? `  ${r.extra}` : ""}`);
        } catch (err) {
          console.log(`${workload} round ${round + 1} ${name}: FAILED ${err.message}`);
        } finally {
          await s.stop();
        }
      }
    }
    const a = figures.get("natsgate");
    const b = figures.get("nats-server");
    if (a?.length && b?.length)
      console.log(`${workload}: natsgate/nats-server = ${(median(a) / median(b)).toFixed(2)}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

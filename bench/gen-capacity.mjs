// Generator self-check (`node bench/gen-capacity.mjs`): how fast the load generator alone can
// write PUB frames (into a byte sink that does no NATS work) and count MSG frames, on one core.
// Compare with the server figures of `npm run bench`: the generator must be far ahead of them.
import { spawn } from "node:child_process";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { encodeBatch, FrameReader, makePayload } from "./gen/wire.mjs";

const SELF = fileURLToPath(import.meta.url);
const FRAMES = 40_000_000;
const BATCH_FRAMES = 16384;
const PARSE_FRAMES = 4_000_000;
const CHUNK = 1024 * 1024;

/** Sink: accepts one connection and drops what it reads; stands for a server doing no work. */
function runSink() {
  const server = net.createServer((sock) => {
    sock.on("error", () => {});
    sock.on("close", () => server.close());
    sock.resume();
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
}

/** Writes FRAMES pre-encoded 16-byte PUB frames as `npm run bench` does (batches + drain). */
async function writeRate(port) {
  const batch = encodeBatch(["bench.pub"], makePayload(16), BATCH_FRAMES);
  const sock = net.connect({ port, host: "127.0.0.1", noDelay: true, writableHighWaterMark: 8 << 20 });
  await new Promise((resolve) => sock.once("connect", resolve));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let sent = 0; sent < FRAMES; sent += BATCH_FRAMES) {
    if (!sock.write(batch.buf)) await new Promise((resolve) => sock.once("drain", resolve));
  }
  await new Promise((resolve) => sock.end(resolve));
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { framesPerSec: FRAMES / sec, cpuShare: (cpu.user + cpu.system) / 1e6 / sec };
}

/** Counts PARSE_FRAMES in-memory MSG frames fed in 1 MiB chunks, as a subscriber would see them. */
function parseRate() {
  const frame = Buffer.from("MSG bench.fan 3 16\r\nxxxxxxxxxxxxxxxx\r\n");
  const all = Buffer.alloc(frame.length * PARSE_FRAMES);
  for (let i = 0; i < PARSE_FRAMES; i++) frame.copy(all, i * frame.length);
  let best = 0;
  for (let rep = 0; rep < 5; rep++) {
    const reader = new FrameReader({ write() {} });
    const t0 = performance.now();
    for (let o = 0; o < all.length; o += CHUNK) reader.feed(all.subarray(o, o + CHUNK));
    best = Math.max(best, reader.count / ((performance.now() - t0) / 1000));
  }
  return best;
}

function pinnedSpawn(cpu, args) {
  const file = cpu === null ? process.execPath : "taskset";
  const argv = cpu === null ? args : ["-c", String(cpu), process.execPath, ...args];
  return spawn(file, argv, { stdio: ["ignore", "pipe", "inherit"] });
}

function firstLine(child) {
  return new Promise((resolve) => {
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
      if (text.includes("\n")) resolve(text.split("\n")[0]);
    });
  });
}

async function main() {
  const mode = process.argv[2];
  if (mode === "--sink") return runSink();
  if (mode === "--writer") {
    const write = await writeRate(Number(process.argv[3]));
    process.stdout.write(`${JSON.stringify({ ...write, parsePerSec: parseRate() })}\n`);
    return;
  }
  const pin = process.argv.includes("--no-pin") ? [null, null] : [0, 1];
  const sink = pinnedSpawn(pin[0], [SELF, "--sink"]);
  const port = await firstLine(sink);
  const writer = pinnedSpawn(pin[1], [SELF, "--writer", port]);
  const result = JSON.parse(await firstLine(writer));
  sink.kill();
  const m = (v) => `${(v / 1e6).toFixed(1)}M`;
  console.log(
    `PUB writer: ${m(result.framesPerSec)} frames/s (16-byte payload) at ${Math.round(result.cpuShare * 100)}% of its core`,
  );
  console.log(`MSG reader: ${m(result.parsePerSec)} frames/s counted in memory (no socket), one core`);
}

await main();

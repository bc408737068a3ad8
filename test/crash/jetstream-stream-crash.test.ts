// Crash safety: a natsgate child process (the real CLI) is killed with SIGKILL in the middle of a
// publish storm; after a restart every acknowledged message is there with its sequence, subject and
// payload, and a torn or corrupted tail is dropped without a crash.

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const VITE_NODE = join(ROOT, "node_modules", ".bin", "vite-node");
const CLI = join(ROOT, "src", "cli", "main.ts");

interface Child {
  proc: ChildProcess;
  port: number;
  log: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Starts `natsgate` (src/cli/main.ts) on a random port; resolves once it listens. */
function startChild(args: string[]): Promise<Child> {
  const proc = spawn(VITE_NODE, [CLI, "--", "-a", "127.0.0.1", "-p", "-1", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`natsgate did not start:\n${log}`)), 20_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), log: () => log });
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`natsgate exited with ${code}:\n${log}`));
    });
  });
}

interface Acked {
  subject: string;
  payload: string;
}

/**
 * Keeps up to `window` publishes outstanding; once `killAfter` acks have arrived it kills the server
 * with the window still full, so the kill lands in the middle of the storm.
 * Returns the acknowledged messages by sequence.
 */
async function stormAndKill(nc: NatsConnection, child: Child, killAfter: number, window: number) {
  const js = jetstream(nc, { timeout: 5000 });
  const acked = new Map<number, Acked>();
  let sent = 0;
  let exited = false;
  const gone = new Promise<void>((resolve) => child.proc.once("exit", () => resolve()));
  void gone.then(() => {
    exited = true;
  });
  const inflight = new Set<Promise<void>>();
  for (;;) {
    while (inflight.size < window) {
      const i = sent++;
      const subject = `crash.${i % 7}`;
      const payload = `m-${i}-${"p".repeat(i % 50)}`;
      const p: Promise<void> = js
        .publish(subject, payload, { msgID: `id-${i}` })
        .then((ack) => {
          acked.set(ack.seq, { subject, payload });
        })
        .catch(() => {
          // Lost with the server: not acknowledged, so not required to survive.
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    if (acked.size >= killAfter) {
      // Let the refilled window reach the socket, then kill while the server works through it.
      await new Promise((resolve) => setImmediate(resolve));
      child.proc.kill("SIGKILL");
      break;
    }
    await Promise.race([...inflight, gone]);
    if (exited) throw new Error("natsgate exited before the kill");
  }
  await gone;
  await Promise.allSettled(inflight);
  return { acked, sent };
}

async function verifySurvivors(port: number, acked: Map<number, Acked>): Promise<void> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info("CRASH", { subjects_filter: ">" });
    const maxAcked = Math.max(...acked.keys());
    expect(info.state.last_seq).toBeGreaterThanOrEqual(maxAcked);
    expect(info.state.first_seq).toBe(1);
    const missing: number[] = [];
    const wrong: number[] = [];
    for (const [seq, want] of acked) {
      const m = await jsm.streams.getMessage("CRASH", { seq }).catch(() => null);
      if (m === null) missing.push(seq);
      else if (m.subject !== want.subject || m.string() !== want.payload) wrong.push(seq);
    }
    expect({ missing, wrong }).toEqual({ missing: [], wrong: [] });
    const counted = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
    expect(counted).toBe(info.state.messages);
    // Sequences continue after the last stored message.
    const next = await jetstream(nc).publish("crash.0", "after restart");
    expect(next.seq).toBe(info.state.last_seq + 1);
  } finally {
    await nc.close();
  }
}

async function createStream(port: number): Promise<NatsConnection> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "CRASH", subjects: ["crash.*"], storage: StorageType.File });
  return nc;
}

function lastBlockFile(storeDir: string): string {
  const msgs = join(storeDir, "jetstream", "$G", "streams", "CRASH", "msgs");
  const blocks = readdirSync(msgs)
    .filter((f) => f.endsWith(".blk"))
    .map((f) => join(msgs, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  const last = blocks.at(-1);
  if (last === undefined) throw new Error("no block files");
  return last;
}

describe("natsgate killed with SIGKILL during a publish storm", () => {
  it("keeps every acknowledged message (durable default)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-crash-"));
    dirs.push(dir);
    const first = await startChild(["-js", "-sd", dir]);
    const nc = await createStream(first.port);
    const { acked, sent } = await stormAndKill(nc, first, 3000, 256);
    await nc.close().catch(() => {});
    expect(acked.size).toBeGreaterThanOrEqual(3000);
    expect(sent).toBeGreaterThan(acked.size);
    const second = await startChild(["-js", "-sd", dir]);
    await verifySurvivors(second.port, acked);
  }, 60_000);

  it("drops a torn or garbage tail, logs the repair and keeps the acknowledged messages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-crash-"));
    dirs.push(dir);
    const first = await startChild(["-js", "-sd", dir]);
    const nc = await createStream(first.port);
    const { acked } = await stormAndKill(nc, first, 500, 64);
    await nc.close().catch(() => {});
    // A half-written record after the last good one, as a power cut mid-write can leave.
    appendFileSync(lastBlockFile(dir), Buffer.from([0x2a, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01]));
    const second = await startChild(["-js", "-sd", dir]);
    await verifySurvivors(second.port, acked);
    expect(second.log()).toMatch(/recovery dropped \d+ torn or corrupt records|torn|truncat/i);
  }, 60_000);

  it("with a lazy sync_interval keeps everything written before the kill (the OS still has it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-crash-"));
    dirs.push(dir);
    const conf = join(dir, "natsgate.conf");
    writeFileSync(conf, `jetstream { store_dir: "${dir}", sync_interval: "30s" }\n`);
    const first = await startChild(["-c", conf]);
    expect(first.log()).toMatch(/Sync: +every 30000ms/);
    const nc = await createStream(first.port);
    const { acked } = await stormAndKill(nc, first, 2000, 256);
    await nc.close().catch(() => {});
    const second = await startChild(["-c", conf]);
    await verifySurvivors(second.port, acked);
  }, 60_000);
});

// Throughput workloads (pub-only, pub/sub, fan-out, queue group, many-subject routing): fixed
// message counts written as pre-encoded batches, deliveries counted by the byte-scanning reader.
import { performance } from "node:perf_hooks";
import { Window } from "./measure.mjs";
import { connect, encodeBatch, makePayload } from "./wire.mjs";

/** Frames per pre-encoded batch when every frame has the same subject (about 600 KB at 16 B). */
const FRAMES_PER_BATCH = 16384;
/** Subscriber read buffer: large reads keep the per-read cost small at millions of msgs/s. */
const READ_BUFFER = 1024 * 1024;

/**
 * Shared progress of one run: messages sent and delivered, and waiters woken as reader chunks
 * arrive. A closed subscriber or publisher fails every waiter with the server's reason.
 */
class Progress {
  constructor(subs) {
    this.subs = subs;
    this.sent = 0;
    this.waiters = [];
    this.failure = null;
    this.lastDeliveryMs = 0;
  }

  received() {
    let total = 0;
    for (const sub of this.subs) total += sub.reader.count;
    return total;
  }

  check() {
    this.lastDeliveryMs = performance.now();
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }

  fail(reason) {
    this.failure ??= reason;
    for (const w of this.waiters) w.reject(new Error(this.failure));
    this.waiters = [];
  }

  waitFor(test) {
    if (this.failure !== null) return Promise.reject(new Error(this.failure));
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ test, resolve, reject }));
  }
}

function subjectsFor(job) {
  if (job.subjects === 1) return [job.subject];
  return Array.from({ length: job.subjects }, (_, i) => `${job.subject}.${i}`);
}

/** Subscribes subscriber connection `c`: the one subject (optionally in a queue group) or its share. */
async function openSubscriber(job, subjects, c) {
  const conn = await connect(job.port, job.host, `bench-sub-${c}`, undefined, READ_BUFFER);
  const mine = subjects.length === 1 ? subjects : subjects.filter((_, i) => i % job.subConns === c);
  const queue = job.queue ? ` ${job.queue}` : "";
  const lines = mine.map((s, i) => `SUB ${s}${queue} ${i + 1}\r\n`).join("");
  conn.write(Buffer.from(lines, "latin1"));
  await conn.flush();
  return conn;
}

/** Deliveries expected per published message. */
function fanoutFactor(job) {
  if (job.subConns === 0) return 0;
  if (job.subjects > 1 || job.queue) return 1;
  return job.subConns;
}

async function publish(conn, batch, quota, progress, factor, window) {
  let sent = 0;
  const inWindow = () => progress.sent - progress.received() / factor <= window;
  while (sent < quota) {
    const n = Math.min(batch.frames, quota - sent);
    const chunk = n === batch.frames ? batch.buf : batch.buf.subarray(0, batch.ends[n - 1]);
    sent += n;
    progress.sent += n;
    if (!conn.write(chunk)) await conn.drain();
    // Bounded in flight so a lagging reader cannot turn the run into a slow-consumer drop test.
    if (factor > 0 && !inWindow()) await progress.waitFor(inWindow);
  }
}

/** Runs one flow workload and returns its measured window plus delivery counts. */
export async function runFlow(job, status) {
  const subjects = subjectsFor(job);
  const payload = makePayload(job.payloadSize);
  const subs = [];
  for (let c = 0; c < job.subConns; c++) subs.push(await openSubscriber(job, subjects, c));
  const pubs = [];
  for (let p = 0; p < job.publishers; p++) pubs.push(await connect(job.port, job.host, `bench-pub-${p}`));

  const progress = new Progress(subs);
  for (const conn of [...subs, ...pubs]) {
    conn.socket.once("close", () => progress.fail(conn.closeReason));
  }
  for (const sub of subs) sub.reader.onChunk = () => progress.check();
  const factor = fanoutFactor(job);
  const expected = job.messages * factor;
  status.progress = () =>
    `sent ${progress.sent}/${job.messages}, delivered ${progress.received()}/${expected}`;

  // Distinct subjects: one batch is exactly one cycle over them, each publisher starting elsewhere.
  const framesPerBatch = subjects.length > 1 ? subjects.length : FRAMES_PER_BATCH;
  const batches = pubs.map((_, p) =>
    encodeBatch(subjects, payload, framesPerBatch, Math.floor((p * subjects.length) / pubs.length)),
  );
  const quotas = pubs.map(
    (_, p) => Math.floor(job.messages / pubs.length) + (p < job.messages % pubs.length ? 1 : 0),
  );

  const window = new Window(job);
  window.start();
  await Promise.all(pubs.map((c, p) => publish(c, batches[p], quotas[p], progress, factor, job.window)));
  let endMs;
  if (factor === 0) {
    // PONG after the last PUB: the server has parsed and routed every message.
    await Promise.all(pubs.map((c) => c.flush()));
    endMs = performance.now();
  } else {
    await progress.waitFor(() => progress.received() >= expected);
    endMs = progress.lastDeliveryMs;
  }
  const measured = window.stop(endMs);
  // Anything beyond `expected` (duplicates) would show up by the time the subscribers' PONGs return.
  await Promise.all(subs.map((s) => s.flush()));
  const delivered = progress.received();
  for (const conn of [...subs, ...pubs]) conn.close();
  if (delivered !== expected) throw new Error(`delivered ${delivered} messages, expected ${expected}`);
  // Per-connection counts go to the JSON: they show how a queue group spread its messages.
  return { ...measured, published: job.messages, delivered, perSubscriber: subs.map((s) => s.reader.count) };
}

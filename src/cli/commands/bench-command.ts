// `natsgate bench <subject>`: the nats CLI's benchmark (core pub/sub, request/reply, JetStream publish and
// pull/push consume), one connection per client, a live progress bar on a terminal, and a summary.

import { writeFileSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Command } from "commander";
import { type BenchShape, corePublisher, coreReplier, coreRequester, coreSubscriber } from "./bench-core.js";
import {
  ConsumeQuota,
  type JsPlan,
  jsPublisher,
  jsSubscriber,
  prepareConsumer,
  prepareStream,
  removeConsumer,
} from "./bench-jetstream.js";
import { type BenchResult, LatencyRecorder, renderCsv, renderSummary, SampleGroup } from "./bench-stats.js";
import { parseBytes } from "./byte-size.js";
import { CliError } from "./cli-error.js";
import { type ConnectionFlags, connectWith, timeoutMs } from "./connection.js";
import { enumValue, intValue } from "./flag-values.js";
import { processOutput } from "./output.js";
import { createProgress } from "./progress-bar.js";
import { allOptions } from "./session.js";

interface BenchFlags {
  pub: string;
  sub: string;
  msgs: string;
  size: string;
  csv?: string;
  progress: boolean;
  request?: boolean;
  reply?: boolean;
  js?: boolean;
  syncpub?: boolean;
  pubbatch: string;
  storage: string;
  stream: string;
  replicas: string;
  purge?: boolean;
  pull?: boolean;
  push?: boolean;
  consumerbatch: string;
  maxackpending: string;
  multisubject?: boolean;
  multisubjectmax: string;
  deletestream?: boolean;
}

/** Splits `total` messages over `n` clients, the remainder going to the first ones. */
export function split(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/** Rejects when no message was counted for `idleMs`, so a lost message cannot hang the run. */
async function untilDone(work: Promise<unknown>, progressed: () => number, idleMs: number): Promise<void> {
  let last = progressed();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, rej) => {
    timer = setInterval(() => {
      const now = progressed();
      if (now === last) rej(new CliError(`no progress for ${idleMs}ms: ${now} messages counted`));
      last = now;
    }, idleMs);
  });
  try {
    await Promise.race([work, stalled]);
  } finally {
    clearInterval(timer);
  }
}

function title(o: BenchFlags, pubs: number, subs: number): string {
  if (o.js) return pubs > 0 && subs > 0 ? "JetStream Pub/Sub" : pubs > 0 ? "JetStream Pub" : "JetStream Sub";
  if (o.request || o.reply) return "NATS Request/Reply";
  return pubs > 0 && subs > 0 ? "NATS Pub/Sub" : pubs > 0 ? "NATS Pub" : "NATS Sub";
}

function jsPlan(o: BenchFlags): JsPlan {
  if (o.pull && o.push) throw new CliError("--pull and --push are exclusive");
  return {
    stream: o.stream,
    storage: enumValue("storage", o.storage, ["memory", "file"]) as "memory" | "file",
    replicas: intValue("replicas", o.replicas),
    purge: o.purge === true,
    pull: o.push !== true,
    pubBatch: intValue("pubbatch", o.pubbatch),
    syncPub: o.syncpub === true,
    consumerBatch: intValue("consumerbatch", o.consumerbatch),
    maxAckPending: intValue("maxackpending", o.maxackpending),
  };
}

interface Run {
  shape: BenchShape;
  flags: ConnectionFlags;
  pubCounts: number[];
  subs: number;
  msgs: number;
  result: BenchResult;
  conns: NatsConnection[];
}

async function open(run: Run): Promise<NatsConnection> {
  const nc = await connectWith(run.flags);
  run.conns.push(nc);
  return nc;
}

async function runCore(run: Run, o: BenchFlags): Promise<void> {
  const { shape, result } = run;
  const waits: Promise<void>[] = [];
  const repliers = [];
  for (let i = 0; i < run.subs; i++) {
    const nc = await open(run);
    const sample = result.subs.add(`S${i}`);
    if (o.reply) repliers.push(await coreReplier(nc, shape, sample));
    else waits.push((await coreSubscriber(nc, shape, sample, run.msgs)).done);
  }
  const pubs = await Promise.all(run.pubCounts.map(() => open(run)));
  const work = Promise.all(
    pubs.map((nc, i) => {
      const sample = result.pubs.add(`P${i}`);
      const n = run.pubCounts[i] as number;
      return o.request ? coreRequester(nc, shape, sample, n) : corePublisher(nc, shape, sample, n);
    }),
  ).then(() => Promise.all(waits));
  await untilDone(work, () => result.pubs.msgs + result.subs.msgs, Math.max(shape.timeoutMs, 2000));
  for (const r of repliers) r.unsubscribe();
}

async function runJetStream(run: Run, o: BenchFlags): Promise<void> {
  const { shape, result } = run;
  const plan = jsPlan(o);
  const admin = await open(run);
  const jsm = await jetstreamManager(admin, { checkAPI: false });
  if (run.pubCounts.length > 0) await prepareStream(jsm, shape, plan);
  const quota = new ConsumeQuota(run.msgs);
  const consumers: (() => Promise<void>)[] = [];
  if (run.subs > 0) {
    await prepareConsumer(jsm, plan);
    for (let i = 0; i < run.subs; i++) {
      const sample = result.subs.add(`S${i}`);
      consumers.push(await jsSubscriber(await open(run), shape, plan, sample, quota));
    }
  }
  const pubs = await Promise.all(run.pubCounts.map(() => open(run)));
  const work = Promise.all([
    ...pubs.map((nc, i) =>
      jsPublisher(jetstream(nc), shape, plan, result.pubs.add(`P${i}`), run.pubCounts[i] as number),
    ),
    ...consumers.map((c) => c()),
  ]);
  await untilDone(work, () => result.pubs.msgs + quota.received, Math.max(shape.timeoutMs, 2000));
  if (run.subs > 0) await removeConsumer(admin, plan);
  if (o.deletestream) await jsm.streams.delete(plan.stream).catch(() => undefined);
}

async function bench(subject: string, o: BenchFlags, cmd: Command): Promise<void> {
  const pubs = intValue("pub", o.pub);
  const subs = intValue("sub", o.sub);
  const msgs = intValue("msgs", o.msgs);
  if (pubs <= 0 && subs <= 0)
    throw new CliError("at least one publisher (--pub) or subscriber (--sub) is required");
  if (msgs <= 0) throw new CliError("--msgs must be positive");
  const flags = allOptions<ConnectionFlags>(cmd);
  // Subscribers each see every core message (fan-out); JetStream subscribers and repliers share them.
  const subTotal = o.js || o.reply ? (subs > 0 ? msgs : 0) : subs * msgs;
  const progress = createProgress("Bench", (pubs > 0 ? msgs : 0) + subTotal, "count", o.progress);
  const pubLatency = new LatencyRecorder();
  const subLatency = new LatencyRecorder();
  const shape: BenchShape = {
    subject,
    size: parseBytes(o.size, "size"),
    multisubject: o.multisubject === true,
    multisubjectMax: intValue("multisubjectmax", o.multisubjectmax),
    progress,
    pubLatency,
    subLatency,
    timeoutMs: timeoutMs(flags),
  };
  const result: BenchResult = {
    title: title(o, pubs, subs),
    pubs: new SampleGroup(),
    subs: new SampleGroup(),
    latencies: [
      { label: o.request ? "request round trip" : "publish to ack", recorder: pubLatency },
      { label: "publish to receive", recorder: subLatency },
    ],
  };
  const run: Run = {
    shape,
    flags,
    pubCounts: pubs > 0 ? split(msgs, pubs) : [],
    subs,
    msgs,
    result,
    conns: [],
  };
  processOutput.err(
    `Starting ${result.title} benchmark [subject=${subject}, msgs=${msgs}, msgsize=${shape.size}, pubs=${pubs}, subs=${subs}${o.js ? `, js=true, stream=${o.stream}` : ""}]\n`,
  );
  try {
    await (o.js ? runJetStream(run, o) : runCore(run, o));
  } finally {
    progress.done();
    await Promise.all(run.conns.map((nc) => nc.close().catch(() => undefined)));
  }
  processOutput.out(renderSummary(result));
  if (o.csv) {
    writeFileSync(o.csv, renderCsv(result, `natsgate-bench-${Date.now()}`));
    processOutput.out(`Saved metric data in csv file ${o.csv}\n`);
  }
}

export function registerBenchCommand(program: Command): void {
  program
    .command("bench")
    .description("Benchmark utility")
    .argument("<subject>", "Subject to use for the benchmark")
    .option("--pub <n>", "Number of concurrent publishers", "0")
    .option("--sub <n>", "Number of concurrent subscribers", "0")
    .option("--msgs <n>", "Number of messages to publish", "100000")
    .option("--size <bytes>", "Size of the test messages", "128")
    .option("--csv <file>", "Save benchmark data to CSV file")
    .option("--no-progress", "Disable progress bar while publishing")
    .option("--request", "Request-Reply mode: publishers send requests and wait for a reply")
    .option("--reply", "Request-Reply mode: subscribers send replies")
    .option("--js", "Use JetStream")
    .option("--syncpub", "Synchronously publish to the stream")
    .option("--pubbatch <n>", "Sets the batch size for JS asynchronous publishing", "100")
    .option("--storage <type>", "JetStream storage (memory/file)", "memory")
    .option("--stream <name>", "The name of the stream to create or use", "benchstream")
    .option("--replicas <n>", "Number of stream replicas", "1")
    .option("--purge", "Purge the stream before running")
    .option("--pull", "Uses a JetStream pull consumer (the default)")
    .option("--push", "Uses a JetStream push consumer")
    .option("--consumerbatch <n>", "Sets the batch size for the JS pull consumer", "100")
    .option("--maxackpending <n>", "Max acks pending for JS consumer", "10000")
    .option(
      "--multisubject",
      "Multi-subject mode, each message is published on a subject that includes the publisher's message sequence number as a token",
    )
    .option("--multisubjectmax <n>", "The maximum number of subjects to use in multi-subject mode", "100000")
    .option("--deletestream", "Delete the stream after the benchmark")
    .action(bench);
}

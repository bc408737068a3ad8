// The `natsgate` management subcommands (the nats CLI's workflows) run as real processes against natsgate and
// against nats-server 2.9.10; configurations are checked field by field through the JetStream API.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../../src/index.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";
import { type CliResult, cli, MAIN } from "./cli-support.js";

/** Starts a long-running CLI process (sub, reply) and resolves once it printed `ready` on stderr. */
function cliBackground(
  url: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; done: Promise<CliResult> }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, NATS_URL: url } });
    let stdout = "";
    let stderr = "";
    const done = new Promise<CliResult>((d) => child.on("close", (code) => d({ code, stdout, stderr })));
    const timer = setTimeout(() => rej(new Error(`no ${ready} from ${args.join(" ")}: ${stderr}`)), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (ready.test(stderr)) {
        clearTimeout(timer);
        res({ child, done });
      }
    });
  });
}

const ISSUE_STREAM_ADD = [
  "stream",
  "add",
  "com_msg",
  "--subjects",
  "com.msg.*",
  "--storage",
  "file",
  "--retention",
  "work",
  "--discard",
  "old",
  "--max-msgs",
  "-1",
  "--max-msgs-per-subject",
  "-1",
  "--max-bytes",
  "-1",
  "--max-msg-size",
  "-1",
  "--max-age",
  "1y",
  "--dupe-window",
  "2m0s",
  "--no-allow-rollup",
  "--deny-delete",
  "--deny-purge",
  "--replicas",
  "1",
];
const ISSUE_CONSUMER_ADD = [
  "consumer",
  "add",
  "com_msg",
  "com_msg_consumer",
  "--filter",
  "com.msg.*",
  "--deliver",
  "all",
  "--ack",
  "explicit",
  "--replay",
  "instant",
  "--max-deliver",
  "-1",
  "--max-pending",
  "0",
  "--headers-only",
  "--target",
  "",
];

interface Target {
  url: string;
  stop(): Promise<void>;
}

async function startNatsgate(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-cli-js-"));
  const server = await createServer({ port: 0, jetstream: { storeDir: dir } });
  return {
    url: `nats://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startReference(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-cli-ns-"));
  const ns = await startNatsServer(["-js", "-sd", dir]);
  return {
    url: ns.url,
    stop: async () => {
      await ns.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const haveNatsServer = natsServerAvailable();
const targets: [string, () => Promise<Target>][] = [["natsgate", startNatsgate]];
if (haveNatsServer) targets.push(["nats-server", startReference]);
else console.warn("nats-server not on PATH: CLI comparison against nats-server skipped");

beforeAll(() => {
  const src = statSync(resolve("src/cli/commands/run.ts")).mtimeMs;
  if (
    !existsSync(MAIN) ||
    !existsSync(resolve("dist/cli/commands/run.js")) ||
    statSync(resolve("dist/cli/commands/run.js")).mtimeMs < src
  ) {
    spawnSync("npm", ["run", "build"], { stdio: "ignore" });
  }
  expect(existsSync(resolve("dist/cli/commands/run.js"))).toBe(true);
}, 120_000);

describe.each(targets)("natsgate management commands against %s", (_name, start) => {
  let target: Target;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const run = (...args: string[]) => cli(target.url, args);

  beforeAll(async () => {
    target = await start();
    nc = await connect({ servers: target.url.replace("nats://", ""), reconnect: false });
    jsm = await jetstreamManager(nc);
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await target?.stop();
  });

  it("stream add as in the issue gives the configuration field by field", async () => {
    const r = await run(...ISSUE_STREAM_ADD);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Stream com_msg was created");
    expect(r.stdout).toMatch(/ {15}Retention: WorkQueue\n/);
    expect(r.stdout).toMatch(/Maximum Age: 1y0d0h0m0s\n/);
    const cfg = (await jsm.streams.info("com_msg")).config as unknown as Record<string, unknown>;
    expect({
      name: cfg.name,
      subjects: cfg.subjects,
      retention: cfg.retention,
      max_consumers: cfg.max_consumers,
      max_msgs: cfg.max_msgs,
      max_bytes: cfg.max_bytes,
      max_age: cfg.max_age,
      max_msgs_per_subject: cfg.max_msgs_per_subject,
      max_msg_size: cfg.max_msg_size,
      discard: cfg.discard,
      storage: cfg.storage,
      num_replicas: cfg.num_replicas,
      duplicate_window: cfg.duplicate_window,
      sealed: cfg.sealed,
      deny_delete: cfg.deny_delete,
      deny_purge: cfg.deny_purge,
      allow_rollup_hdrs: cfg.allow_rollup_hdrs,
      allow_direct: cfg.allow_direct,
      mirror_direct: cfg.mirror_direct,
    }).toEqual({
      name: "com_msg",
      subjects: ["com.msg.*"],
      retention: "workqueue",
      max_consumers: -1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 365 * 24 * 3600 * 1e9,
      max_msgs_per_subject: -1,
      max_msg_size: -1,
      discard: "old",
      storage: "file",
      num_replicas: 1,
      duplicate_window: 120e9,
      sealed: false,
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
      allow_direct: true,
      mirror_direct: false,
    });
  });

  it("consumer add as in the issue gives the configuration field by field", async () => {
    const r = await run(...ISSUE_CONSUMER_ADD);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Information for Consumer com_msg > com_msg_consumer");
    expect(r.stdout).toMatch(/Pull Mode: true\n/);
    const cfg = (await jsm.consumers.info("com_msg", "com_msg_consumer")).config as unknown as Record<
      string,
      unknown
    >;
    expect({
      durable_name: cfg.durable_name,
      deliver_subject: cfg.deliver_subject,
      filter_subject: cfg.filter_subject,
      deliver_policy: cfg.deliver_policy,
      ack_policy: cfg.ack_policy,
      ack_wait: cfg.ack_wait,
      max_deliver: cfg.max_deliver,
      replay_policy: cfg.replay_policy,
      max_ack_pending: cfg.max_ack_pending,
      max_waiting: cfg.max_waiting,
      headers_only: cfg.headers_only,
      flow_control: cfg.flow_control,
    }).toEqual({
      durable_name: "com_msg_consumer",
      deliver_subject: undefined,
      filter_subject: "com.msg.*",
      deliver_policy: "all",
      ack_policy: "explicit",
      ack_wait: 30e9,
      max_deliver: -1,
      replay_policy: "instant",
      max_ack_pending: 1000,
      max_waiting: 512,
      headers_only: true,
      flow_control: undefined,
    });
  });

  it("pub with --count, a templated body and headers; stream get, consumer next, info and ls", async () => {
    const pub = await run("pub", "com.msg.a", "n={{Count}}", "--count", "3", "-H", "k:v");
    expect(pub.code).toBe(0);
    expect(pub.stderr).toMatch(/Published 3 messages to "com\.msg\.a"/);
    const got = await run("stream", "get", "com_msg", "2", "--json");
    expect(got.code).toBe(0);
    const msg = JSON.parse(got.stdout) as {
      subject: string;
      seq: number;
      data: string;
      header: Record<string, string[]>;
    };
    expect(msg.subject).toBe("com.msg.a");
    expect(msg.seq).toBe(2);
    expect(Buffer.from(msg.data, "base64").toString()).toBe("n=2");
    expect(msg.header.k).toEqual(["v"]);
    const next = await run("consumer", "next", "com_msg", "com_msg_consumer");
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/subj: com\.msg\.a \/ tries: 1 \/ cons seq: 1 \/ str seq: 1 \/ pending: 2/);
    expect(next.stdout).toContain("Acknowledged message");
    const info = await run("stream", "info", "com_msg", "--json");
    const si = JSON.parse(info.stdout) as { state: { messages: number; consumer_count: number } };
    // Work queue: the acknowledged message is gone.
    expect(si.state).toMatchObject({ messages: 2, consumer_count: 1 });
    const cinfo = await run("consumer", "info", "com_msg", "com_msg_consumer", "--json");
    expect((JSON.parse(cinfo.stdout) as { num_pending: number }).num_pending).toBe(2);
    const ls = await run("stream", "ls", "--names");
    expect(ls.stdout).toBe("com_msg\n");
    const table = await run("stream", "ls");
    expect(table.stdout).toMatch(/│ com_msg +│ +│ [\d-]+ [\d:]+ +│ 2 +│/);
    const cls = await run("consumer", "ls", "com_msg", "--names");
    expect(cls.stdout).toBe("com_msg_consumer\n");
    const report = await run("stream", "report");
    expect(report.stdout).toMatch(/│ com_msg +│ File +│ +│ 1 +│ 2 +│/);
  });

  it("stream edit changes only the given fields; consumer edit; rmm, purge and rm", async () => {
    const add = await run("stream", "add", "ED", "--subjects", "ed.>", "--defaults", "--storage", "memory");
    expect(add.code).toBe(0);
    const edit = await run("stream", "edit", "ED", "--max-msgs", "10", "--description", "edited", "-f");
    expect(edit.code).toBe(0);
    const cfg = (await jsm.streams.info("ED")).config;
    expect(cfg).toMatchObject({
      max_msgs: 10,
      description: "edited",
      storage: "memory",
      subjects: ["ed.>"],
      max_age: 0,
    });
    await run("pub", "ed.1", "a", "--count", "3");
    expect((await run("consumer", "add", "ED", "C1", "--pull", "--defaults")).code).toBe(0);
    expect((await run("consumer", "edit", "ED", "C1", "--max-deliver", "5", "-f")).code).toBe(0);
    expect((await jsm.consumers.info("ED", "C1")).config.max_deliver).toBe(5);
    expect((await run("stream", "rmm", "ED", "2", "-f")).code).toBe(0);
    const afterRmm = await jsm.streams.info("ED");
    expect(afterRmm.state.messages).toBe(2);
    const purge = await run("stream", "purge", "ED", "-f", "--json");
    expect((JSON.parse(purge.stdout) as { state: { messages: number } }).state.messages).toBe(0);
    expect((await run("consumer", "rm", "ED", "C1", "-f")).code).toBe(0);
    expect((await run("stream", "rm", "ED", "-f")).code).toBe(0);
    await expect(jsm.streams.info("ED")).rejects.toThrow(/stream not found/);
  });

  it("sub with --count and a queue, req against reply", async () => {
    const sub = await cliBackground(
      target.url,
      ["sub", "cli.sub", "--queue", "q1", "--count", "2"],
      /Subscribing on cli\.sub/,
    );
    await run("pub", "cli.sub", "hello {{Count}}", "--count", "2", "-H", "h1:x");
    const subResult = await sub.done;
    expect(subResult.code).toBe(0);
    expect(subResult.stdout).toBe(
      '[#1] Received on "cli.sub"\nh1: x\n\nhello 1\n\n[#2] Received on "cli.sub"\nh1: x\n\nhello 2\n\n',
    );
    const reply = await cliBackground(
      target.url,
      ["reply", "cli.svc", "answer to {{.Request}}", "--count", "1"],
      /Listening on "cli\.svc"/,
    );
    const req = await run("req", "cli.svc", "question", "--raw");
    expect(req.code).toBe(0);
    expect(req.stdout).toBe("answer to question\n");
    expect((await reply.done).code).toBe(0);
  });

  it("kv add, put, get, history, ls, watch, del and rm", async () => {
    expect((await run("kv", "add", "CFG", "--history", "5")).code).toBe(0);
    expect((await jsm.streams.info("KV_CFG")).config).toMatchObject({
      max_msgs_per_subject: 5,
      subjects: ["$KV.CFG.>"],
    });
    await run("kv", "put", "CFG", "a", "1");
    const put = await run("kv", "put", "CFG", "a", "2");
    expect(put.stdout).toBe("2\n");
    expect((await run("kv", "get", "CFG", "a", "--raw")).stdout).toBe("2");
    const hist = await run("kv", "history", "CFG", "a", "--json");
    expect(
      (JSON.parse(hist.stdout) as { revision: number; value: string }[]).map((e) => [e.revision, e.value]),
    ).toEqual([
      [1, "1"],
      [2, "2"],
    ]);
    expect((await run("kv", "ls", "--names")).stdout).toBe("CFG\n");
    expect((await run("kv", "ls", "CFG")).stdout).toBe("a\n");
    const watch = await run("kv", "watch", "CFG", "a", "--count", "1");
    expect(watch.stdout).toMatch(/\] PUT CFG > a: 2\n$/);
    expect((await run("kv", "del", "CFG", "a", "-f")).code).toBe(0);
    const gone = await run("kv", "get", "CFG", "a");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("natsgate: error: key not found\n");
    expect((await run("kv", "rm", "CFG", "-f")).code).toBe(0);
    await expect(jsm.streams.info("KV_CFG")).rejects.toThrow(/stream not found/);
  });

  it("server info and server check", async () => {
    const info = await run("server", "info", "--json");
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ jetstream: true, headers: true });
    const conn = await run("server", "check", "connection");
    expect(conn.code).toBe(0);
    expect(conn.stdout).toMatch(/^Connection OK OK:connected to 127\.0\.0\.1:\d+ in [\d.]+ms/);
    const js = await run("server", "check", "stream", "--stream", "com_msg");
    expect(js.stdout).toMatch(/^Stream com_msg OK OK:2 messages/);
  });

  it("errors are one line with the JetStream description and code, exit 1", async () => {
    const unknown = await run("stream", "info", "nope");
    expect(unknown).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "natsgate: error: could not load Stream: stream not found (10059)\n",
    });
    const cunknown = await run("consumer", "info", "com_msg", "nope");
    expect(cunknown.code).toBe(1);
    expect(cunknown.stderr).toBe(
      "natsgate: error: could not load Consumer com_msg > nope: consumer not found (10014)\n",
    );
    const dup = await run("stream", "add", "com_msg", "--subjects", "other", "--defaults");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe(
      "natsgate: error: could not create Stream: stream name already in use with a different configuration (10058)\n",
    );
  });
});

describe("natsgate management command errors without a server", () => {
  const unreachable = "nats://127.0.0.1:1";
  it("rejects --retention foo and --max-age 1x with one line and exit 1", async () => {
    const r1 = await cli(unreachable, ["stream", "add", "X", "--subjects", "x", "--retention", "foo"]);
    expect(r1).toMatchObject({
      code: 1,
      stderr:
        "natsgate: error: invalid value for --retention: enum value must be one of limits,interest,workq,work, got 'foo'\n",
    });
    const r2 = await cli(unreachable, ["stream", "add", "X", "--subjects", "x", "--max-age", "1x"]);
    expect(r2).toMatchObject({
      code: 1,
      stderr: 'natsgate: error: invalid maximum age limit format: time: unknown unit "x" in duration "1x"\n',
    });
  });

  it("reports an unreachable server in one line, also with -s before the subcommand", async () => {
    const r = await cli("nats://127.0.0.1:4222", ["-s", unreachable, "stream", "ls"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(
      /^natsgate: error: could not connect to nats:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it("rejects an unknown flag as a one-line usage error", async () => {
    const r = await cli(unreachable, ["stream", "add", "X", "--bogus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("natsgate: error: unknown option '--bogus'\n");
  });
});

// Differential tests of the consumer API and pull protocol: each scenario runs against nats-server
// (from PATH, with -js) and natsgate, and the normalized transcripts (API replies, status messages,
// ack subjects) must be equal. Times and generated names are masked; everything else is compared.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type Msg, type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { createServer } from "../../src/index.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";

interface Ctx {
  nc: NatsConnection;
  /** A request whose (normalized) reply joins the transcript. */
  req(subject: string, body?: unknown): Promise<void>;
  /** A request whose reply is not part of the transcript (setup). */
  setup(subject: string, body?: unknown): Promise<void>;
  /** Publishes and waits for the PubAck. */
  pub(subject: string, data: string): Promise<void>;
  /** Sends a pull request and records what arrives until `count` messages came (statuses included). */
  pull(stream: string, consumer: string, body: unknown, count: number): Promise<Msg[]>;
  /** Subscribes to `subject`, runs `trigger`, and records what arrives until `count` messages came. */
  collect(subject: string, count: number, trigger: () => Promise<void>): Promise<Msg[]>;
  log(line: string): void;
}

type Scenario = (c: Ctx) => Promise<void>;

const TS = /"(created|last_active|timestamp|first_ts|last_ts)":"[^"]*"/g;

function normalize(text: string): string {
  return text
    .replace(TS, '"$1":"<ts>"')
    .replace(/"name":"[A-Za-z0-9]{8}","created"/, '"name":"<generated>","created"')
    .replace(/"consumers":\["[A-Za-z0-9]{8}"\]/, '"consumers":["<generated>"]');
}

function describeMsg(m: Msg): string {
  const h = m.headers;
  const hdr = h
    ? ` [${h.code} ${h.description}] ${[...h.keys()].map((k) => `${k}=${h.get(k)}`).join(",")}`
    : "";
  // The ack reply's timestamp token differs between runs; the rest is compared.
  const reply = (m.reply ?? "")
    .replace(/^(\$JS\.ACK\.[^.]+\.[^.]+\.\d+\.\d+\.\d+)\.\d+\./, "$1.<ts>.")
    .replace(/^(\$JS\.FC\.[^.]+\.[^.]+)\.[0-9A-Za-z]{4}$/, "$1.<id>");
  // Advisories are compared field by field (their id and timestamp differ per run); big payloads by size.
  const data = m.subject.startsWith("$JS.EVENT.")
    ? m
        .string()
        .replace(/"(id|timestamp)":"[^"]*"/g, '"$1":"<x>"')
        .replace(/"ack_time":\d+/, '"ack_time":"<x>"')
    : m.data.length > 40
      ? `<${m.data.length} bytes>`
      : m.string();
  return `${m.subject} ${reply}${hdr} ${data}`;
}

async function run(port: number, scenario: Scenario): Promise<string[]> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  const transcript: string[] = [];
  let inbox = 0;
  const ctx: Ctx = {
    nc,
    async req(subject, body) {
      const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
      try {
        const m = await nc.request(subject, payload, { timeout: 2000 });
        transcript.push(`${subject} -> ${normalize(m.string())}`);
      } catch (err) {
        transcript.push(`${subject} -> ${(err as Error).message}`);
      }
    },
    async setup(subject, body) {
      await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 2000 });
    },
    async pub(subject, data) {
      await nc.request(subject, data, { timeout: 2000 });
    },
    async pull(stream, consumer, body, count) {
      const subject = `pull.inbox.${++inbox}`;
      const got: Msg[] = [];
      const sub = nc.subscribe(subject);
      const done = (async () => {
        for await (const m of sub) {
          got.push(m);
          // A 4xx status ends the request on both servers; `count` bounds everything else.
          if (got.length >= count || (m.headers?.code ?? 0) >= 400) break;
        }
      })();
      nc.publish(
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
        typeof body === "string" ? body : JSON.stringify(body),
        {
          reply: subject,
        },
      );
      const timer = setTimeout(() => sub.unsubscribe(), 3000);
      await done;
      clearTimeout(timer);
      for (const m of got) transcript.push(`pull ${describeMsg(m)}`);
      if (got.length < count) transcript.push(`pull: only ${got.length} of ${count}`);
      return got;
    },
    async collect(subject, count, trigger) {
      // The subscription stays until the scenario ends: a push consumer must look bound to both servers
      // (an unsubscribe racing the next request would make push_bound depend on timing).
      const got: Msg[] = [];
      let arrived: () => void = () => {};
      const enough = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      nc.subscribe(subject, {
        callback: (_err, m) => {
          if (got.length >= count) return;
          got.push(m);
          if (got.length >= count) arrived();
        },
      });
      await trigger();
      const timer = setTimeout(arrived, 3000);
      await enough;
      clearTimeout(timer);
      for (const m of got) transcript.push(`recv ${describeMsg(m)}`);
      if (got.length < count) transcript.push(`collect: only ${got.length} of ${count}`);
      return got;
    },
    log(line) {
      transcript.push(line);
    },
  };
  try {
    await scenario(ctx);
  } finally {
    await nc.close();
  }
  return transcript;
}

const STREAM = { name: "S", subjects: ["s.*"], storage: "memory" };
const create = (config: Record<string, unknown>) => ({
  stream_name: "S",
  config: { ...config },
});

const scenarios: Record<string, Scenario> = {
  "create forms and their errors": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
    await c.req("$JS.API.CONSUMER.CREATE.S", create({ ack_policy: "explicit" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.D1", create({ durable_name: "D1", ack_policy: "explicit" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.D1", create({ durable_name: "D1", ack_policy: "explicit" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.D1", create({ durable_name: "D1", ack_policy: "all" }));
    await c.req(
      "$JS.API.CONSUMER.CREATE.S.D1",
      create({ durable_name: "D1", ack_policy: "explicit", ack_wait: 5e9 }),
    );
    await c.req(
      "$JS.API.CONSUMER.DURABLE.CREATE.S.D2",
      create({ durable_name: "D2", deliver_subject: "dd", deliver_group: "q", ack_policy: "explicit" }),
    );
    await c.req(
      "$JS.API.CONSUMER.DURABLE.CREATE.S.D2x",
      create({ durable_name: "D2", ack_policy: "explicit" }),
    );
    await c.req("$JS.API.CONSUMER.DURABLE.CREATE.S.D3", create({ ack_policy: "explicit" }));
    await c.req(
      "$JS.API.CONSUMER.CREATE.S.D3.s.x",
      create({ name: "D3", filter_subject: "s.x", ack_policy: "none" }),
    );
    await c.req("$JS.API.CONSUMER.CREATE.S.D4.s.x", create({ name: "D4", filter_subject: "s.y" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.D5", create({ name: "D5", filter_subject: "t.x" }));
    await c.req("$JS.API.CONSUMER.CREATE.S", create({ durable_name: "X" }));
    await c.req("$JS.API.CONSUMER.CREATE.X.D7", { stream_name: "X", config: { name: "D7" } });
    await c.req("$JS.API.CONSUMER.CREATE.S.D8", { stream_name: "T", config: {} });
    await c.req("$JS.API.CONSUMER.CREATE.S", "{bad");
    await c.req("$JS.API.CONSUMER.CREATE.S", create({ ack_policy: "bogus" }));
    await c.req("$JS.API.CONSUMER.CREATE.S", create({ ack_wait: "1s" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.D9", create({ durable_name: "other" }));
    await c.req("$JS.API.CONSUMER.CREATE.S.a/b", create({}));
    await c.req("$JS.API.CONSUMER.CREATE.S.D10", create({ num_replicas: 3 }));
  },
  "config checks": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
    const bad: Record<string, unknown>[] = [
      { deliver_subject: "a.*" },
      { deliver_subject: "s.x" },
      { deliver_subject: "d", max_waiting: 5 },
      { deliver_subject: "d", max_ack_pending: 5 },
      { deliver_subject: "d", idle_heartbeat: 50e6 },
      { deliver_subject: "d", flow_control: true },
      { ack_policy: "explicit", rate_limit_bps: 100 },
      { ack_policy: "explicit", max_waiting: -1 },
      { ack_policy: "explicit", idle_heartbeat: 1e9 },
      { ack_policy: "explicit", flow_control: true },
      { ack_policy: "explicit", max_batch: -1 },
      { ack_policy: "explicit", max_expires: 10 },
      { ack_policy: "explicit", backoff: [1e9, 2e9], max_deliver: 2 },
      { ack_policy: "explicit", deliver_policy: "by_start_sequence" },
      { ack_policy: "explicit", deliver_policy: "all", opt_start_seq: 4 },
      { ack_policy: "explicit", deliver_policy: "by_start_time", opt_start_seq: 4 },
      { ack_policy: "explicit", deliver_policy: "new", opt_start_time: "2020-01-01T00:00:00Z" },
      { ack_policy: "explicit", deliver_policy: "last_per_subject" },
      { ack_policy: "explicit", sample_freq: "abc" },
      { ack_policy: "explicit", description: "x".repeat(4097) },
      { ack_policy: "explicit", durable_name: "a.b" },
      { ack_policy: "explicit", durable_name: "n", name: "m" },
      { ack_policy: "explicit", deliver_group: "g" },
      { ack_policy: "explicit", backoff: [1e9, 2e9], max_deliver: 5, ack_wait: 7e9 },
      {
        ack_policy: "explicit",
        deliver_policy: "by_start_time",
        opt_start_time: "2020-01-01T01:02:03.500+02:00",
      },
      { ack_policy: "explicit", sample_freq: "50%", max_batch: 10, max_expires: 5e9, max_bytes: 1000 },
    ];
    for (const cfg of bad) await c.req("$JS.API.CONSUMER.CREATE.S", create(cfg));
  },
  "workqueue rules": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.W", {
      name: "W",
      subjects: ["w.>"],
      retention: "workqueue",
      storage: "memory",
    });
    const wq = (subject: string, config: Record<string, unknown>) =>
      c.req(subject, { stream_name: "W", config });
    await wq("$JS.API.CONSUMER.CREATE.W", { ack_policy: "none" });
    await wq("$JS.API.CONSUMER.CREATE.W", { ack_policy: "none", deliver_subject: "d" });
    await wq("$JS.API.CONSUMER.CREATE.W.A", {
      durable_name: "A",
      ack_policy: "explicit",
      filter_subject: "w.a.>",
    });
    await wq("$JS.API.CONSUMER.CREATE.W.B", { durable_name: "B", ack_policy: "explicit" });
    await wq("$JS.API.CONSUMER.CREATE.W.C", {
      durable_name: "C",
      ack_policy: "explicit",
      filter_subject: "w.a.b",
    });
    await wq("$JS.API.CONSUMER.CREATE.W.D", {
      durable_name: "D",
      ack_policy: "explicit",
      filter_subject: "w.b",
      deliver_policy: "last",
    });
    await wq("$JS.API.CONSUMER.CREATE.W.E", {
      durable_name: "E",
      ack_policy: "explicit",
      filter_subject: "w.b",
    });
    await wq("$JS.API.CONSUMER.CREATE.W.A", {
      durable_name: "A",
      ack_policy: "explicit",
      filter_subject: "w.a.>",
    });
  },
  "info, names, list, delete": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
    for (const n of ["b", "a", "c"])
      await c.setup(`$JS.API.CONSUMER.CREATE.S.${n}`, create({ durable_name: n, ack_policy: "explicit" }));
    await c.pub("s.x", "one");
    await c.req("$JS.API.CONSUMER.INFO.S.a");
    await c.req("$JS.API.CONSUMER.INFO.S.zz");
    await c.req("$JS.API.CONSUMER.INFO.T.a");
    await c.req("$JS.API.CONSUMER.INFO.S.a", { x: 1 });
    await c.req("$JS.API.CONSUMER.NAMES.S");
    await c.req("$JS.API.CONSUMER.NAMES.S", { offset: 2 });
    await c.req("$JS.API.CONSUMER.NAMES.S", "{x");
    await c.req("$JS.API.CONSUMER.NAMES.T");
    await c.req("$JS.API.CONSUMER.LIST.S", { offset: 1 });
    await c.req("$JS.API.CONSUMER.DELETE.S.b", { x: 1 });
    await c.req("$JS.API.CONSUMER.DELETE.S.b");
    await c.req("$JS.API.CONSUMER.DELETE.S.b");
    await c.req("$JS.API.CONSUMER.DELETE.T.b");
    await c.req("$JS.API.CONSUMER.LEADER.STEPDOWN.S.a");
    await c.req("$JS.API.CONSUMER.NAMES.S");
  },
  "pull statuses": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
    for (let i = 0; i < 4; i++) await c.pub(i === 3 ? "s.b" : "s.a", `m${i}`);
    await c.setup(
      "$JS.API.CONSUMER.CREATE.S.P",
      create({
        durable_name: "P",
        ack_policy: "explicit",
        max_batch: 20,
        max_expires: 2e9,
        max_bytes: 5000,
      }),
    );
    await c.pull("S", "P", { batch: 2 }, 2);
    await c.pull("S", "P", { batch: 5, no_wait: true }, 3);
    await c.pull("S", "P", { batch: 5, no_wait: true }, 1);
    await c.pull("S", "P", { batch: 5, expires: 200e6 }, 1);
    await c.pull("S", "P", { batch: 5, expires: 600e6, idle_heartbeat: 250e6 }, 3);
    await c.pull("S", "P", { batch: 5, expires: 1e9, idle_heartbeat: 600e6 }, 1);
    await c.pull("S", "P", { batch: 5, expires: "x" }, 1);
    await c.pull("S", "P", { batch: 1.5 }, 1);
    await c.pull("S", "P", "{nope", 1);
    await c.pull("S", "P", '{"batch":true}', 1);
    await c.pull("S", "P", '{"no_wait":1}', 1);
    await c.pull("S", "P", '{"a":"\\x"}', 1);
    await c.pull("S", "P", '{"batch":01}', 1);
    await c.pull("S", "P", { batch: 50 }, 1);
    await c.pull("S", "P", { batch: 5, expires: 3e9 }, 1);
    await c.pull("S", "P", { batch: 5, max_bytes: 6000 }, 1);
    await c.req("$JS.API.CONSUMER.INFO.S.P");
    await c.setup("$JS.API.CONSUMER.CREATE.S.Q", create({ durable_name: "Q", ack_policy: "explicit" }));
    await c.pull("S", "Q", { batch: 3, max_bytes: 60, no_wait: true }, 2);
    await c.setup(
      "$JS.API.CONSUMER.CREATE.S.R",
      create({ durable_name: "R", ack_policy: "none", deliver_subject: "push.r" }),
    );
    await c.pull("S", "R", "", 1);
    await c.req("$JS.API.CONSUMER.INFO.S.Q");
  },
  "acks and counters": async (c) => {
    await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
    for (let i = 0; i < 6; i++) await c.pub("s.a", `m${i}`);
    await c.setup("$JS.API.CONSUMER.CREATE.S.A", create({ durable_name: "A", ack_policy: "explicit" }));
    const msgs = await c.pull("S", "A", { batch: 6 }, 6);
    const ack = async (m: Msg, body: string) => {
      try {
        const r = await c.nc.request(m.reply!, body, { timeout: 1000 });
        c.log(`ack ${body} -> reply ${JSON.stringify(r.string())}`);
      } catch (err) {
        c.log(`ack ${body} -> ${(err as Error).message}`);
      }
    };
    await ack(msgs[1]!, "+ACK");
    await ack(msgs[0]!, "");
    await ack(msgs[2]!, "+WPI");
    await ack(msgs[3]!, "+TERM");
    await ack(msgs[4]!, "-NAK");
    await c.req("$JS.API.CONSUMER.INFO.S.A");
    await c.pull("S", "A", { batch: 1 }, 1);
    await ack(msgs[5]!, '-NAK {"delay": 5000000000}');
    await c.req("$JS.API.CONSUMER.INFO.S.A");
    await c.nc.request("$JS.ACK.S.A.1.99.99.0.0", "+ACK", { timeout: 1000 }).then(
      (r) => c.log(`bogus ack -> ${JSON.stringify(r.string())}`),
      (err) => c.log(`bogus ack -> ${(err as Error).message}`),
    );
    await c.req("$JS.API.CONSUMER.INFO.S.A");
  },
};

scenarios["push: headers_only, heartbeats, flow control"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
  await c.nc.request("s.a", "hello", { timeout: 2000, headers: headersOf({ "X-A": "1" }) });
  await c.pub("s.b", "world!");
  await c.collect("push.ho", 3, () =>
    c.req(
      "$JS.API.CONSUMER.CREATE.S.H",
      create({
        durable_name: "H",
        ack_policy: "none",
        deliver_subject: "push.ho",
        headers_only: true,
        idle_heartbeat: 200e6,
      }),
    ),
  );
  await c.req("$JS.API.CONSUMER.INFO.S.H");
  const big = "x".repeat(60_000);
  // Stored first, so each delivery's pending count does not depend on publish/delivery interleaving.
  for (let i = 0; i < 20; i++) await c.pub("s.big", big);
  const fc = await c.collect("push.fc", 23, async () => {
    await c.req(
      "$JS.API.CONSUMER.CREATE.S.FC",
      create({
        durable_name: "FC",
        ack_policy: "none",
        deliver_subject: "push.fc",
        flow_control: true,
        idle_heartbeat: 5e9,
      }),
    );
  });
  c.log(
    `flow control requests: ${fc.filter((m) => m.headers?.description === "FlowControl Request").length}`,
  );
};

scenarios["purge moves consumers"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
  for (let i = 0; i < 5; i++) await c.pub(i % 2 === 0 ? "s.a" : "s.b", `m${i}`);
  await c.setup("$JS.API.CONSUMER.CREATE.S.A", create({ durable_name: "A", ack_policy: "explicit" }));
  await c.setup(
    "$JS.API.CONSUMER.CREATE.S.B",
    create({ durable_name: "B", ack_policy: "explicit", filter_subject: "s.b" }),
  );
  await c.pull("S", "A", { batch: 3 }, 3);
  await c.pull("S", "B", { batch: 1 }, 1);
  await c.req("$JS.API.STREAM.PURGE.S", { filter: "s.a" });
  await c.req("$JS.API.CONSUMER.INFO.S.A");
  await c.req("$JS.API.CONSUMER.INFO.S.B");
  await c.req("$JS.API.STREAM.PURGE.S");
  await c.req("$JS.API.CONSUMER.INFO.S.A");
  await c.req("$JS.API.CONSUMER.INFO.S.B");
  await c.pub("s.b", "after");
  await c.pull("S", "A", { batch: 2, no_wait: true }, 2);
  await c.pull("S", "B", { batch: 2, no_wait: true }, 2);
  await c.req("$JS.API.CONSUMER.INFO.S.A");
};

scenarios["limits remove pending messages"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.L", { name: "L", subjects: ["l.*"], storage: "memory", max_msgs: 3 });
  for (let i = 0; i < 3; i++) await c.pub("l.a", `m${i}`);
  await c.setup("$JS.API.CONSUMER.CREATE.L.A", {
    stream_name: "L",
    config: { durable_name: "A", ack_policy: "explicit" },
  });
  await c.pull("L", "A", { batch: 2 }, 2);
  const terminated = await c.collect("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.L.A", 2, async () => {
    for (let i = 3; i < 6; i++) await c.pub("l.a", `m${i}`);
  });
  c.log(`terminated: ${terminated.length}`);
  await c.req("$JS.API.CONSUMER.INFO.L.A");
  await c.pull("L", "A", { batch: 5, no_wait: true }, 4);
};

scenarios["advisories: nak, term, max deliveries, ack metric"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
  for (let i = 0; i < 3; i++) await c.pub("s.a", `m${i}`);
  await c.setup(
    "$JS.API.CONSUMER.CREATE.S.A",
    create({
      durable_name: "A",
      ack_policy: "explicit",
      ack_wait: 150e6,
      max_deliver: 2,
      sample_freq: "100%",
    }),
  );
  const msgs = await c.pull("S", "A", { batch: 3 }, 3);
  await c.collect("$JS.EVENT.>", 3, async () => {
    await c.nc.request(msgs[0]!.reply!, "-NAK", { timeout: 1000 });
    await c.nc.request(msgs[1]!.reply!, "+TERM", { timeout: 1000 });
    await c.nc.request(msgs[2]!.reply!, "+ACK", { timeout: 1000 });
  });
  const redo = await c.pull("S", "A", { batch: 1 }, 1);
  await c.collect("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>", 1, async () => {
    c.log(`redelivered dc ${redo[0]?.reply?.split(".")[4]}`);
    await c.pull("S", "A", { batch: 1, expires: 500e6 }, 1);
  });
  await c.req("$JS.API.CONSUMER.INFO.S.A");
};

scenarios["ack all, ack none and retention"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.I", {
    name: "I",
    subjects: ["i.*"],
    storage: "memory",
    retention: "interest",
  });
  await c.setup("$JS.API.CONSUMER.CREATE.I.ALL", {
    stream_name: "I",
    config: { durable_name: "ALL", ack_policy: "all" },
  });
  await c.setup("$JS.API.CONSUMER.CREATE.I.NONE", {
    stream_name: "I",
    config: { durable_name: "NONE", ack_policy: "none", filter_subject: "i.a" },
  });
  for (let i = 0; i < 4; i++) await c.pub(i < 2 ? "i.a" : "i.b", `m${i}`);
  const all = await c.pull("I", "ALL", { batch: 4 }, 4);
  await c.nc.request(all[2]!.reply!, "+ACK", { timeout: 1000 });
  await c.req("$JS.API.CONSUMER.INFO.I.ALL");
  await c.req("$JS.API.STREAM.INFO.I");
  await c.pull("I", "NONE", { batch: 5, no_wait: true }, 3);
  await c.req("$JS.API.CONSUMER.INFO.I.NONE");
  await c.req("$JS.API.STREAM.INFO.I");
  await c.req("$JS.API.CONSUMER.DELETE.I.ALL");
  await c.req("$JS.API.STREAM.INFO.I");
  await c.setup("$JS.API.STREAM.CREATE.W", {
    name: "W",
    subjects: ["w.*"],
    storage: "memory",
    retention: "workqueue",
  });
  for (let i = 0; i < 3; i++) await c.pub("w.a", `w${i}`);
  await c.setup("$JS.API.CONSUMER.CREATE.W.Q", {
    stream_name: "W",
    config: { durable_name: "Q", ack_policy: "explicit" },
  });
  const q = await c.pull("W", "Q", { batch: 3 }, 3);
  await c.nc.request(q[1]!.reply!, "+ACK", { timeout: 1000 });
  await c.req("$JS.API.STREAM.INFO.W");
  await c.req("$JS.API.CONSUMER.INFO.W.Q");
};

scenarios["deliver policies and num_pending"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
  for (const s of ["a", "b", "a", "c", "b", "a"]) await c.pub(`s.${s}`, s);
  const configs: Record<string, unknown>[] = [
    { deliver_policy: "all" },
    { deliver_policy: "last" },
    { deliver_policy: "last", filter_subject: "s.c" },
    { deliver_policy: "new" },
    { deliver_policy: "by_start_sequence", opt_start_seq: 4 },
    { deliver_policy: "by_start_sequence", opt_start_seq: 40 },
    { deliver_policy: "last_per_subject", filter_subject: "s.*" },
    { deliver_policy: "last_per_subject", filter_subject: "s.b" },
    { deliver_policy: "all", filter_subject: "s.a", headers_only: true },
  ];
  let i = 0;
  for (const cfg of configs) {
    const name = `C${i++}`;
    await c.req(`$JS.API.CONSUMER.CREATE.S.${name}`, create({ name, ack_policy: "none", ...cfg }));
    await c.pull("S", name, { batch: 10, no_wait: true }, 11);
    await c.req(`$JS.API.CONSUMER.INFO.S.${name}`);
  }
};

scenarios["updates, push max_ack_pending, inactive ephemerals"] = async (c) => {
  await c.setup("$JS.API.STREAM.CREATE.S", STREAM);
  for (let i = 0; i < 4; i++) await c.pub("s.a", `m${i}`);
  await c.req(
    "$JS.API.CONSUMER.CREATE.S.U",
    create({ durable_name: "U", ack_policy: "explicit", max_ack_pending: 2, deliver_subject: "push.u" }),
  );
  await c.req(
    "$JS.API.CONSUMER.CREATE.S.U",
    create({
      durable_name: "U",
      ack_policy: "explicit",
      max_ack_pending: 3,
      deliver_subject: "push.u",
      description: "d",
      sample_freq: "10",
    }),
  );
  await c.req(
    "$JS.API.CONSUMER.CREATE.S.U",
    create({ durable_name: "U", ack_policy: "explicit", deliver_subject: "push.u", idle_heartbeat: 1e9 }),
  );
  await c.req(
    "$JS.API.CONSUMER.CREATE.S.U",
    create({
      durable_name: "U",
      ack_policy: "explicit",
      deliver_subject: "push.u",
      flow_control: true,
      idle_heartbeat: 1e9,
    }),
  );
  const got = await c.collect("push.u", 3, async () => {});
  await c.req("$JS.API.CONSUMER.INFO.S.U");
  await c.collect("push.u", 1, async () => {
    await c.nc.request(got[0]!.reply!, "+ACK", { timeout: 1000 });
  });
  await c.req(
    "$JS.API.CONSUMER.CREATE.S.E",
    create({ name: "E", ack_policy: "explicit", inactive_threshold: 300e6 }),
  );
  await c.req("$JS.API.CONSUMER.INFO.S.E");
  await new Promise((r) => setTimeout(r, 1700));
  await c.req("$JS.API.CONSUMER.INFO.S.E");
};

function headersOf(values: Record<string, string>) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}

const available = natsServerAvailable();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!available)("consumer API and pull protocol match nats-server", () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const refDir = mkdtempSync(join(tmpdir(), "consumer-compat-ref-"));
      const ourDir = mkdtempSync(join(tmpdir(), "consumer-compat-"));
      dirs.push(refDir, ourDir);
      const ref = await startNatsServer(["-js", "-sd", refDir]);
      let expected: string[];
      try {
        expected = await run(ref.port, scenario);
      } finally {
        await ref.stop();
      }
      const server = await createServer({ port: 0, jetstream: { storeDir: ourDir } });
      let actual: string[];
      try {
        actual = await run(server.port, scenario);
      } finally {
        await server.close();
      }
      if (process.env.CONSUMER_COMPAT_PRINT) console.log(expected.join("\n"));
      // A scenario that broke before doing its work would compare two short, equal transcripts.
      expect(expected.length).toBeGreaterThan(5);
      expect(actual).toEqual(expected);
    }, 30_000);
  }
});

// Differential test of the stream API and publishing: the same scripted requests go to nats-server
// 2.9.10 (`-js` with a temp store dir) and to natsgate, and every reply is compared byte for byte after
// blanking what differs by nature (times). Covers success and error paths, quirks included.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { createServer } from "../../src/index.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";

interface Step {
  subject: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Publish without a reply subject, then flush. */
  noReply?: boolean;
}

const req = (subject: string, body?: unknown, headers?: Record<string, string>): Step => ({
  subject,
  body,
  headers,
});

/** Server limits for a script: nats-server's jetstream block keys and natsgate's options. */
interface Limits {
  conf: string;
  natsgate: { maxMemory?: number; maxFile?: number };
}

/** Scripts run in order on one fresh server each; names become test names. */
const SCRIPTS: Record<string, Step[]> = {
  "create, duplicate create, overlap and config errors": [
    req("$JS.API.INFO"),
    req("$JS.API.STREAM.CREATE.S1", { name: "S1", subjects: ["a.>"] }),
    req("$JS.API.STREAM.CREATE.S1", { name: "S1", subjects: ["a.>"] }),
    req("$JS.API.STREAM.CREATE.S1", { name: "S1", subjects: ["a.b"] }),
    req("$JS.API.STREAM.CREATE.S2", { name: "S2", subjects: ["a.b"], storage: "memory" }),
    req("$JS.API.STREAM.CREATE.S3", "{bad"),
    req("$JS.API.STREAM.CREATE.S3", ""),
    req("$JS.API.STREAM.CREATE.S.3", { name: "S.3" }),
    req("$JS.API.STREAM.CREATE.S3", { name: "S3", num_replicas: 3 }),
    req("$JS.API.STREAM.CREATE.S3", { name: "S3", num_replicas: -1 }),
    req("$JS.API.STREAM.CREATE.S3", { name: "S3", max_msgs: -5, max_bytes: -7 }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["w"], deny_purge: true, allow_rollup_hdrs: true }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["w"], discard_new_per_subject: true }),
    req("$JS.API.STREAM.CREATE.W", {
      name: "W",
      subjects: ["w"],
      discard: "new",
      discard_new_per_subject: true,
    }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["w", "w"] }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["w.*", "w.a"] }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["$JS.API.x"] }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", subjects: ["a..b"] }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", max_age: 1000 }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", max_age: -1 }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", duplicate_window: 50_000_000 }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", max_age: 1_000_000_000, duplicate_window: 2_000_000_000 }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", sealed: true }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", storage: "bogus" }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", retention: "bogus" }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", max_msgs: "x" }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", max_msgs: 1.5 }),
    req("$JS.API.STREAM.CREATE.W", [1]),
    req("$JS.API.STREAM.CREATE.W", null),
    req("$JS.API.STREAM.CREATE.W", { name: "" }),
    req("$JS.API.STREAM.CREATE.W", { name: "X" }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", mirror_direct: true }),
    req("$JS.API.STREAM.CREATE.W", { name: "W", template_owner: "tpl" }),
    req("$JS.API.STREAM.CREATE.W", {
      name: "W",
      subjects: ["w.>"],
      retention: "workqueue",
      max_age: 10_000_000_000,
      description: "d",
      placement: { cluster: "x" },
      no_ack: true,
      allow_direct: true,
      deny_delete: true,
    }),
    req("$JS.API.STREAM.NAMES"),
    req("$JS.API.STREAM.LIST"),
    req("$JS.API.FOO"),
    req("$JS.API.INFO"),
  ],
  "publish, dedupe, expectations, limits and errors": [
    req("$JS.API.STREAM.CREATE.P", {
      name: "P",
      subjects: ["p.*"],
      max_msg_size: 64,
      allow_rollup_hdrs: true,
    }),
    req("p.a", "one"),
    req("p.a", "two", { "Nats-Msg-Id": "id1" }),
    req("p.b", "dup", { "Nats-Msg-Id": "id1" }),
    req("p.a", "x", { "Nats-Expected-Stream": "Q" }),
    req("p.a", "x", { "Nats-Expected-Last-Sequence": "1" }),
    req("p.a", "x", { "Nats-Expected-Last-Sequence": "bogus" }),
    req("p.a", "x", { "Nats-Expected-Last-Subject-Sequence": "1" }),
    req("p.c", "x", { "Nats-Expected-Last-Subject-Sequence": "0" }),
    req("p.a", "x", { "Nats-Expected-Last-Msg-Id": "nope" }),
    req("p.a", "x", { "Nats-Expected-Last-Msg-Id": "id1" }),
    req("p.a", "y".repeat(65)),
    req("p.a", "z", { "Nats-Rollup": "bogus" }),
    req("p.a", "z", { "Nats-Rollup": "sub" }),
    req("p.d", "z", { "Nats-Rollup": "ALL" }),
    req("$JS.API.STREAM.INFO.P", { deleted_details: true, subjects_filter: ">" }),
    req("$JS.API.STREAM.CREATE.NEW", { name: "NEW", subjects: ["new"], max_msgs: 1, discard: "new" }),
    req("new", "1"),
    req("new", "2"),
    req("$JS.API.STREAM.CREATE.NP", {
      name: "NP",
      subjects: ["np.*"],
      discard: "new",
      max_msgs_per_subject: 1,
      discard_new_per_subject: true,
    }),
    req("np.a", "1"),
    req("np.a", "2"),
    req("np.b", "1"),
    req("$JS.API.STREAM.CREATE.I", { name: "I", retention: "interest" }),
    req("I", "a"),
    req("I", "b"),
    req("$JS.API.STREAM.INFO.I"),
    req("$JS.API.STREAM.CREATE.NA", { name: "NA", subjects: ["na"], no_ack: true }),
    req("na", "x"),
    req("nothing.here", "x"),
    // No $JS.API.INFO here: nats-server 2.9.10 does not take the bytes a subject rollup purged off the
    // account's storage usage (its usage drifts above the streams' bytes); natsgate reports the real sum.
  ],
  "memory stream: limits, gets, direct get, purge, delete, seal": [
    req("$JS.API.STREAM.CREATE.M", {
      name: "M",
      subjects: ["m.*"],
      storage: "memory",
      max_msgs: 5,
      allow_direct: true,
      allow_rollup_hdrs: true,
      description: "mem",
    }),
    req("m.a", "1"),
    req("m.b", "2"),
    req("m.a", "3", { X: "y" }),
    req("m.c", ""),
    req("m.a", "5"),
    req("m.a", "6"),
    req("$JS.API.INFO"),
    req("$JS.API.STREAM.MSG.GET.M", { seq: 3 }),
    req("$JS.API.STREAM.MSG.GET.M", { seq: 1 }),
    req("$JS.API.STREAM.MSG.GET.M", { last_by_subj: "m.a" }),
    req("$JS.API.STREAM.MSG.GET.M", { next_by_subj: "m.*", seq: 3 }),
    req("$JS.API.STREAM.MSG.GET.M", { last_by_subj: "m.c" }),
    req("$JS.API.STREAM.MSG.GET.M", { seq: 1, last_by_subj: "m.a" }),
    req("$JS.API.STREAM.MSG.GET.M", {}),
    req("$JS.API.STREAM.MSG.GET.M", ""),
    req("$JS.API.STREAM.MSG.GET.M", "{x"),
    req("$JS.API.STREAM.MSG.GET.NOPE", { seq: 1 }),
    req("$JS.API.DIRECT.GET.M", { seq: 3 }),
    req("$JS.API.DIRECT.GET.M", { seq: 99 }),
    req("$JS.API.DIRECT.GET.M", ""),
    req("$JS.API.DIRECT.GET.M", "{x"),
    req("$JS.API.DIRECT.GET.M", { seq: 2, last_by_subj: "m.a" }),
    req("$JS.API.DIRECT.GET.M", { next_by_subj: "m.a", seq: 4 }),
    req("$JS.API.DIRECT.GET.M.m.a"),
    req("$JS.API.DIRECT.GET.M.m.zz"),
    req("$JS.API.DIRECT.GET.M.m.a", "body"),
    req("$JS.API.DIRECT.GET.NOPE", { seq: 1 }),
    req("$JS.API.STREAM.MSG.DELETE.M", { seq: 4 }),
    req("$JS.API.STREAM.MSG.DELETE.M", { seq: 4 }),
    req("$JS.API.STREAM.MSG.DELETE.M", { seq: 40 }),
    req("$JS.API.STREAM.MSG.DELETE.M", ""),
    req("$JS.API.STREAM.INFO.M", { deleted_details: true, subjects_filter: "m.*" }),
    req("$JS.API.STREAM.INFO.M", { subjects_filter: "zz" }),
    req("$JS.API.STREAM.INFO.M", "[1]"),
    req("$JS.API.STREAM.PURGE.M", { filter: "m.a", keep: 1 }),
    req("$JS.API.STREAM.PURGE.M", { seq: 3, keep: 1 }),
    req("$JS.API.STREAM.INFO.M", { deleted_details: true }),
    req("$JS.API.STREAM.UPDATE.M", { name: "M", subjects: ["m.*"], storage: "file" }),
    req("$JS.API.STREAM.UPDATE.M", { name: "M", subjects: ["m.*"], storage: "memory", max_consumers: 3 }),
    req("$JS.API.STREAM.UPDATE.M", {
      name: "M",
      subjects: ["m.*"],
      storage: "memory",
      retention: "interest",
    }),
    req("$JS.API.STREAM.UPDATE.M", { name: "N", storage: "memory" }),
    req("$JS.API.STREAM.UPDATE.NOPE", { name: "NOPE" }),
    req("$JS.API.STREAM.UPDATE.M", { name: "M", subjects: ["n.*"], storage: "memory", sealed: true }),
    req("m.a", "after"),
    req("n.a", "sealed"),
    req("$JS.API.STREAM.PURGE.M"),
    req("$JS.API.STREAM.MSG.DELETE.M", { seq: 5 }),
    req("$JS.API.STREAM.UPDATE.M", { name: "M", subjects: ["n.*"], storage: "memory" }),
    req("$JS.API.STREAM.DELETE.M", { x: 1 }),
    req("$JS.API.STREAM.DELETE.M"),
    req("$JS.API.STREAM.DELETE.M"),
    req("$JS.API.STREAM.LEADER.STEPDOWN.M"),
    req("$JS.API.INFO"),
  ],
  "file stream: deletes, purges, paging and deny flags": [
    req("$JS.API.STREAM.CREATE.F", { name: "F", subjects: ["f.>"] }),
    req("f.1", "payload", { Foo: "bar", "Nats-Msg-Id": "x1" }),
    req("f.2", "p2"),
    req("f.3", "p3"),
    req("$JS.API.STREAM.MSG.GET.F", { seq: 1 }),
    req("$JS.API.STREAM.MSG.DELETE.F", { seq: 2, no_erase: true }),
    req("$JS.API.STREAM.MSG.DELETE.F", { seq: 2 }),
    req("$JS.API.STREAM.MSG.DELETE.F", { seq: 7 }),
    req("$JS.API.STREAM.MSG.DELETE.F", { seq: 0 }),
    req("$JS.API.STREAM.INFO.F", { deleted_details: true }),
    req("$JS.API.STREAM.PURGE.F", { seq: 2, keep: 1 }),
    req("$JS.API.STREAM.PURGE.F", { seq: 2 }),
    req("$JS.API.STREAM.PURGE.F", { filter: "f.*", keep: 5 }),
    req("$JS.API.STREAM.PURGE.F", "{x"),
    req("$JS.API.STREAM.PURGE.NOPE"),
    req("$JS.API.STREAM.UPDATE.F", { name: "F", subjects: ["g.>"], allow_direct: true, max_msgs: 1 }),
    req("f.5", "p5"),
    req("g.5", "p5"),
    req("$JS.API.STREAM.CREATE.DD", { name: "DD", subjects: ["dd"], deny_delete: true, deny_purge: true }),
    req("dd", "1"),
    req("$JS.API.STREAM.MSG.DELETE.DD", { seq: 1 }),
    req("$JS.API.STREAM.PURGE.DD"),
    req("$JS.API.STREAM.UPDATE.DD", { name: "DD", subjects: ["dd"] }),
    req("$JS.API.STREAM.CREATE.B", { name: "B", subjects: ["b"], discard: "new", max_bytes: 100 }),
    req("b", "1".repeat(30)),
    req("b", "2".repeat(30)),
    req("b", "3".repeat(90)),
    req("$JS.API.STREAM.CREATE.Z", { name: "Z", subjects: ["z"], max_msgs_per_subject: 2 }),
    req("$JS.API.STREAM.NAMES", { subject: "b" }),
    req("$JS.API.STREAM.NAMES", { offset: 2 }),
    req("$JS.API.STREAM.NAMES", { offset: 10 }),
    req("$JS.API.STREAM.NAMES", { subject: "nomatch" }),
    req("$JS.API.STREAM.NAMES", "[1]"),
    req("$JS.API.STREAM.LIST", { subject: "b" }),
    req("$JS.API.STREAM.LIST", { offset: 3 }),
    req("$JS.API.STREAM.LIST", "[1]"),
    req("$JS.API.INFO"),
  ],
  "server max_mem: reservations and insufficient resources": [
    req("$JS.API.STREAM.CREATE.BIG", { name: "BIG", subjects: ["big"], storage: "memory", max_bytes: 5000 }),
    req("$JS.API.STREAM.CREATE.M", { name: "M", subjects: ["m"], storage: "memory" }),
    ...Array.from({ length: 11 }, () => req("m", "x".repeat(100))),
    req("$JS.API.INFO"),
  ],
  "requests without a reply subject": [
    { subject: "$JS.API.STREAM.CREATE.NR", body: { name: "NR" }, noReply: true },
    { subject: "NR", body: "stored", noReply: true },
    req("$JS.API.STREAM.INFO.NR"),
    req("$JS.API.INFO"),
  ],
};

const LIMITS: Record<string, Limits> = {
  "server max_mem: reservations and insufficient resources": {
    conf: "max_mem: 1000",
    natsgate: { maxMemory: 1000 },
  },
};

const TIME_FIELDS = /"(created|first_ts|last_ts|time|timestamp)":"[^"]*"/g;

/** One reply as text with times blanked; timeouts and no-responders as markers. */
async function run(nc: NatsConnection, step: Step): Promise<string> {
  const body =
    step.body === undefined ? "" : typeof step.body === "string" ? step.body : JSON.stringify(step.body);
  let h: ReturnType<typeof natsHeaders> | undefined;
  if (step.headers !== undefined) {
    h = natsHeaders();
    for (const [k, v] of Object.entries(step.headers)) h.set(k, v);
  }
  if (step.noReply) {
    nc.publish(step.subject, body, { headers: h });
    await nc.flush();
    return "PUBLISHED";
  }
  try {
    const m = await nc.request(step.subject, body, { timeout: 250, headers: h });
    const hdr = m.headers
      ? `${m.headers.toString().replace(/Nats-Time-Stamp: [^\r]*/, "Nats-Time-Stamp: T")}|`
      : "";
    return `${hdr}${new TextDecoder().decode(m.data).replace(TIME_FIELDS, '"$1":"T"')}`;
  } catch (err) {
    const text = String(err);
    if (/no responders/i.test(text)) return "NO_RESPONDERS";
    if (/timeout/i.test(text)) return "TIMEOUT";
    throw err;
  }
}

async function runScript(port: number, steps: Step[]): Promise<string[]> {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  try {
    const out: string[] = [];
    for (const step of steps) out.push(await run(nc, step));
    return out;
  } finally {
    await nc.close();
  }
}

async function onNatsServer(steps: Step[], limits?: Limits): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "compat-ns-js-"));
  const config = `jetstream { store_dir: "${dir}", ${limits?.conf ?? ""} }\n`;
  const ns = await startNatsServer([], { config });
  try {
    return await runScript(ns.port, steps);
  } finally {
    await ns.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onNatsgate(steps: Step[], limits?: Limits): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "compat-ng-js-"));
  const server = await createServer({ port: 0, jetstream: { storeDir: dir, ...limits?.natsgate } });
  try {
    return await runScript(server.port, steps);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const available = natsServerAvailable();
if (!available)
  console.warn("test/compat/jetstream-stream: nats-server not on PATH, differential tests skipped");

describe.skipIf(!available)("stream API: natsgate answers as nats-server 2.9.10", () => {
  for (const [name, steps] of Object.entries(SCRIPTS)) {
    it(name, async () => {
      const [reference, ours] = await Promise.all([
        onNatsServer(steps, LIMITS[name]),
        onNatsgate(steps, LIMITS[name]),
      ]);
      const label = (i: number) => `${steps[i].subject} ${JSON.stringify(steps[i].body ?? "")}`;
      const differences = reference
        .map((r, i) =>
          r === ours[i] ? null : `#${i} ${label(i)}\n  nats-server: ${r}\n  natsgate:    ${ours[i]}`,
        )
        .filter((d) => d !== null);
      expect(differences).toEqual([]);
      // The script must exercise real answers, not only silences.
      expect(reference.filter((r) => r.startsWith("{")).length).toBeGreaterThan(steps.length / 3);
    }, 30_000);
  }
});

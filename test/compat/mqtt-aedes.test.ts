// Differential MQTT 3.1.1 tests: the same MQTT.js scenarios against aedes (in process), mosquitto (when
// installed) and natsgate; what the clients see must agree, except for the deviations listed below.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Aedes } from "aedes";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "../../src/index.js";
import { closeAll, collect } from "../helpers/mqtt.js";
import { waitUntil, within } from "../helpers/server.js";

/** One running broker under test. */
interface Broker {
  name: string;
  port: number;
  close(): Promise<void>;
}

interface Seen {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** What the clients of one scenario saw, JSON-comparable. */
type Observation = Record<string, unknown>;

/**
 * Where natsgate deliberately differs from a reference broker: the spec clause that allows it, and how
 * the reference's observation turns into ours. Everything not listed here must agree exactly.
 */
interface Deviation {
  clause: string;
  why: string;
  expected(reference: Observation): Observation;
}

/** QoS of messages at a subscription granted `granted`: never above it [MQTT-3.8.4-6]. */
const capQos = (seen: Seen[], granted: number): Seen[] =>
  seen.map((m) => ({ ...m, qos: Math.min(m.qos, granted) }));

/** natsgate keeps one NATS subscription per MQTT filter, as nats-server does: a copy for each. */
const ONE_COPY_PER_SUBSCRIPTION: Deviation = {
  clause: "MQTT-3.3.5-1",
  why:
    "a message matching several filters of one client must go at least once at the highest granted QoS; " +
    "the server MAY send one copy per matching subscription at that subscription's QoS (nats-server does)",
  expected: () => ({
    seen: [
      { topic: "o/b", payload: "both", qos: 0, retain: false },
      { topic: "o/b", payload: "both", qos: 1, retain: false },
      { topic: "o/b", payload: "both", qos: 2, retain: false },
      { topic: "o/c", payload: "two", qos: 1, retain: false },
      { topic: "o/c", payload: "two", qos: 2, retain: false },
    ],
  }),
};

const DEVIATIONS: Record<string, Partial<Record<"aedes" | "mosquitto", Deviation>>> = {
  "connect: session present for clean and persistent sessions": {
    aedes: {
      clause: "MQTT-3.2.2-2",
      why: "aedes answers session present 0 for a stored session without subscriptions; mosquitto and natsgate 1",
      expected: (ref) => ({ present: (ref.present as boolean[]).map((p, i) => (i === 2 ? true : p)) }),
    },
  },
  "retained: set, replace, clear, flags for new and established subscriptions": {
    aedes: {
      clause: "MQTT-3.8.4-6",
      why: "aedes sends retained messages at their stored QoS above the granted QoS; mosquitto and natsgate cap it",
      expected: (ref) => ({ ...ref, again: capQos(ref.again as Seen[], 1), s2: capQos(ref.s2 as Seen[], 0) }),
    },
  },
  "persistent session: queued QoS 1/2 messages after a reconnect": {
    aedes: {
      clause: "MQTT-3.8.4-6",
      why: "aedes queues a QoS 2 publish for an offline QoS 1 subscription at QoS 2; mosquitto and natsgate at 1",
      expected: (ref) => ({
        ...ref,
        queued: byQos(
          (ref.queued as Seen[]).map((m) => (m.topic === "pq1/x" ? { ...m, qos: Math.min(m.qos, 1) } : m)),
        ),
      }),
    },
  },
  "overlapping subscriptions: one client, several matching filters": {
    aedes: ONE_COPY_PER_SUBSCRIPTION,
    mosquitto: ONE_COPY_PER_SUBSCRIPTION,
  },
};

const cleanups: (() => Promise<void>)[] = [];
const clients: MqttClient[] = [];

afterEach(async () => {
  await closeAll(clients);
  for (const c of cleanups.splice(0).reverse()) await c();
});

// ---- brokers ----

async function startAedes(): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const srv = netServer((socket) => aedes.handle(socket));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const address = srv.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    name: "aedes",
    port,
    close: async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

async function startNatsgate(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "natsgate-mqtt-diff-"));
  const server = await createServer({ port: 0, jetstream: { storeDir: dir }, mqtt: { port: 0 } });
  return {
    name: "natsgate",
    port: server.mqttPort,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mosquitto from PATH or Debian's sbin directories; null when absent. */
function findMosquitto(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const d of dirs) {
    const p = join(d, "mosquitto");
    if (d !== "" && existsSync(p)) return p;
  }
  return null;
}

const MOSQUITTO = findMosquitto();

async function freePort(): Promise<number> {
  const srv = netServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const address = srv.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startMosquitto(bin: string): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "mosquitto-diff-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type all\n`,
  );
  const proc: ChildProcess = spawn(bin, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  await within(
    new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        log += d.toString();
        if (log.includes("running")) resolve();
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", onData);
      proc.once("exit", (code) => reject(new Error(`mosquitto exited with ${code}: ${log}`)));
    }),
    "mosquitto start",
  );
  return {
    name: "mosquitto",
    port,
    close: async () => {
      const gone = new Promise<void>((r) => proc.once("exit", () => r()));
      proc.kill("SIGTERM");
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- what a scenario can do ----

/** A scenario's view of one broker: named clients whose received messages are logged. */
class Run {
  readonly logs = new Map<string, Seen[]>();
  private readonly byId = new Map<string, MqttClient>();
  private syncSeq = 0;

  constructor(readonly port: number) {}

  /** Connects a client that logs what it receives (except `sync/` markers); returns CONNACK's session present. */
  async connect(id: string, opts: IClientOptions = {}): Promise<{ client: MqttClient; present: boolean }> {
    const client = mqtt.connect(`mqtt://127.0.0.1:${this.port}`, {
      protocolVersion: 4,
      clientId: id,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...opts,
    });
    clients.push(client);
    // Messages right behind CONNACK (a resumed session) arrive before "connect" is seen: collect from the start.
    collect(client);
    const connack = await within(
      new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
        client.once("connect", (p) => resolve(p));
        client.once("error", reject);
      }),
      `CONNACK for ${id}`,
    );
    const present = connack.sessionPresent;
    const log = this.logs.get(id) ?? [];
    this.logs.set(id, log);
    // The collector holds messages that came right behind CONNACK: take them, then follow new ones.
    const collector = collect(client);
    const take = (m: { topic: string; payload: Buffer; packet: { qos: number; retain: boolean } }) => {
      if (m.topic.startsWith("sync/")) return;
      log.push({ topic: m.topic, payload: m.payload.toString(), qos: m.packet.qos, retain: m.packet.retain });
    };
    for (const m of collector.messages) take(m);
    client.on("message", (topic, payload, packet) => take({ topic, payload, packet }));
    this.byId.set(id, client);
    return { client, present };
  }

  client(id: string): MqttClient {
    const c = this.byId.get(id);
    if (c === undefined) throw new Error(`no client ${id}`);
    return c;
  }

  /** Subscribes and returns the granted QoS list (128 = failure). */
  async subscribe(id: string, filters: Record<string, number>): Promise<number[]> {
    const granted = await this.client(id).subscribeAsync(
      Object.fromEntries(Object.entries(filters).map(([f, qos]) => [f, { qos: qos as 0 | 1 | 2 }])),
    );
    return granted.map((g) => g.qos);
  }

  async publish(id: string, topic: string, payload: string, qos: 0 | 1 | 2, retain = false): Promise<void> {
    await this.client(id).publishAsync(topic, payload, { qos, retain });
  }

  /**
   * Waits until everything `from` published before is delivered to `to`: a QoS 2 marker on `sync/<to>`
   * comes after them (a QoS 2 message reaches the MQTT.js application at PUBREL, after earlier ones).
   */
  async sync(from: string, ...to: string[]): Promise<void> {
    for (const id of to) {
      const client = this.client(id);
      const topic = `sync/${id}/${this.syncSeq++}`;
      await client.subscribeAsync(topic, { qos: 2 });
      const got = new Promise<void>((resolve) => {
        const on = (t: string) => {
          if (t !== topic) return;
          client.off("message", on);
          resolve();
        };
        client.on("message", on);
      });
      await this.publish(from, topic, "sync", 2);
      await within(got, `sync marker for ${id}`);
      await client.unsubscribeAsync(topic);
    }
  }

  async end(id: string): Promise<void> {
    await this.client(id).endAsync();
  }

  /** Closes the socket without DISCONNECT (the will goes out). */
  abort(id: string): void {
    this.client(id).stream.destroy();
  }

  log(id: string): Seen[] {
    return this.logs.get(id) ?? [];
  }

  async waitFor(id: string, topic: string): Promise<void> {
    await waitUntil(() => this.log(id).some((m) => m.topic === topic), `${topic} at ${id}`);
  }
}

function sorted(seen: Seen[]): Seen[] {
  return [...seen].sort((a, b) => (a.topic + a.payload).localeCompare(b.topic + b.payload) || a.qos - b.qos);
}
/**
 * Order is defined per topic and QoS [MQTT-4.6.0-6] (and MQTT.js hands QoS 2 over at PUBREL): a stable
 * sort by QoS then topic keeps exactly the defined order.
 */
function byQos(seen: Seen[]): Seen[] {
  return [...seen].sort((a, b) => a.qos - b.qos || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

// ---- scenarios ----

type Scenario = (run: Run) => Promise<Observation>;

const SCENARIOS: Record<string, Scenario> = {
  async "connect: session present for clean and persistent sessions"(run) {
    const present: boolean[] = [];
    for (const clean of [true, false, false, true, false]) {
      const { present: p } = await run.connect("c1", { clean });
      present.push(p);
      await run.end("c1");
    }
    return { present };
  },

  async "subscribe: granted QoS and delivery at min(publish, subscription) QoS"(run) {
    await run.connect("sub");
    await run.connect("pub");
    const granted = await run.subscribe("sub", { "q/0": 0, "q/1": 1, "q/2": 2 });
    for (const topic of ["q/0", "q/1", "q/2"])
      for (const qos of [0, 1, 2] as const) await run.publish("pub", topic, `${topic}@${qos}`, qos);
    await run.sync("pub", "sub");
    return { granted, seen: sorted(run.log("sub")) };
  },

  async "publish: order kept per topic and QoS"(run) {
    await run.connect("sub");
    await run.connect("pub");
    await run.subscribe("sub", { "o/#": 2 });
    for (const qos of [0, 1, 2] as const)
      for (let i = 0; i < 5; i++) await run.publish("pub", `o/${qos}`, `m${i}`, qos);
    await run.sync("pub", "sub");
    return { seen: byQos(run.log("sub")) };
  },

  async "retained: set, replace, clear, flags for new and established subscriptions"(run) {
    await run.connect("pub");
    await run.publish("pub", "r/a", "one", 1, true);
    await run.publish("pub", "r/b", "two", 0, true);
    await run.publish("pub", "r/a", "three", 1, true);
    await run.publish("pub", "r/c", "x", 2, true);
    await run.publish("pub", "r/d", "gone", 1, true);
    await run.publish("pub", "r/d", "", 1, true);
    await run.connect("s1");
    await run.subscribe("s1", { "r/#": 2 });
    await run.sync("pub", "s1");
    const first = sorted(run.log("s1"));
    run.log("s1").length = 0;
    await run.publish("pub", "r/a", "", 1, true);
    await run.publish("pub", "r/live", "l", 1, true);
    await run.sync("pub", "s1");
    const live = sorted(run.log("s1"));
    run.log("s1").length = 0;
    // A repeated SUBSCRIBE sends the retained messages again [MQTT-3.8.4-3].
    await run.subscribe("s1", { "r/#": 1 });
    await run.sync("pub", "s1");
    const again = sorted(run.log("s1"));
    await run.connect("s2");
    await run.subscribe("s2", { "r/+": 0 });
    await run.sync("pub", "s2");
    return { first, live, again, s2: sorted(run.log("s2")) };
  },

  async "will: not on DISCONNECT, published on abrupt close, retained will kept"(run) {
    await run.connect("obs");
    await run.subscribe("obs", { "w/#": 2 });
    await run.connect("w1", { will: { topic: "w/1", payload: Buffer.from("bye1"), qos: 1, retain: false } });
    await run.end("w1");
    await run.connect("w2", { will: { topic: "w/2", payload: Buffer.from("bye2"), qos: 2, retain: false } });
    run.abort("w2");
    await run.waitFor("obs", "w/2");
    await run.connect("w3", { will: { topic: "w/3", payload: Buffer.from("bye3"), qos: 1, retain: true } });
    run.abort("w3");
    await run.waitFor("obs", "w/3");
    await run.connect("late");
    await run.subscribe("late", { "w/#": 2 });
    await run.connect("pub");
    await run.sync("pub", "late");
    return { obs: sorted(run.log("obs")), late: sorted(run.log("late")) };
  },

  async "persistent session: queued QoS 1/2 messages after a reconnect"(run) {
    const { present: first } = await run.connect("dev", { clean: false });
    await run.subscribe("dev", { "pq/#": 2, "pq1/+": 1 });
    await run.end("dev");
    await run.connect("pub");
    for (let i = 0; i < 3; i++) {
      await run.publish("pub", "pq/a", `q0-${i}`, 0);
      await run.publish("pub", "pq/b", `q1-${i}`, 1);
      await run.publish("pub", "pq/c", `q2-${i}`, 2);
      await run.publish("pub", "pq1/x", `down-${i}`, 2);
    }
    const { present: second } = await run.connect("dev", { clean: false });
    await run.sync("pub", "dev");
    const queued = byQos(run.log("dev"));
    await run.end("dev");
    // A clean session throws the stored one away: nothing queued any more.
    await run.publish("pub", "pq/b", "after", 1);
    const { present: third } = await run.connect("dev", { clean: true });
    await run.subscribe("dev", { "pq/#": 1 });
    await run.sync("pub", "dev");
    return { first, second, third, queued, after: run.log("dev").slice(queued.length) };
  },

  async "unsubscribe: no more messages on the filter, others unaffected"(run) {
    await run.connect("sub");
    await run.connect("pub");
    await run.subscribe("sub", { "u/a": 1, "u/b": 1, "u/+/c": 0 });
    const send = async (tag: string) => {
      for (const t of ["u/a", "u/b", "u/x/c"]) await run.publish("pub", t, tag, 1);
      await run.sync("pub", "sub");
    };
    await send("before");
    await run.client("sub").unsubscribeAsync(["u/a", "u/+/c", "never/subscribed"]);
    await send("after");
    return { seen: sorted(run.log("sub")) };
  },

  async "wildcards: + and # matching, $ topics, empty levels"(run) {
    const filters = ["#", "w/#", "w/+", "w/+/c", "+/+", "+", "/+", "+/#", "w/b/#", "w//c", "$x/#", "+/y"];
    const ids = filters.map((_, i) => `f${i}`);
    for (const [i, f] of filters.entries()) {
      await run.connect(ids[i]);
      await run.subscribe(ids[i], { [f]: 0 });
    }
    await run.connect("pub");
    for (const t of ["w", "w/b", "w/b/c", "w/b/c/d", "/w", "/", "w//c", "$x/y", "x", "w/"])
      await run.publish("pub", t, t, 0);
    await run.sync("pub", ...ids);
    return Object.fromEntries(filters.map((f, i) => [f, sorted(run.log(ids[i])).map((m) => m.topic)]));
  },

  async "overlapping subscriptions: one client, several matching filters"(run) {
    await run.connect("sub");
    await run.connect("pub");
    await run.subscribe("sub", { "o/+": 1, "o/#": 2, "o/b": 0 });
    await run.publish("pub", "o/b", "both", 2);
    await run.publish("pub", "o/c", "two", 2);
    await run.sync("pub", "sub");
    return { seen: sorted(run.log("sub")) };
  },
};

// ---- the comparison ----

async function observe(start: () => Promise<Broker>, scenario: Scenario): Promise<Observation> {
  const broker = await start();
  cleanups.push(() => broker.close());
  const result = await scenario(new Run(broker.port));
  await closeAll(clients);
  return result;
}

function expectAgreement(
  scenario: string,
  refName: "aedes" | "mosquitto",
  ref: Observation,
  ours: Observation,
) {
  // Both sides seeing nothing would agree too: each scenario's observation holds real deliveries.
  expect(JSON.stringify(ours)).toMatch(/"topic"|"[a-z$/+#]+":\["|true/);
  const deviation = DEVIATIONS[scenario]?.[refName];
  const expected = deviation === undefined ? ref : deviation.expected(ref);
  expect(ours, `natsgate vs ${refName}${deviation ? ` (${deviation.clause})` : ""}`).toEqual(expected);
}

describe("MQTT 3.1.1: natsgate sees what aedes sees", () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const ref = await observe(startAedes, scenario);
      const ours = await observe(startNatsgate, scenario);
      expectAgreement(name, "aedes", ref, ours);
    }, 30_000);
  }
});

describe.skipIf(MOSQUITTO === null)("MQTT 3.1.1: natsgate sees what mosquitto sees", () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const ref = await observe(() => startMosquitto(MOSQUITTO as string), scenario);
      const ours = await observe(startNatsgate, scenario);
      expectAgreement(name, "mosquitto", ref, ours);
    }, 30_000);
  }
});

// Reports the reason in the run when mosquitto is missing, instead of silently comparing with aedes only.
describe.skipIf(MOSQUITTO !== null)("mosquitto", () => {
  it.skipIf(MOSQUITTO === null)(
    "mosquitto is not installed (Debian package `mosquitto`): only aedes is compared",
    () => {},
  );
});

// Differential check of the monitoring endpoints: the same clients and streams on nats-server 2.9.10
// (`-m -1 -js`) and natsgate, then every endpoint's JSON compared by field names (paths of keys, nested
// objects and array elements included). Values differ by nature (ids, times, ports); names must not.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { wsconnect } from "@nats-io/nats-core";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createServer, type NatsgateServer } from "../../src/index.js";
import {
  type NatsServerProcess,
  natsServerAvailable,
  startNatsServer,
} from "../helpers/nats-server-process.js";

const ENDPOINTS = [
  "/varz",
  "/connz?subs=detail&auth=true",
  "/connz?state=closed&subs=true",
  "/subsz",
  "/subsz?subs=true&test=foo.a",
  "/jsz",
  "/jsz?accounts=true",
  "/jsz?streams=true&consumers=true&config=true",
  "/accountz",
  "/accountz?acc=$G",
  "/accstatz",
  "/healthz",
  "/healthz?js-enabled-only=true",
  "/routez",
  "/leafz",
  "/gatewayz",
];

/**
 * Known, deliberate differences, by endpoint: fields only natsgate has, and fields only nats-server has
 * because natsgate lacks the feature behind them (a system account and its service imports).
 */
const ONLY_NATSGATE: Record<string, string[]> = { "/varz": ["natsgate_version"] };
const ONLY_NATS_SERVER: Record<string, string[]> = {
  "/varz": ["system_account"],
  // A NATS connection releases its subscriptions before it tells the server it closed
  // (protocols/nats/connection.ts closeNow), so the closed ring has none to list yet.
  "/connz?state=closed&subs=true": ["connections[].subscriptions_list"],
  "/accountz": ["system_account"],
  "/accountz?acc=$G": [
    "system_account",
    "account_detail.imports",
    "account_detail.imports[].subject",
    "account_detail.imports[].account",
    "account_detail.imports[].to",
    "account_detail.imports[].type",
    "account_detail.imports[].invalid",
    "account_detail.imports[].share",
    "account_detail.imports[].tracking",
  ],
};

/** Every key path of a JSON value: "a", "a.b", "list[].c". */
function keyPaths(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) keyPaths(v, `${prefix}[]`, out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const p = prefix === "" ? k : `${prefix}.${k}`;
      out.add(p);
      // Maps keyed by data (http_req_stats paths) have no fixed names below them.
      if (k !== "http_req_stats") keyPaths(v, p, out);
    }
  }
  return out;
}

interface Side {
  monitorUrl: string;
  natsPort: number;
  stop(): Promise<void>;
}

/** Requests nats-server answers inside the global account (imported from its system account). */
const SYS_REQUESTS = [
  "$SYS.REQ.ACCOUNT.PING.CONNZ",
  "$SYS.REQ.SERVER.PING.CONNZ",
  "$SYS.REQ.ACCOUNT.PING.STATZ",
];

/** The traffic both servers see: an open client with subscriptions, a closed one, a stream with a consumer. */
async function drive(natsPort: number): Promise<NatsConnection> {
  const probe = await connect({ port: natsPort, name: "probe" });
  const closer = await connect({ port: natsPort, name: "closer" });
  closer.subscribe("x.y");
  await closer.flush();
  await closer.close();
  probe.subscribe("foo.*");
  probe.subscribe("bar", { queue: "q" });
  probe.publish("foo.a", "hello");
  const jsm = await jetstreamManager(probe);
  await jsm.streams.add({ name: "S", subjects: ["s.>"] });
  await jsm.consumers.add("S", { durable_name: "D", ack_policy: "explicit" as never });
  await jsm.jetstream().publish("s.1", "x");
  await probe.flush();
  return probe;
}

async function fetchAll(side: Side, nc: NatsConnection): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of ENDPOINTS) {
    const res = await fetch(`${side.monitorUrl}${path}`);
    expect(res.status, path).toBe(200);
    out[path] = await res.json();
  }
  for (const subject of SYS_REQUESTS) out[subject] = (await nc.request(subject, "")).json();
  return out;
}

const haveReference = natsServerAvailable();
if (!haveReference) console.warn("compat: nats-server is not on PATH; monitoring field comparison skipped");

describe.skipIf(!haveReference)("monitoring endpoints: field names match nats-server 2.9.10", () => {
  const answers: Record<"ref" | "ours", Record<string, unknown>> = { ref: {}, ours: {} };
  const dirs: string[] = [];

  beforeAll(async () => {
    const refDir = mkdtempSync(join(tmpdir(), "mon-ref-"));
    const ourDir = mkdtempSync(join(tmpdir(), "mon-ours-"));
    dirs.push(refDir, ourDir);
    const ref: NatsServerProcess = await startNatsServer(["-m", "-1", "-js", "-sd", refDir]);
    const ours: NatsgateServer = await createServer({
      port: 0,
      httpHost: "127.0.0.1",
      httpPort: -1,
      jetstream: { storeDir: ourDir },
    });
    const sides: Side[] = [
      { monitorUrl: ref.ports.monitoring![0]!, natsPort: ref.port, stop: () => ref.stop() },
      { monitorUrl: ours.monitoring.url!, natsPort: ours.port, stop: () => ours.close() },
    ];
    try {
      for (const [i, side] of sides.entries()) {
        const probe = await drive(side.natsPort);
        answers[i === 0 ? "ref" : "ours"] = await fetchAll(side, probe);
        await probe.close();
      }
    } finally {
      for (const s of sides) await s.stop();
    }
  }, 60_000);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const path of [...ENDPOINTS, ...SYS_REQUESTS]) {
    it(path, () => {
      const ref = keyPaths(answers.ref[path]);
      const ours = keyPaths(answers.ours[path]);
      const missing = [...ref].filter((p) => !ours.has(p) && !(ONLY_NATS_SERVER[path] ?? []).includes(p));
      const extra = [...ours].filter((p) => !ref.has(p) && !(ONLY_NATSGATE[path] ?? []).includes(p));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });
  }
});

/** A WebSocket client through nats.js, the `ws` package standing in for the browser's WebSocket. */
function connectWs(url: string) {
  return wsconnect({
    servers: url,
    name: "ws-probe",
    reconnect: false,
    wsFactory: (u: string) => ({ socket: new WebSocket(u), encrypted: false }),
    // biome-ignore lint/suspicious/noExplicitAny: wsFactory's socket type is the DOM WebSocket.
  } as any);
}

describe.skipIf(!haveReference)("monitoring with WebSocket and MQTT listeners: field names match", () => {
  const WS_ENDPOINTS = ["/varz", "/connz?subs=true"];
  const answers: Record<"ref" | "ours", Record<string, unknown>> = { ref: {}, ours: {} };
  const dirs: string[] = [];

  beforeAll(async () => {
    const refDir = mkdtempSync(join(tmpdir(), "mon-ws-ref-"));
    const ourDir = mkdtempSync(join(tmpdir(), "mon-ws-ours-"));
    dirs.push(refDir, ourDir);
    // nats-server's MQTT needs JetStream and a server name.
    const conf = `server_name: cmp\njetstream { store_dir: "${refDir}" }\nwebsocket { port: -1, no_tls: true, compression: true }\nmqtt { port: -1 }\n`;
    const ref = await startNatsServer(["-m", "-1"], { config: conf });
    const ours = await createServer({
      port: 0,
      serverName: "cmp",
      httpHost: "127.0.0.1",
      httpPort: -1,
      jetstream: { storeDir: ourDir },
      websocket: { host: "127.0.0.1", port: 0, noTls: true, compression: true },
      mqtt: { host: "127.0.0.1", port: 0 },
    });
    const sides = [
      {
        key: "ref" as const,
        monitor: ref.ports.monitoring![0]!,
        ws: ref.ports.websocket![0]!,
        stop: () => ref.stop(),
      },
      {
        key: "ours" as const,
        monitor: ours.monitoring.url!,
        ws: `ws://127.0.0.1:${ours.websocketPort}`,
        stop: () => ours.close(),
      },
    ];
    try {
      for (const side of sides) {
        const nc = await connectWs(side.ws);
        nc.subscribe("w.>");
        await nc.flush();
        for (const path of WS_ENDPOINTS)
          answers[side.key][path] = await (await fetch(`${side.monitor}${path}`)).json();
        await nc.close();
      }
    } finally {
      for (const s of sides) await s.stop();
    }
  }, 60_000);

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const path of WS_ENDPOINTS) {
    it(path, () => {
      const ref = keyPaths(answers.ref[path]);
      const ours = keyPaths(answers.ours[path]);
      const missing = [...ref].filter((p) => !ours.has(p) && !(ONLY_NATS_SERVER[path] ?? []).includes(p));
      const extra = [...ours].filter((p) => !ref.has(p) && !(ONLY_NATSGATE[path] ?? []).includes(p));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });
  }

  it("reports the WebSocket client with nats-server's type", () => {
    const ref = answers.ref["/connz?subs=true"] as { connections: { type: string }[] };
    const ours = answers.ours["/connz?subs=true"] as { connections: { type: string }[] };
    expect(ref.connections.map((c) => c.type)).toEqual(["websocket"]);
    expect(ours.connections.map((c) => c.type)).toEqual(["websocket"]);
  });
});

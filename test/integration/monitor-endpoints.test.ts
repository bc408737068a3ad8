// The monitoring endpoints against a running server with real clients: values move with traffic, closed
// connections keep their reason, parameters and errors behave like nats-server's.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { jetstreamManager } from "@nats-io/jetstream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { type ServerHandle, useServer, waitUntil } from "../helpers/server.js";

// biome-ignore lint/suspicious/noExplicitAny: endpoint JSON is read field by field and asserted on.
type Json = any;

const MONITORED = { httpHost: "127.0.0.1", httpPort: -1 } as const;

async function get(
  server: NatsgateServer,
  path: string,
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${server.monitoring.url}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function json(server: NatsgateServer, path: string): Promise<Json> {
  const r = await get(server, path);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
  expect(r.type).toContain("application/json");
  return JSON.parse(r.text);
}

describe("monitoring listener", () => {
  it("is off unless http_port is set, and logs where it listens when it is", async () => {
    const off = await createServer({ port: 0 });
    try {
      expect(off.monitoring.url).toBeNull();
    } finally {
      await off.close();
    }
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "natsgate-monitor-"));
    const server = await createServer({ port: 0, ...MONITORED, portsFileDir: dir, logger: pino(sink) });
    try {
      const port = server.monitoring.port;
      expect(port).toBeGreaterThan(0);
      expect(server.monitoring.url).toBe(`http://127.0.0.1:${port}`);
      expect(lines.join("")).toContain(`Starting http monitor on 127.0.0.1:${port}`);
      const file = readdirSync(dir).find((f) => f.endsWith(`_${process.pid}.ports`));
      const ports = JSON.parse(readFileSync(join(dir, file!), "utf8"));
      expect(ports.monitoring).toEqual([`http://127.0.0.1:${port}`]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("https monitoring", () => {
  it("serves the endpoints over TLS with the server's certificate on https_port", async () => {
    const dir = mkdtempSync(join(tmpdir(), "natsgate-https-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const server = await createServer({
      port: 0,
      httpHost: "127.0.0.1",
      httpsPort: -1,
      extra: { tls: { cert_file: cert, key_file: key } },
    });
    try {
      expect(server.monitoring.url).toBe(`https://127.0.0.1:${server.monitoring.port}`);
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(`${server.monitoring.url}/varz`, { rejectUnauthorized: false }, (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve(text));
        }).on("error", reject);
      });
      expect(JSON.parse(body)).toMatchObject({
        server_id: server.serverId,
        https_port: -1,
        http_port: 0,
        tls_required: true,
      });
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start with both http_port and https_port, or https without a certificate", async () => {
    await expect(
      createServer({ port: 0, httpHost: "127.0.0.1", httpPort: -1, httpsPort: -1 }),
    ).rejects.toThrow("can't specify both HTTP (-1) and HTTPs (-1) ports");
    await expect(createServer({ port: 0, httpHost: "127.0.0.1", httpsPort: -1 })).rejects.toThrow(
      /^TLS cert and key required for HTTPS$/,
    );
  });
});

describe("/varz, /connz, /subsz with NATS clients", () => {
  const t: ServerHandle = useServer({ ...MONITORED, maxSubscriptions: 100 });

  it("/varz identifies the server and counts traffic", async () => {
    const before = await json(t.server, "/varz");
    expect(before.server_id).toBe(t.server.serverId);
    expect(before.version).toBe("2.9.10");
    expect(before.natsgate_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(before.port).toBe(t.port);
    expect(before.max_subscriptions).toBe(100);
    expect(before.ping_interval).toBe(120_000_000_000);
    expect(before.connections).toBe(0);
    const nc = await t.connect({ name: "varz-client" });
    const sub = nc.subscribe("v.>");
    nc.publish("v.1", "hello");
    nc.publish("v.2", "world!");
    await nc.flush();
    await waitUntil(() => t.server.stats.outMsgs >= 2, "two deliveries");
    const after = await json(t.server, "/varz");
    expect(after.connections).toBe(1);
    expect(after.total_connections).toBe(1);
    expect(after.in_msgs - before.in_msgs).toBe(2);
    expect(after.in_bytes - before.in_bytes).toBe(11);
    expect(after.out_msgs - before.out_msgs).toBe(2);
    expect(after.subscriptions - before.subscriptions).toBe(1);
    expect(after.http_req_stats["/varz"]).toBe(2);
    sub.unsubscribe();
  });

  it("/connz lists connections with their type, subscriptions and auth details", async () => {
    const a = await t.connect({ name: "alpha" });
    const b = await t.connect({ name: "beta" });
    a.subscribe("a.one");
    a.subscribe("a.two", { queue: "workers" });
    for (let i = 0; i < 3; i++) b.publish("a.one", "x");
    await Promise.all([a.flush(), b.flush()]);
    const all = await json(t.server, "/connz?subs=1");
    expect(all.server_id).toBe(t.server.serverId);
    expect(all.num_connections).toBe(2);
    expect(all.total).toBe(2);
    expect(all.limit).toBe(1024);
    const alpha = all.connections.find((c: Json) => c.name === "alpha");
    expect(alpha).toMatchObject({ kind: "Client", type: "nats", ip: "127.0.0.1", lang: "nats.js" });
    expect(alpha.subscriptions).toBe(2);
    expect([...alpha.subscriptions_list].sort()).toEqual(["a.one", "a.two"]);
    await waitUntil(() => [...t.server.clients.values()].some((c) => c.outMsgs === 3), "deliveries");
    const bySent = await json(t.server, "/connz?sort=msgs_to&limit=1");
    expect(bySent.num_connections).toBe(1);
    expect(bySent.connections[0].name).toBe("alpha");
    expect(bySent.connections[0].out_msgs).toBe(3);
    const byReceived = await json(t.server, "/connz?sort=msgs_from&limit=1&offset=0");
    expect(byReceived.connections[0]).toMatchObject({ name: "beta", in_msgs: 3 });
    const second = await json(t.server, "/connz?offset=1");
    expect(second.connections.map((c: Json) => c.name)).toEqual(["beta"]);
    const detail = await json(t.server, `/connz?cid=${alpha.cid}&subs=detail&auth=true`);
    expect(detail.connections).toHaveLength(1);
    const queued = detail.connections[0].subscriptions_list_detail.find((s: Json) => s.subject === "a.two");
    expect(queued).toMatchObject({ qgroup: "workers", cid: alpha.cid, msgs: 0 });
  });

  it("/connz?state=closed keeps closed connections with their reason", async () => {
    const nc = await t.connect({ name: "short-lived" });
    nc.publish("x", "1");
    await nc.flush();
    const cid = [...t.server.clients.values()].find((c) => c.opts.name === "short-lived")!.cid;
    await nc.close();
    await waitUntil(() => !t.server.clients.has(cid), "the server to see the close");
    const closed = await json(t.server, "/connz?state=closed");
    const cc = closed.connections.find((c: Json) => c.cid === cid);
    expect(cc).toMatchObject({ name: "short-lived", reason: "Client Closed", in_msgs: 1, type: "nats" });
    expect(typeof cc.stop).toBe("string");
    expect((await json(t.server, "/connz")).connections.some((c: Json) => c.cid === cid)).toBe(false);
    const all = await json(t.server, "/connz?state=all");
    expect(all.connections.some((c: Json) => c.cid === cid)).toBe(true);
    const byReason = await json(t.server, "/connz?state=closed&sort=reason");
    expect(byReason.total).toBeGreaterThanOrEqual(1);
  });

  it("/connz answers bad parameters with nats-server's 400 texts", async () => {
    expect(await get(t.server, "/connz?sort=bogus")).toMatchObject({
      status: 400,
      text: "invalid sorting option: bogus",
    });
    expect((await get(t.server, "/connz?sort=stop")).text).toBe(
      "sort by stop only valid on closed connections",
    );
    expect((await get(t.server, "/connz?auth=maybe")).text).toBe(
      `Error decoding boolean for 'auth': strconv.ParseBool: parsing "maybe": invalid syntax`,
    );
    expect((await get(t.server, "/connz?limit=x")).status).toBe(400);
    expect((await get(t.server, "/connz?state=weird")).text).toBe("Error decoding state for weird");
  });

  it("/subsz reports statistics, and lists subscriptions matching a test subject", async () => {
    // The server's own subscriptions (system request services) are there from the start.
    const base = await json(t.server, "/subsz");
    const nc = await t.connect();
    nc.subscribe("orders.*");
    nc.subscribe("orders.new");
    nc.subscribe("other");
    nc.publish("orders.new", "o");
    await nc.flush();
    const stats = await json(t.server, "/subsz");
    expect(stats.num_subscriptions - base.num_subscriptions).toBe(3);
    expect(stats.num_inserts - base.num_inserts).toBe(3);
    expect(stats.server_id).toBeUndefined();
    const matching = await json(t.server, "/subsz?subs=1&test=orders.new");
    expect(matching.total).toBe(2);
    expect(matching.subscriptions_list.map((s: Json) => s.subject).sort()).toEqual([
      "orders.*",
      "orders.new",
    ]);
    expect(matching.subscriptions_list[0].account).toBe("$G");
    expect(await get(t.server, "/subsz?test=orders.*")).toMatchObject({
      status: 400,
      text: "invalid test subject, must be valid publish subject: orders.*",
    });
    expect((await json(t.server, "/subscriptionsz")).num_subscriptions).toBe(stats.num_subscriptions);
  });

  it("/accountz, /accstatz, /routez, /leafz, /gatewayz have nats-server's shapes", async () => {
    const base = (await json(t.server, "/accountz?acc=$G")).account_detail.subscriptions;
    const nc = await t.connect();
    nc.subscribe("s");
    await nc.flush();
    const accounts = await json(t.server, "/accountz");
    expect(accounts.accounts).toContain("$G");
    const g = await json(t.server, "/accountz?acc=$G");
    expect(g.account_detail).toMatchObject({
      account_name: "$G",
      client_connections: 1,
      subscriptions: base + 1,
    });
    expect(g.account_detail.sublist_stats.num_subscriptions).toBe(base + 1);
    expect(await get(t.server, "/accountz?acc=nope")).toMatchObject({
      status: 400,
      text: "Account nope does not exist",
    });
    const statz = await json(t.server, "/accstatz");
    expect(statz.account_statz).toEqual([expect.objectContaining({ acc: "$G", conns: 1 })]);
    expect(await json(t.server, "/routez")).toMatchObject({ num_routes: 0, routes: [] });
    expect(await json(t.server, "/leafz")).toMatchObject({ leafnodes: 0, leafs: null });
    expect(await json(t.server, "/gatewayz")).toMatchObject({ outbound_gateways: {}, inbound_gateways: {} });
  });

  it("answers JSONP, serves the index and console pages, and 404s unknown paths", async () => {
    const jsonp = await get(t.server, "/varz?callback=show");
    expect(jsonp.type).toContain("application/javascript");
    expect(jsonp.text.startsWith("show({")).toBe(true);
    expect(JSON.parse(jsonp.text.slice(5, -1)).server_id).toBe(t.server.serverId);
    expect((await get(t.server, "/varz?callback=alert(1)//")).status).toBe(400);
    const root = await get(t.server, "/");
    expect(root.type).toContain("text/html");
    expect(root.text).toContain('href="./connz"');
    const console = await get(t.server, "/console");
    expect(console.text).toContain("natsgate console");
    expect(await get(t.server, "/nothing")).toMatchObject({ status: 404, text: "404 page not found\n" });
    expect((await get(t.server, "/varz/")).status).toBe(404);
  });
});

describe("/jsz and /healthz", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "natsgate-jsz-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("/jsz is the disabled shape and /healthz ok without JetStream", async () => {
    const server = await createServer({ port: 0, ...MONITORED });
    try {
      const js = await json(server, "/jsz");
      expect(js).toMatchObject({ disabled: true, streams: 0, config: { max_memory: 0, max_storage: 0 } });
      expect(await get(server, "/healthz")).toMatchObject({ status: 200, text: '{"status":"ok"}' });
      expect((await json(server, "/varz")).jetstream).toEqual({});
    } finally {
      await server.close();
    }
  });

  it("/jsz counts streams, consumers and messages, with details on request", async () => {
    const server = await createServer({ port: 0, ...MONITORED, jetstream: { storeDir: dir } });
    const h = {
      connect: async () => (await import("@nats-io/transport-node")).connect({ port: server.port }),
    };
    const nc = await h.connect();
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
      await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: "explicit" as never });
      const js = jsm.jetstream();
      await js.publish("orders.1", "a");
      await js.publish("orders.2", "bb");
      const summary = await json(server, "/jsz");
      expect(summary.disabled).toBeUndefined();
      expect(summary).toMatchObject({ streams: 1, consumers: 1, messages: 2, accounts: 1 });
      expect(summary.config.store_dir).toBe(join(dir, "jetstream"));
      expect(summary.api.total).toBeGreaterThanOrEqual(2);
      expect(summary.account_details).toBeUndefined();
      const full = await json(server, "/jsz?consumers=true&config=true");
      const stream = full.account_details[0].stream_detail[0];
      expect(stream).toMatchObject({ name: "ORDERS", state: { messages: 2, consumer_count: 1 } });
      expect(stream.config.subjects).toEqual(["orders.>"]);
      expect(stream.consumer_detail[0]).toMatchObject({ name: "worker", num_pending: 2 });
      const noConfig = await json(server, "/jsz?consumers=true");
      expect(noConfig.account_details[0].stream_detail[0].config).toBeUndefined();
      expect(noConfig.account_details[0].stream_detail[0].consumer_detail[0].config).toBeUndefined();
      const varz = await json(server, "/varz");
      expect(varz.jetstream.stats.api.total).toBe(summary.api.total);
      expect(await get(server, "/healthz?js-enabled-only=true")).toMatchObject({ status: 200 });
      expect((await json(server, "/accountz?acc=$G")).account_detail.jetstream_enabled).toBe(true);
    } finally {
      await nc.close();
      await server.close();
    }
  });
});

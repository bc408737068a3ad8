// Route faults: a wrong cluster name, bad credentials and garbage are refused; a silent peer is dropped by
// ping with its interest; routes with cluster authorization form when the credentials match.

import { connect as netConnect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type NatsgateServer } from "../../src/index.js";
import { CLUSTER_NAME, hasInterest, waitFor, waitRoutes } from "./cluster-support.js";

const servers: NatsgateServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function node(
  cluster: Record<string, unknown> = {},
  opts: Record<string, unknown> = {},
): Promise<NatsgateServer> {
  const s = await createServer({
    port: 0,
    ...opts,
    extra: { cluster: { name: CLUSTER_NAME, listen: "127.0.0.1:-1", ...cluster } },
  });
  servers.push(s);
  return s;
}

/** A raw route peer: collects what the server sends and whether it closed. */
async function rawPeer(port: number): Promise<{ sock: Socket; text: () => string; closed: () => boolean }> {
  const sock = netConnect({ host: "127.0.0.1", port });
  sockets.push(sock);
  let text = "";
  let closed = false;
  sock.on("data", (d) => {
    text += d.toString();
  });
  sock.on("close", () => {
    closed = true;
  });
  sock.on("error", () => {});
  await new Promise((r) => sock.once("connect", r));
  return { sock, text: () => text, closed: () => closed };
}

const peerInfo = (id: string, cluster = CLUSTER_NAME) =>
  `INFO ${JSON.stringify({ server_id: id, server_name: id, host: "127.0.0.1", port: 1, cluster, headers: true })}\r\n`;

describe("route faults", () => {
  it("refuses a peer with another cluster name", async () => {
    const a = await node();
    const p = await rawPeer(a.cluster!.port);
    p.sock.write(`CONNECT {"cluster":"other","name":"X"}\r\n${peerInfo("X", "other")}`);
    await waitFor("close", () => p.closed());
    expect(p.text()).toContain(
      `-ERR 'Rejecting connection, cluster name "other" does not match "${CLUSTER_NAME}"'`,
    );
    expect(a.cluster!.routes.size).toBe(0);
  });

  it("refuses bad credentials and garbage", async () => {
    const a = await node({ authorization: { user: "ruser", password: "rpass" } });
    const bad = await rawPeer(a.cluster!.port);
    expect(await waitFor("INFO", () => bad.text().includes('"auth_required":true')).then(() => true)).toBe(
      true,
    );
    bad.sock.write(`CONNECT {"cluster":"${CLUSTER_NAME}","user":"ruser","pass":"nope"}\r\n`);
    await waitFor("close", () => bad.closed());
    expect(bad.text()).toContain("-ERR 'Authorization Violation'");
    const junk = await rawPeer(a.cluster!.port);
    junk.sock.write("GARBAGE LINE\r\n");
    await waitFor("close", () => junk.closed());
    expect(junk.text()).toContain("-ERR");
    expect(a.cluster!.routes.size).toBe(0);
  });

  it("forms routes when the credentials in the route URL match", async () => {
    const auth = { authorization: { user: "ruser", password: "rpass" } };
    const a = await node(auth);
    const b = await node({ ...auth, routes: [`nats-route://ruser:rpass@127.0.0.1:${a.cluster!.port}`] });
    await waitRoutes(a, 1);
    await waitRoutes(b, 1);
  });

  it("drops a peer that stops answering pings, and its interest", async () => {
    const a = await node({}, { pingInterval: 100, maxPingsOutstanding: 2 });
    const p = await rawPeer(a.cluster!.port);
    p.sock.write(
      `CONNECT {"cluster":"${CLUSTER_NAME}","name":"SILENT"}\r\n${peerInfo("SILENT")}RS+ $G silent.>\r\n`,
    );
    await waitRoutes(a, 1);
    await waitFor("interest", () => hasInterest(a, "silent.x"));
    await waitFor("stale close", () => p.closed());
    expect(p.text()).toContain("-ERR 'Stale Connection'");
    expect(a.cluster!.routes.size).toBe(0);
    expect(hasInterest(a, "silent.x")).toBe(false);
  });

  it("a flapping peer leaves nothing behind (routes, subscriptions)", async () => {
    const a = await node();
    const baseline = a.lookupAccount("$G")!.sublist.count();
    for (let i = 0; i < 50; i++) {
      const p = await rawPeer(a.cluster!.port);
      let subs = "";
      for (let k = 0; k < 40; k++) subs += `RS+ $G flap.${i}.${k}\r\nRS+ $G work.${k} q ${k + 1}\r\n`;
      p.sock.write(
        `CONNECT {"cluster":"${CLUSTER_NAME}","name":"F${i}"}\r\n${peerInfo(`F${i}`)}${subs}PING\r\n`,
      );
      await waitFor("PONG", () => p.text().includes("PONG"));
      expect(a.lookupAccount("$G")!.sublist.count()).toBe(baseline + 80);
      p.sock.destroy();
      await waitFor("route gone", () => a.cluster!.routes.size === 0);
    }
    expect(a.lookupAccount("$G")!.sublist.count()).toBe(baseline);
    expect(hasInterest(a, "work.3")).toBe(false);
  });
});

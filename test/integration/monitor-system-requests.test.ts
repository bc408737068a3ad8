// Monitoring over NATS: the `$SYS.REQ.*` requests nats-server answers inside every account, and the
// server-level ones and disconnect events in a system account.

import { describe, expect, it } from "vitest";
import { Account } from "../../src/core/account.js";
import { InternalClient } from "../../src/core/internal-client.js";
import { SystemServices } from "../../src/monitor/system-services.js";
import { type ServerHandle, useServer, waitUntil } from "../helpers/server.js";

// biome-ignore lint/suspicious/noExplicitAny: reply JSON is read field by field and asserted on.
type Json = any;

describe("$SYS requests inside an account", () => {
  const t: ServerHandle = useServer();

  it("answers $SYS.REQ.ACCOUNT.PING.CONNZ and $SYS.REQ.SERVER.PING.CONNZ with the account's connections", async () => {
    const nc = await t.connect({ name: "asker" });
    nc.subscribe("mine.>");
    for (const subject of ["$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.SERVER.PING.CONNZ"]) {
      const reply: Json = (await nc.request(subject, JSON.stringify({ subscriptions: true }))).json();
      expect(reply.server).toMatchObject({ id: t.server.serverId, ver: "2.9.10", jetstream: false });
      expect(typeof reply.server.time).toBe("string");
      expect(reply.data.server_id).toBe(t.server.serverId);
      expect(reply.data.connections).toHaveLength(1);
      expect(reply.data.connections[0]).toMatchObject({
        name: "asker",
        subscriptions_list: expect.arrayContaining(["mine.>"]),
      });
    }
  });

  it("answers $SYS.REQ.ACCOUNT.PING.STATZ with the account's statistics", async () => {
    const nc = await t.connect();
    const reply: Json = (await nc.request("$SYS.REQ.ACCOUNT.PING.STATZ", "")).json();
    expect(reply.data.account_statz).toEqual([expect.objectContaining({ acc: "$G", conns: 1 })]);
  });

  it("reports bad options as errors and stays silent for requests filtered to another server", async () => {
    const nc = await t.connect();
    const bad: Json = (await nc.request("$SYS.REQ.ACCOUNT.PING.CONNZ", "{not json")).json();
    expect(bad.error.code).toBe(400);
    expect(bad.data).toBeUndefined();
    const badSort: Json = (
      await nc.request("$SYS.REQ.ACCOUNT.PING.CONNZ", JSON.stringify({ sort: "nope" }))
    ).json();
    expect(badSort.error).toEqual({ code: 500, description: "invalid sorting option: nope" });
    await expect(
      nc.request("$SYS.REQ.ACCOUNT.PING.CONNZ", JSON.stringify({ server_name: "elsewhere" }), {
        timeout: 300,
      }),
    ).rejects.toThrow();
  });
});

describe("$SYS requests in a system account", () => {
  const t: ServerHandle = useServer();

  function setup() {
    const sys = new Account("$SYS");
    const services = new SystemServices(t.server.monitoring);
    services.start([sys], (a) => new InternalClient(100_000, a, "System"));
    const asker = new InternalClient(100_001, sys, "test");
    const replies: Json[] = [];
    asker.subscribe("reply.>", (_s, _subject, _r, _h, payload) =>
      replies.push(JSON.parse(payload.toString())),
    );
    t.cleanup(() => {
      asker.close();
      services.close();
    });
    return { sys, services, asker, replies };
  }

  it("answers $SYS.REQ.SERVER.PING with statsz and $SYS.REQ.SERVER.PING.<X> / .<id>.<X> with the endpoint", async () => {
    const { asker, replies } = setup();
    await t.connect();
    asker.publish("$SYS.REQ.SERVER.PING", "reply.1", null, Buffer.alloc(0));
    expect(replies[0].statsz).toMatchObject({ connections: 1, active_accounts: 1 });
    expect(replies[0].server.id).toBe(t.server.serverId);
    asker.publish("$SYS.REQ.SERVER.PING.VARZ", "reply.2", null, Buffer.alloc(0));
    expect(replies[1].data).toMatchObject({ server_id: t.server.serverId, connections: 1 });
    asker.publish(`$SYS.REQ.SERVER.${t.server.serverId}.HEALTHZ`, "reply.3", null, Buffer.alloc(0));
    expect(replies[2].data).toEqual({ status: "ok" });
    asker.publish("$SYS.REQ.SERVER.PING.CONNZ", "reply.4", null, Buffer.from(JSON.stringify({ state: 0 })));
    expect(replies[3].data.num_connections).toBe(1);
    expect(replies[1].server.seq).toBeLessThan(replies[2].server.seq);
  });

  it("publishes $SYS.ACCOUNT.<acc>.DISCONNECT when a client closes", async () => {
    const { services, asker } = setup();
    const events: Json[] = [];
    asker.subscribe("$SYS.ACCOUNT.*.DISCONNECT", (_s, subject, _r, _h, payload) =>
      events.push({ subject, ...JSON.parse(payload.toString()) }),
    );
    // The services started by the server have no system account; forward its closes to these.
    const before = t.server.monitoring.closed.length;
    const nc = await t.connect({ name: "leaver" });
    nc.publish("x", "12");
    await nc.flush();
    await nc.close();
    await waitUntil(() => t.server.monitoring.closed.length > before, "the close to be recorded");
    services.connectionClosed(t.server.monitoring.closed.latest()!);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject: "$SYS.ACCOUNT.$G.DISCONNECT",
      type: "io.nats.server.advisory.v1.client_disconnect",
      reason: "Client Closed",
      client: { acc: "$G", name: "leaver", lang: "nats.js" },
      received: { msgs: 1, bytes: 2 },
    });
  });
});

describe("$SYS requests with configured accounts and a system account", () => {
  const t: ServerHandle = useServer({
    httpHost: "127.0.0.1",
    httpPort: -1,
    extra: {
      accounts: {
        SYS: { users: [{ user: "admin", password: "s3cret" }] },
        APP: { users: [{ user: "app", password: "pw" }] },
      },
      system_account: "SYS",
    },
  });

  it("serves a system account user, limits account requests to the account, and sends DISCONNECT events", async () => {
    const admin = await t.connect({ user: "admin", pass: "s3cret", name: "admin" });
    const app = await t.connect({ user: "app", pass: "pw", name: "app-client" });
    const ping: Json = (await admin.request("$SYS.REQ.SERVER.PING", "")).json();
    expect(ping.statsz).toMatchObject({ connections: 2, active_accounts: 2 });
    const all: Json = (
      await admin.request("$SYS.REQ.SERVER.PING.CONNZ", JSON.stringify({ auth: true }))
    ).json();
    expect(all.data.connections.map((c: Json) => c.account).sort()).toEqual(["APP", "SYS"]);
    const own: Json = (await app.request("$SYS.REQ.ACCOUNT.PING.CONNZ", "")).json();
    expect(own.data.connections.map((c: Json) => c.name)).toEqual(["app-client"]);
    const varz: Json = (await admin.request(`$SYS.REQ.SERVER.${t.server.serverId}.VARZ`, "")).json();
    expect(varz.data.system_account).toBe("SYS");

    const events = admin.subscribe("$SYS.ACCOUNT.*.DISCONNECT", { max: 1 });
    await admin.flush();
    await app.close();
    for await (const m of events) {
      expect(m.subject).toBe("$SYS.ACCOUNT.APP.DISCONNECT");
      expect(m.json()).toMatchObject({
        client: { acc: "APP", user: "app", name: "app-client" },
        reason: "Client Closed",
      });
    }
    const accountz: Json = await (await fetch(`${t.server.monitoring.url}/accountz`)).json();
    expect(accountz.system_account).toBe("SYS");
    expect(accountz.accounts).toEqual(expect.arrayContaining(["SYS", "APP"]));
  });
});

// Accounts: isolated subject spaces, stream exports/imports with prefix and `to` remapping, service
// exports/imports with request/reply across accounts, export restrictions, and the refusals at startup.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsgateServer } from "../../src/index.js";
import { serverFromConfig } from "../helpers/config-server.js";

const CONFIG = `
system_account: SYS
accounts {
  SYS { users [ { user: sys, password: sys } ] }
  A {
    users [ { user: a, password: a } ]
    exports [
      { stream: "feed.>" }
      { stream: "private.>", accounts: [C] }
      { stream: "news.*" }
      { service: "svc.echo" }
      { service: "svc.many", response_type: stream }
    ]
  }
  B {
    users [ { user: b, password: b } ]
    imports [
      { stream: { account: A, subject: "feed.>" }, prefix: "fromA" }
      { stream: { account: A, subject: "news.*" }, to: "mine.*" }
      { service: { account: A, subject: "svc.echo" }, to: "echo" }
      { service: { account: A, subject: "svc.many" } }
    ]
  }
  C { users [ { user: c, password: c } ], imports [ { stream: { account: A, subject: "private.>" } } ] }
}
`;

describe("accounts", () => {
  let server: NatsgateServer;
  const open: NatsConnection[] = [];
  const as = async (user: string) => {
    const nc = await connect({ servers: `127.0.0.1:${server.port}`, user, pass: user, reconnect: false });
    open.push(nc);
    return nc;
  };
  beforeAll(async () => {
    server = await serverFromConfig(CONFIG);
  });
  afterAll(async () => {
    for (const nc of open) await nc.close();
    await server.close();
  });

  it("keeps subject spaces apart", async () => {
    const a = await as("a");
    const b = await as("b");
    const subB = b.subscribe("plain", { max: 1 });
    const subA = a.subscribe("plain", { max: 1 });
    await b.flush();
    await a.flush();
    a.publish("plain", "from a");
    b.publish("plain", "from b");
    for await (const m of subA) expect(m.string()).toBe("from a");
    for await (const m of subB) expect(m.string()).toBe("from b");
  });

  it("delivers an exported stream under the importer's prefix", async () => {
    const a = await as("a");
    const b = await as("b");
    const sub = b.subscribe("fromA.feed.>", { max: 2 });
    await b.flush();
    a.publish("feed.x", "one");
    a.publish("feed.y.z", "two");
    const got: string[] = [];
    for await (const m of sub) got.push(`${m.subject}=${m.string()}`);
    expect(got).toEqual(["fromA.feed.x=one", "fromA.feed.y.z=two"]);
  });

  it("remaps a stream import with `to` and honours the export's account list", async () => {
    const a = await as("a");
    const b = await as("b");
    const c = await as("c");
    const subB = b.subscribe("mine.>", { max: 1 });
    const subC = c.subscribe("private.>", { max: 1 });
    const leak = b.subscribe("private.>");
    await b.flush();
    await c.flush();
    a.publish("news.k", "n");
    a.publish("private.k", "p");
    for await (const m of subB) expect(`${m.subject}=${m.string()}`).toBe("mine.k=n");
    for await (const m of subC) expect(`${m.subject}=${m.string()}`).toBe("private.k=p");
    await b.flush();
    expect(leak.getReceived()).toBe(0);
  });

  it("answers requests across accounts through a service import", async () => {
    const a = await as("a");
    const b = await as("b");
    a.subscribe("svc.echo", {
      callback: (_e, m) => {
        m.respond(`echo:${m.string()}`);
      },
    });
    await a.flush();
    const r = await b.request("echo", "hi", { timeout: 2000 });
    expect(r.string()).toBe("echo:hi");
    // The exporter's subject is not visible in the importer's space.
    await expect(b.request("svc.echo", "hi", { timeout: 300 })).rejects.toThrow();
  });

  it("lets a stream-type service answer more than once", async () => {
    const a = await as("a");
    const b = await as("b");
    a.subscribe("svc.many", {
      callback: (_e, m) => {
        m.respond("1");
        m.respond("2");
      },
    });
    await a.flush();
    const inbox = b.subscribe("_INBOX.many", { max: 2 });
    b.publish("svc.many", "go", { reply: "_INBOX.many" });
    const got: string[] = [];
    for await (const m of inbox) got.push(m.string());
    expect(got).toEqual(["1", "2"]);
  });

  it("creates the system account", () => {
    expect(server.accounts.has("SYS")).toBe(true);
  });
});

describe("account configuration errors", () => {
  it("refuses an import nobody exported", async () => {
    await expect(
      serverFromConfig(`accounts { A {}, B { imports [ { stream: { account: A, subject: "x" } } ] } }`),
    ).rejects.toThrow('Error adding stream import "x": stream import not authorized');
  });
  it("refuses an import restricted to other accounts", async () => {
    await expect(
      serverFromConfig(
        `accounts { A { exports [ { service: "s", accounts: [C] } ] }, B { imports [ { service: { account: A, subject: "s" } } ] }, C {} }`,
      ),
    ).rejects.toThrow("service import not authorized");
  });
});

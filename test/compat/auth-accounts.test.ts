// Accounts against nats-server 2.9.10: isolation, a stream import with prefix, a mapped stream import and
// a service import answered across accounts give the same bytes (service reply subjects normalised).

import { describe, expect, it } from "vitest";
import { serverFromConfig } from "../helpers/config-server.js";
import { natsServerAvailable, startNatsServer } from "../helpers/nats-server-process.js";
import { WireClient } from "../helpers/wire.js";

const CONFIG = `
accounts {
  A {
    users [ { user: a, password: a } ]
    exports [ { stream: "feed.>" }, { stream: "news.*" }, { service: "svc.echo" } ]
  }
  B {
    users [ { user: b, password: b } ]
    imports [
      { stream: { account: A, subject: "feed.>" }, prefix: "fromA" }
      { stream: { account: A, subject: "news.*" }, to: "mine.*" }
      { service: { account: A, subject: "svc.echo" }, to: "echo" }
    ]
  }
}
`;

const normalise = (s: string) => s.replace(/_R_\.[A-Za-z0-9._-]+/g, "_R_.<reply>");

async function login(port: number, user: string): Promise<WireClient> {
  const c = await WireClient.open(port);
  c.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, user, pass: user })}\r\n`);
  await c.sync();
  return c;
}

async function script(port: number): Promise<Record<string, string>> {
  const a = await login(port, "a");
  const b = await login(port, "b");
  try {
    const out: Record<string, string> = {};
    b.send("SUB fromA.feed.> 1\r\nSUB mine.* 2\r\nSUB feed.> 3\r\nSUB _INBOX.b 4\r\n");
    await b.sync();
    a.send("SUB svc.echo 9\r\nSUB plain 8\r\n");
    await a.sync();
    a.send("PUB feed.x 1\r\n1\r\nPUB news.k 1\r\n2\r\nPUB other 1\r\n3\r\n");
    await a.sync();
    out["b got streams"] = await b.sync();
    b.send("PUB plain 1\r\nx\r\nPUB echo _INBOX.b 2\r\nhi\r\n");
    await b.sync();
    const req = await a.sync();
    out["a got request"] = normalise(req);
    const reply = /svc\.echo 9 (\S+) 2/.exec(req)?.[1];
    if (reply !== undefined) a.send(`PUB ${reply} 3\r\nyo!\r\nPUB ${reply} 5\r\nagain\r\n`);
    await a.sync();
    out["b got reply"] = await b.sync();
    return out;
  } finally {
    a.close();
    b.close();
  }
}

describe.skipIf(!natsServerAvailable())("accounts vs nats-server", () => {
  it("crosses accounts only through imports, with the same subjects", async () => {
    const ref = await startNatsServer([], { config: CONFIG });
    let expected: Record<string, string>;
    try {
      expected = await script(ref.port);
    } finally {
      await ref.stop();
    }
    const ours = await serverFromConfig(CONFIG);
    try {
      expect(await script(ours.port)).toEqual(expected);
      expect(expected["b got streams"]).toBe("MSG fromA.feed.x 1 1\r\n1\r\nMSG mine.k 2 1\r\n2\r\n");
      expect(expected["a got request"]).toBe("MSG svc.echo 9 _R_.<reply> 2\r\nhi\r\n");
      // A singleton service answers once: the second response is dropped.
      expect(expected["b got reply"]).toBe("MSG _INBOX.b 4 3\r\nyo!\r\n");
    } finally {
      await ours.close();
    }
  }, 30_000);
});

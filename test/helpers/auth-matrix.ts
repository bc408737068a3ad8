// One auth configuration and a scripted matrix of users × subjects × operations over raw sockets, run the
// same way against natsgate and nats-server: each step's outcome is the exact bytes the server answered.

import bcrypt from "bcryptjs";
import { WireClient } from "./wire.js";

const ALICE_HASH = bcrypt.hashSync("alice-secret", 4);

export const AUTH_MATRIX_CONFIG = `
no_auth_user: anon
authorization {
  default_permissions { publish: "pub.default.>", subscribe: ">" }
  users = [
    { user: admin, password: admin, permissions: { publish: ">", subscribe: ">" } }
    { user: alice, password: "${ALICE_HASH}", permissions: {
        publish: { allow: ["foo.>", "bar.*"], deny: ["foo.secret.>"] }
        subscribe: { allow: ["foo.>", "inbox.>", "q.> workers"], deny: ["foo.private"] }
    } }
    { user: bob, password: bob }
    { user: svc, password: svc, permissions: { subscribe: "req.>", allow_responses: true } }
    { user: svc2, password: svc2, permissions: { subscribe: "req.>", allow_responses: { max: 2, expires: "1m" } } }
    { user: anon, password: anon, permissions: { publish: { deny: "nope.>" } } }
    { user: mqttonly, password: m, allowed_connection_types: ["MQTT"] }
    { user: tcponly, password: t, allowed_connection_types: ["STANDARD"] }
  ]
}
`;

type Outcomes = Record<string, string>;

async function login(port: number, creds: object): Promise<{ c: WireClient; result: string }> {
  const c = await WireClient.open(port);
  c.send(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...creds })}\r\n`);
  try {
    return { c, result: (await c.sync()) || "ok" };
  } catch {
    return { c, result: `closed: ${c.unread.trim()}` };
  }
}

/** Sends `line` and returns what came back before the PONG ("ok" when nothing). */
async function step(c: WireClient, line: string): Promise<string> {
  c.send(line);
  return (await c.sync()) || "ok";
}

export async function runAuthMatrix(port: number): Promise<Outcomes> {
  const out: Outcomes = {};
  const clients: WireClient[] = [];
  try {
    for (const [name, creds] of [
      ["alice good", { user: "alice", pass: "alice-secret" }],
      ["alice bad", { user: "alice", pass: "nope" }],
      ["unknown user", { user: "mallory", pass: "x" }],
      ["bob no pass", { user: "bob" }],
      ["mqtt-only user over tcp", { user: "mqttonly", pass: "m" }],
      ["standard-only user over tcp", { user: "tcponly", pass: "t" }],
    ] as const) {
      const { c, result } = await login(port, creds);
      clients.push(c);
      out[`login ${name}`] = result;
    }
    const admin = (await login(port, { user: "admin", pass: "admin" })).c;
    const alice = (await login(port, { user: "alice", pass: "alice-secret" })).c;
    const bob = (await login(port, { user: "bob", pass: "bob" })).c;
    const anon = (await login(port, {})).c;
    clients.push(admin, alice, bob, anon);
    for (const s of ["foo.a", "foo.secret.x", "bar.x", "bar.x.y", "baz", "foo.>"])
      out[`alice pub ${s}`] = await step(alice, `PUB ${s} 1\r\nx\r\n`);
    let sid = 1;
    for (const s of ["foo.a", "foo.private", "q.x", "q.x workers", "q.x other", "inbox.*", "foo.*"])
      out[`alice sub ${s}`] = await step(alice, `SUB ${s} ${sid++}\r\n`);
    for (const s of ["pub.default.x", "other"]) out[`bob pub ${s}`] = await step(bob, `PUB ${s} 0\r\n\r\n`);
    out["bob sub any.thing"] = await step(bob, "SUB any.thing 1\r\n");
    for (const s of ["nope.x", "ok.x"]) out[`anon pub ${s}`] = await step(anon, `PUB ${s} 0\r\n\r\n`);
    // foo.* on alice covers the deny foo.private: such messages are filtered out of the wildcard sub.
    await step(admin, "PUB foo.private 1\r\np\r\nPUB foo.ok 1\r\nk\r\n");
    out["alice wildcard delivery"] = await alice.sync();
    await responses(port, out, clients, admin);
  } finally {
    for (const c of clients) c.close();
  }
  return out;
}

async function responses(
  port: number,
  out: Outcomes,
  clients: WireClient[],
  admin: WireClient,
): Promise<void> {
  for (const user of ["svc", "svc2"]) {
    const svc = (await login(port, { user, pass: user })).c;
    clients.push(svc);
    await step(svc, "SUB req.> 1\r\n");
    await step(admin, "SUB inbox.> 99\r\n");
    await step(admin, `PUB req.a inbox.${user} 1\r\nq\r\n`);
    out[`${user} got request`] = await svc.sync();
    for (let i = 1; i <= 3; i++) out[`${user} reply ${i}`] = await step(svc, `PUB inbox.${user} 1\r\nr\r\n`);
    out[`${user} reply unasked`] = await step(svc, "PUB inbox.never 1\r\nr\r\n");
    out[`${user} pub elsewhere`] = await step(svc, "PUB foo 1\r\nr\r\n");
    out[`admin got replies ${user}`] = await step(admin, "UNSUB 99\r\n");
  }
}

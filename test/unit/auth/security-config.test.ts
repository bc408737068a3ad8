// Reading users, permissions and accounts from raw config blocks, with nats-server's refusals.

import { describe, expect, it } from "vitest";
import { securityConfigFrom } from "../../../src/auth/security-config.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

const load = (text: string) => securityConfigFrom(optionsFromTree(parseConfig(text)));

describe("securityConfigFrom", () => {
  it("reads users with default permissions and old-style lists", () => {
    const c = load(`authorization { default_permissions { publish: "a" }
      users = [ { user: x, password: y }, { user: z, permissions: { publish: ["b", "c"], subscribe: { deny: "d" } } } ] }`);
    expect(c.users).toEqual([
      { account: "$G", user: "x", password: "y", permissions: { publish: { allow: ["a"] } } },
      {
        account: "$G",
        user: "z",
        permissions: { publish: { allow: ["b", "c"] }, subscribe: { deny: ["d"] } },
      },
    ]);
  });

  it("reads accounts with users, exports and imports", () => {
    const c = load(`accounts {
      A { users [ { user: a, password: a } ], exports [ { stream: "s.>" }, { service: "q", accounts: [B] } ] }
      B { users [ { user: b, password: b } ], imports [ { stream: { account: A, subject: "s.>" }, prefix: p },
                                                         { service: { account: A, subject: q }, to: lq } ] }
    }`);
    expect(c.users.map((u) => [u.user, u.account])).toEqual([
      ["a", "A"],
      ["b", "B"],
    ]);
    expect(c.accounts[0]!.exports[1]).toEqual({
      kind: "service",
      subject: "q",
      accounts: ["B"],
      responseType: "singleton",
    });
    expect(c.accounts[1]!.imports).toEqual([
      { kind: "stream", account: "A", subject: "s.>", prefix: "p" },
      { kind: "service", account: "A", subject: "q", to: "lq" },
    ]);
  });

  it("refuses what nats-server refuses", () => {
    expect(() => load("authorization { users = [ { password: x } ] }")).toThrow("User entry requires a user");
    expect(() => load("authorization { users = [ { nkey: bad } ] }")).toThrow("Not a valid public nkey");
    expect(() => load("authorization { users = [ { user: a }, { user: a } ] }")).toThrow("Duplicate user");
    expect(() => load("no_auth_user: q\nauthorization { users = [ { user: a } ] }")).toThrow("not present");
    expect(() => load('authorization { users = [ { user: a, permissions: { publish: "a..b" } } ] }')).toThrow(
      "not a valid subject",
    );
  });
});

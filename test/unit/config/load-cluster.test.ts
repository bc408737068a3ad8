// The cluster and leafnodes blocks, from config text and from the nats-server flags, as typed options.

import { describe, expect, it } from "vitest";
import { mergeOptions, parseFlags } from "../../../src/cli/flags.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { clusterOptionsFrom } from "../../../src/config/load-cluster.js";
import { leafNodeOptionsFrom } from "../../../src/config/load-leafnodes.js";
import { parseConfig } from "../../../src/config/parser.js";

function fromText(text: string) {
  return optionsFromTree(parseConfig(text));
}

describe("cluster options", () => {
  it("maps a nats-server cluster block", () => {
    const o = fromText(`cluster {
      name: east
      listen: 127.0.0.1:-1
      routes: [nats-route://ruser:rpass@10.0.0.2:6222, "nats-route://10.0.0.3:6222"]
      authorization { user: ruser, password: rpass, timeout: 0.5 }
      no_advertise: true
      connect_retries: 3
    }`);
    const c = clusterOptionsFrom(o.extra.cluster)!;
    expect(c.name).toBe("east");
    expect(c.host).toBe("127.0.0.1");
    expect(c.port).toBe(0);
    expect(c.routes.map((u) => u.href)).toEqual([
      "nats-route://ruser:rpass@10.0.0.2:6222",
      "nats-route://10.0.0.3:6222",
    ]);
    expect([c.username, c.password, c.authTimeout]).toEqual(["ruser", "rpass", 0.5]);
    expect(c.noAdvertise).toBe(true);
    expect(c.connectRetries).toBe(3);
  });

  it("takes host and port keys, and no block or no port means no routing", () => {
    expect(clusterOptionsFrom(fromText("cluster { host: 0.0.0.0, port: 6222 }").extra.cluster)).toMatchObject(
      {
        host: "0.0.0.0",
        port: 6222,
      },
    );
    expect(clusterOptionsFrom(fromText("port: 4222").extra.cluster)).toBeNull();
    expect(clusterOptionsFrom(fromText("cluster { name: x }").extra.cluster)).toBeNull();
  });

  it("maps --cluster, --routes and --cluster_name over the file", () => {
    const file = fromText("cluster { name: fromfile, listen: 127.0.0.1:7000 }");
    const flags = parseFlags([
      "--cluster",
      "nats://127.0.0.1:7244",
      "--routes",
      "nats-route://127.0.0.1:7245,nats-route://127.0.0.1:7246",
      "--cluster_name",
      "flagged",
    ]);
    const c = clusterOptionsFrom(mergeOptions(file, flags.options).extra.cluster)!;
    expect(c.name).toBe("flagged");
    expect([c.host, c.port]).toEqual(["127.0.0.1", 7244]);
    expect(c.routes.map((u) => u.port)).toEqual(["7245", "7246"]);
  });

  it("refuses a bad route url and a port out of range", () => {
    expect(() => clusterOptionsFrom({ port: 70000 })).toThrow(/out of range/);
    expect(() => clusterOptionsFrom({ port: 1, routes: ["nats-route://[bad"] })).toThrow(/route url/);
  });
});

describe("leafnodes options", () => {
  it("maps remotes with url/urls and account, a listener with authorization, and nothing without either", () => {
    const o = fromText(`leafnodes {
      remotes: [
        { url: "nats-leaf://u:p@hub1:7422", account: A }
        { urls: ["nats-leaf://hub2:7422", "hub3:7422"] }
      ]
    }`);
    const l = leafNodeOptionsFrom(o.extra.leafnodes)!;
    expect(l.remotes[0]!.urls.map((u) => u.href)).toEqual(["nats-leaf://u:p@hub1:7422"]);
    expect(l.remotes[0]!.account).toBe("A");
    expect(l.remotes[1]!.urls.map((u) => u.host)).toEqual(["hub2:7422", "hub3:7422"]);
    expect(leafNodeOptionsFrom(fromText("leafnodes { reconnect: 2 }").extra.leafnodes)).toBeNull();
    const listening = leafNodeOptionsFrom(
      fromText("leafnodes { listen: 127.0.0.1:-1, authorization { user: l, password: p, account: A } }").extra
        .leafnodes,
    )!;
    expect(listening).toMatchObject({
      remotes: [],
      listen: { host: "127.0.0.1", port: 0 },
      username: "l",
      password: "p",
      account: "A",
    });
  });
});

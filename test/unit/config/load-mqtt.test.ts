// The `mqtt { }` block mapped onto typed options with nats-server 2.9.10's keys and aliases.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/config-error.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

const load = (text: string) => optionsFromTree(parseConfig(text, { env: {}, file: "t.conf" }), "t.conf");

describe("mqtt block", () => {
  it("maps every key", () => {
    const o = load(`mqtt {
      listen: "127.0.0.1:1884"
      authorization { user: mu, password: mp, timeout: 1.5 }
      no_auth_user: anon
      ack_wait: "5s"
      max_ack_pending: 100
      js_domain: hub
      tls { cert_file: "c.pem", key_file: "k.pem" }
    }`);
    expect(o.mqtt).toEqual({
      host: "127.0.0.1",
      port: 1884,
      username: "mu",
      password: "mp",
      authTimeout: 1500,
      noAuthUser: "anon",
      ackWait: 5000,
      maxAckPending: 100,
      jsDomain: "hub",
      tls: { certFile: "c.pem", keyFile: "k.pem", caFile: undefined, verify: undefined },
    });
    expect(o.extra.mqtt).toBeUndefined();
    expect(o.unknownKeys).toEqual([]);
  });

  it("port -1 is a random port, port 0 (or none) leaves MQTT off", () => {
    expect(load("mqtt { port: -1 }").mqtt?.port).toBe(0);
    expect(load("mqtt { port: 0 }").mqtt).toBeUndefined();
    expect(load("mqtt { host: 1.2.3.4 }").mqtt).toBeUndefined();
  });

  it("aliases: ackwait, max_inflight, net", () => {
    const o = load(`mqtt { port: 1883, ackwait: "1m", max_inflight: 7, net: "0.0.0.0" }`);
    expect([o.mqtt?.ackWait, o.mqtt?.maxAckPending, o.mqtt?.host]).toEqual([60000, 7, "0.0.0.0"]);
  });

  it("a non-positive ack_wait is an error, as in nats-server", () => {
    expect(() => load(`mqtt { port: 1883, ack_wait: "0s" }`)).toThrow(ConfigError);
  });

  it("unknown keys are reported with their path", () => {
    expect(load("mqtt { port: 1883, bogus: 1 }").unknownKeys).toEqual(["mqtt.bogus"]);
  });
});

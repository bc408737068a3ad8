// Mapping a parsed config tree onto ServerOptions: key spellings, units, unknown keys, `extra`, errors.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/config-error.js";
import { loadConfigFile, optionsFromTree } from "../../../src/config/load.js";
import { defaultOptions } from "../../../src/config/options.js";
import { parseConfig } from "../../../src/config/parser.js";

const load = (text: string, env: Record<string, string> = {}) =>
  optionsFromTree(parseConfig(text, { env, file: "t.conf" }), "t.conf");

function loadError(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("client listener", () => {
  it("reads listen as host:port, :port or a port", () => {
    expect(load("listen: 127.0.0.1:4333\n")).toMatchObject({ host: "127.0.0.1", port: 4333 });
    expect(load("listen: :4334\n")).toMatchObject({ host: "0.0.0.0", port: 4334 });
    expect(load("listen: 4335\n")).toMatchObject({ host: "0.0.0.0", port: 4335 });
    expect(load('listen: "[::1]:4336"\n')).toMatchObject({ host: "::1", port: 4336 });
  });

  it("reads host/net and port", () => {
    expect(load("host: 10.0.0.1\nport: 5000\n")).toMatchObject({ host: "10.0.0.1", port: 5000 });
    expect(load("net: localhost\n")).toMatchObject({ host: "localhost" });
  });

  it("maps port -1 to a random port (0) and 0 to the default, as nats-server", () => {
    expect(load("port: -1\n").port).toBe(0);
    expect(load("listen: 127.0.0.1:-1\n").port).toBe(0);
    expect(load("port: 0\n").port).toBe(4222);
  });

  it("rejects a bad port or address, naming the key and its position", () => {
    expect(loadError('port: "abc"\n').message).toBe(
      't.conf:1:1: port: expected an integer, got string "abc"',
    );
    expect(loadError("port: 70000\n").message).toBe(
      "t.conf:1:1: port: value is too big, got 70000 (maximum 65535)",
    );
    expect(loadError("\nlisten: abc\n").message).toBe(
      't.conf:2:1: listen: could not parse address string "abc"',
    );
    expect(loadError("listen: h:x\n").message).toBe('t.conf:1:1: listen: could not parse port "x"');
  });

  it("reads server_name, spaces included (as nats-server 2.9.10)", () => {
    expect(load("server_name: n1\n").serverName).toBe("n1");
    expect(load('server_name: "a b"\n').serverName).toBe("a b");
    expect(loadError("server_name: 5\n").reason).toBe("server_name: expected a string, got integer 5");
  });
});

describe("monitoring", () => {
  it("reads http as port or host:port and binds to the client host by default", () => {
    expect(load("http: 8222\n")).toMatchObject({ httpHost: "0.0.0.0", httpPort: 8222 });
    expect(load("http: 127.0.0.1:8223\n")).toMatchObject({ httpHost: "127.0.0.1", httpPort: 8223 });
    expect(load("listen: 127.0.0.2:4222\nhttp: 8222\n")).toMatchObject({
      httpHost: "127.0.0.2",
      httpPort: 8222,
    });
    expect(load("monitor_listen: 127.0.0.3:9000\n")).toMatchObject({ httpHost: "127.0.0.3", httpPort: 9000 });
  });

  it("reads http_port/monitor_port and https/https_port, keeping -1 for random", () => {
    expect(load("http_port: 8224\n").httpPort).toBe(8224);
    expect(load("monitor_port: -1\n").httpPort).toBe(-1);
    expect(load("https_port: 8443\n").httpsPort).toBe(8443);
    expect(load("https: 127.0.0.1:8444\n")).toMatchObject({ httpHost: "127.0.0.1", httpsPort: 8444 });
  });
});

describe("limits", () => {
  it("reads the limits with their aliases and size suffixes", () => {
    const o = load(
      "max_payload: 2MB\nmax_control_line: 8KB\nmax_connections: 100\nmax_subscriptions: 7\nmax_pending: 128MB\nping_max: 5\n",
    );
    expect(o).toMatchObject({
      maxPayload: 2 * 1024 * 1024,
      maxControlLine: 8192,
      maxConnections: 100,
      maxSubscriptions: 7,
      maxPending: 128 * 1024 * 1024,
      maxPingsOutstanding: 5,
    });
    expect(load("max_conn: 9\nmax_subs: 3\nmax_pings_outstanding: 4\n")).toMatchObject({
      maxConnections: 9,
      maxSubscriptions: 3,
      maxPingsOutstanding: 4,
    });
  });

  it("rejects a negative or oversized max_payload and one above max_pending", () => {
    expect(loadError("max_payload: -1\n").message).toBe(
      "t.conf:1:1: max_payload: value must be at least 1, got -1",
    );
    expect(loadError("max_payload: 4GB\n").reason).toMatch(/^max_payload: value is too big/);
    expect(loadError("max_pending: 1k\nmax_payload: 2k\n").message).toBe(
      "t.conf:2:1: max_payload (2000) cannot be higher than max_pending (1000)",
    );
  });

  it("rejects a float where an integer belongs", () => {
    expect(loadError("max_connections: 1.5\n").reason).toBe(
      "max_connections: expected an integer, got float 1.5",
    );
  });
});

describe("durations", () => {
  it("reads Go duration strings", () => {
    expect(load('ping_interval: "2m"\nwrite_deadline: "500ms"\n')).toMatchObject({
      pingInterval: 120_000,
      writeDeadline: 500,
    });
    expect(load("ping_interval: 1h30m\n").pingInterval).toBe(5_400_000);
    expect(load("write_deadline: 10s\n").writeDeadline).toBe(10_000);
  });

  it("reads a bare number as seconds, with a warning like nats-server's", () => {
    const o = load("ping_interval: 30\n");
    expect(o.pingInterval).toBe(30_000);
    expect(o.configWarnings).toEqual([
      "t.conf:1:1: ping_interval: should be converted to a duration string (a bare number is seconds)",
    ]);
  });

  it("rejects a malformed duration", () => {
    expect(loadError('write_deadline: "5"\n').reason).toBe(
      'write_deadline: error parsing duration: time: missing unit in duration "5"',
    );
    expect(loadError("ping_interval: 5x\n").reason).toBe(
      'ping_interval: error parsing duration: time: unknown unit "x" in duration "5x"',
    );
  });

  it("reads lame_duck_duration in seconds, at least 30s", () => {
    expect(load('lame_duck_duration: "45s"\n').lameDuckDuration).toBe(45);
    expect(loadError('lame_duck_duration: "10s"\n').reason).toBe(
      'lame_duck_duration: invalid lame_duck_duration of "10s", minimum is 30 seconds',
    );
  });
});

describe("logging and files", () => {
  it("reads the logging switches and file paths", () => {
    const o = load(
      "debug: true\ntrace: on\nlogtime: false\nlog_file: /tmp/x.log\npid_file: /tmp/x.pid\nports_file_dir: /tmp\n",
    );
    expect(o).toMatchObject({
      debug: true,
      trace: true,
      logtime: false,
      logFile: "/tmp/x.log",
      pidFile: "/tmp/x.pid",
      portsFileDir: "/tmp",
    });
    expect(load("logfile: a\npidfile: b\n")).toMatchObject({ logFile: "a", pidFile: "b" });
    expect(load("trace_verbose: true\n")).toMatchObject({ trace: true, traceVerbose: true });
  });

  it("rejects a string where a boolean belongs", () => {
    expect(loadError('debug: "true"\n').reason).toBe('debug: expected a boolean, got string "true"');
  });
});

describe("authorization", () => {
  it("reads user, password and timeout (seconds or a duration)", () => {
    expect(load("authorization {\n  user: u\n  password: p\n  timeout: 1.5\n}\n")).toMatchObject({
      username: "u",
      password: "p",
      authTimeout: 1500,
    });
    expect(load('authorization { username: u, pass: p, timeout: "3s" }\n')).toMatchObject({
      username: "u",
      password: "p",
      authTimeout: 3000,
    });
  });

  it("reads a token and no_auth_user", () => {
    expect(load("authorization { token: s3cr3t }\nno_auth_user: guest\n")).toMatchObject({
      authToken: "s3cr3t",
      noAuthUser: "guest",
    });
  });

  it("refuses a user/pass together with a token", () => {
    expect(loadError("authorization { user: u, token: t }\n").reason).toBe(
      "authorization: Cannot have a user/pass and token",
    );
  });

  it("keeps users and permissions raw in extra.authorization", () => {
    const o = load("authorization {\n  users: [ {user: a, password: b} ]\n  timeout: 2\n}\n");
    expect(o.extra.authorization).toEqual({ users: [{ user: "a", password: "b" }], timeout: 2 });
    expect(o.unknownKeys).toEqual([]);
  });
});

describe("jetstream", () => {
  it("is enabled by true, 'enabled' or a block, and disabled by false or enabled: false", () => {
    expect(load("jetstream: true\n").jetstream.enabled).toBe(true);
    expect(load("jetstream: enabled\n").jetstream.enabled).toBe(true);
    expect(load("jetstream: disabled\n").jetstream.enabled).toBe(false);
    expect(load("jetstream {}\n").jetstream.enabled).toBe(true);
    expect(load("jetstream { enabled: false, store_dir: x }\n").jetstream).toMatchObject({
      enabled: false,
      storeDir: "x",
    });
  });

  it("reads the block's keys and aliases", () => {
    const o = load(
      'jetstream {\n  store_dir: "/var/js"\n  max_memory_store: 1GB\n  max_file_store: "10G"\n  domain: hub\n  sync_interval: "30s"\n}\n',
    );
    expect(o.jetstream).toEqual({
      enabled: true,
      storeDir: "/var/js",
      maxMemory: 1024 ** 3,
      maxFile: 10 * 1024 ** 3,
      domain: "hub",
      syncInterval: 30_000,
      syncAlways: false,
    });
    expect(load("jetstream { max_mem: 1k, max_file: 2K, store: d }\n").jetstream).toMatchObject({
      maxMemory: 1000,
      maxFile: 2000,
      storeDir: "d",
    });
  });

  it("reads sync_interval: always", () => {
    expect(load("jetstream { sync_interval: always }\n").jetstream.syncAlways).toBe(true);
  });

  it("accepts store_dir at the top level but not twice", () => {
    expect(load("store_dir: /a\njetstream: true\n").jetstream).toMatchObject({
      enabled: true,
      storeDir: "/a",
    });
    expect(loadError("store_dir: /a\njetstream { store_dir: /b }\n").reason).toBe(
      "jetstream.store_dir: Duplicate 'store_dir' configuration",
    );
  });

  it("rejects a bad storage size string and a bad jetstream value", () => {
    expect(loadError('jetstream { max_file_store: "10X" }\n').reason).toBe(
      "jetstream.max_file_store: sizes defined as strings must end in K, M, G, T",
    );
    expect(loadError("jetstream: 5\n").reason).toBe(
      "jetstream: Expected map, bool or string to define JetStream, got integer 5",
    );
  });

  it("keeps not-yet-mapped keys of the block in extra and reports unknown ones", () => {
    const o = load("jetstream {\n  cipher: aes\n  bogus: 1\n}\n");
    expect(o.extra.jetstream).toEqual({ cipher: "aes", bogus: 1 });
    expect(o.unknownKeys).toEqual(["jetstream.bogus"]);
  });
});

describe("unknown keys and extra", () => {
  it("collects unknown keys by dotted path without throwing", () => {
    const o = load("port: 1\nfoo: bar\nauthorization { user: u, colour: red }\nnested { a: 1 }\n");
    expect(o.unknownKeys).toEqual(["foo", "authorization.colour", "nested"]);
    expect(o.port).toBe(1);
  });

  it("keeps later-work blocks raw in extra under their canonical names", () => {
    const o = load(
      "cluster { name: c1 }\nleaf { port: 7422 }\n" +
        "accounts { A: {} }\ntls { cert_file: c }\ngateway { name: g }\nsystem_account: SYS\noperator: op.jwt\nresolver: MEMORY\n",
    );
    // Blocks with a typed mapping (websocket, mqtt, ...) leave extra once their issue lands.
    expect(o.extra).toMatchObject({
      cluster: { name: "c1" },
      leafnodes: { port: 7422 },
      accounts: { A: {} },
      tls: { cert_file: "c" },
      gateway: { name: "g" },
      system_account: "SYS",
      operator: "op.jwt",
      resolver: "MEMORY",
    });
    expect(o.unknownKeys).toEqual([]);
  });

  it("matches keys case-insensitively, as nats-server", () => {
    expect(load("PORT: 4333\nMax_Payload: 1KB\nWebSocket { port: 1 }\n")).toMatchObject({
      port: 4333,
      maxPayload: 1024,
      extra: { websocket: { port: 1 } },
    });
  });

  it("does not report a variable definition that was used, but does report an unused one", () => {
    const o = load("MY_PORT = 4333\nUNUSED = 1\nport: $MY_PORT\n");
    expect(o.port).toBe(4333);
    expect(o.unknownKeys).toEqual(["UNUSED"]);
  });

  it("maps values that came from the environment", () => {
    expect(
      load("port: $NG_PORT\njetstream { store_dir: $NG_DIR }\n", { NG_PORT: "7777", NG_DIR: "/d" }),
    ).toMatchObject({
      port: 7777,
      jetstream: { storeDir: "/d" },
    });
  });

  it("leaves everything else at the defaults", () => {
    const o = load("");
    expect(o).toEqual(defaultOptions());
  });
});

describe("loadConfigFile", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("loads a file with includes and records configFile", () => {
    dir = mkdtempSync(join(tmpdir(), "natsgate-load-"));
    writeFileSync(join(dir, "main.conf"), "include 'net.conf'\nserver_name: s1\n");
    writeFileSync(join(dir, "net.conf"), "listen: 127.0.0.1:-1\n");
    const o = loadConfigFile(join(dir, "main.conf"), {});
    expect(o).toMatchObject({
      host: "127.0.0.1",
      port: 0,
      serverName: "s1",
      configFile: join(dir, "main.conf"),
    });
  });

  it("names the included file and line for a bad value there", () => {
    dir = mkdtempSync(join(tmpdir(), "natsgate-load-"));
    writeFileSync(join(dir, "main.conf"), "include 'net.conf'\n");
    writeFileSync(join(dir, "net.conf"), "\n\nport: nope\n");
    expect(() => loadConfigFile(join(dir!, "main.conf"), {})).toThrow(
      `${join(dir, "net.conf")}:3:1: port: expected an integer, got string "nope"`,
    );
  });

  it("loads the shipped config/natsgate.conf", () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const path = join(here, "../../../config/natsgate.conf");
    const o = loadConfigFile(path, {});
    expect(o).toMatchObject({
      serverName: "natsgate",
      host: "0.0.0.0",
      port: 4222,
      httpHost: "0.0.0.0",
      httpPort: 8222,
      jetstream: { enabled: true, storeDir: "./data" },
      mqtt: { port: 1883 },
      unknownKeys: [],
    });
    expect(o.configWarnings).toBeUndefined();
  });
});

// nats-server's command-line flags with Go flag package rules, and flags overriding the config file.

import { describe, expect, it } from "vitest";
import { FlagError, mergeOptions, parseFlags, usageText } from "../../../src/cli/flags.js";
import { optionsFromTree } from "../../../src/config/load.js";
import { parseConfig } from "../../../src/config/parser.js";

function flagError(argv: string[]): string {
  try {
    parseFlags(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(FlagError);
    return (err as Error).message;
  }
  throw new Error("expected a FlagError");
}

describe("flag forms", () => {
  it.each([
    [["-port", "1234"]],
    [["--port", "1234"]],
    [["-port=1234"]],
    [["--port=1234"]],
    [["-p", "1234"]],
    [["-p=1234"]],
  ])("%j sets the port", (argv) => {
    expect(parseFlags(argv).options.port).toBe(1234);
  });

  it("takes the next argument as the value even when it starts with a dash", () => {
    expect(parseFlags(["-p", "-1"]).options.port).toBe(0);
    expect(parseFlags(["--user", "-weird-"]).options.username).toBe("-weird-");
  });

  it("maps port -1 to random (0) and 0 to the default 4222", () => {
    expect(parseFlags(["-p", "-1"]).options.port).toBe(0);
    expect(parseFlags(["-p", "0"]).options.port).toBe(4222);
  });

  it("keeps -1 for random monitoring ports", () => {
    expect(parseFlags(["-m", "-1", "-ms", "8443"]).options).toMatchObject({ httpPort: -1, httpsPort: 8443 });
    expect(parseFlags(["--http_port=8222"]).options.httpPort).toBe(8222);
  });

  it("reads integers as Go's ParseInt(s, 0, 64) does", () => {
    expect(parseFlags(["-p", "0x10"]).options.port).toBe(16);
    expect(parseFlags(["-p", "010"]).options.port).toBe(8);
    expect(parseFlags(["-p", "1_000"]).options.port).toBe(1000);
  });

  it("sets booleans without a value, and accepts =true/=false and Go's other spellings", () => {
    expect(parseFlags(["-D"]).options.debug).toBe(true);
    expect(parseFlags(["--debug"]).options.debug).toBe(true);
    expect(parseFlags(["-D=false"]).options.debug).toBe(false);
    expect(parseFlags(["-V=1"]).options.trace).toBe(true);
    expect(parseFlags(["--trace=F"]).options.trace).toBe(false);
    expect(parseFlags(["-T=false"]).options.logtime).toBe(false);
    expect(parseFlags(["--logtime"]).options.logtime).toBe(true);
  });

  it("stops at a boolean's separate value (Go: booleans never take the next argument)", () => {
    expect(() => parseFlags(["-D", "false"])).toThrow('unrecognized command: "false"');
  });

  it("stops at -- and at the first non-flag argument", () => {
    expect(parseFlags(["-D", "--", "version"])).toMatchObject({ rest: ["version"], showVersion: true });
    const f = parseFlags(["-D", "help", "-V"]);
    expect(f).toMatchObject({ rest: ["help", "-V"], showHelp: true, options: { debug: true } });
    expect(f.options.trace).toBeUndefined();
    expect(flagError(["--", "-V"])).toBe('unrecognized command: "-V"');
  });

  it("lets the last of several spellings win", () => {
    expect(parseFlags(["-n", "a", "--server_name", "b", "-name=c"]).options.serverName).toBe("c");
  });
});

describe("each flag", () => {
  it("server options", () => {
    const f = parseFlags([
      "-a",
      "127.0.0.1",
      "-n",
      "srv",
      "-P",
      "x.pid",
      "--ports_file_dir",
      "/tmp/p",
      "-l",
      "x.log",
    ]);
    expect(f.options).toEqual({
      host: "127.0.0.1",
      serverName: "srv",
      pidFile: "x.pid",
      portsFileDir: "/tmp/p",
      logFile: "x.log",
    });
    expect(parseFlags(["--addr=h"]).options.host).toBe("h");
    expect(parseFlags(["--net", "h2"]).options.host).toBe("h2");
    expect(parseFlags(["--pid", "y.pid", "--log", "y.log"]).options).toMatchObject({
      pidFile: "y.pid",
      logFile: "y.log",
    });
  });

  it("config file and -t", () => {
    expect(parseFlags(["-c", "f.conf", "-t"])).toMatchObject({ configFile: "f.conf", testConfig: true });
    expect(parseFlags(["--config=g.conf"]).configFile).toBe("g.conf");
    expect(flagError(["-t"])).toBe("must specify [-c, --config] option to check configuration file syntax");
  });

  it("jetstream", () => {
    expect(parseFlags(["-js"]).options.jetstream).toEqual({ enabled: true });
    expect(parseFlags(["--jetstream", "-sd", "/data"]).options.jetstream).toEqual({
      enabled: true,
      storeDir: "/data",
    });
    expect(parseFlags(["--store_dir=/d"]).options.jetstream).toEqual({ storeDir: "/d" });
  });

  it("authorization", () => {
    expect(parseFlags(["--user", "u", "--pass", "p", "--auth", "t"]).options).toEqual({
      username: "u",
      password: "p",
      authToken: "t",
    });
  });

  it("combined log flags: -DV, -VV, -DVV", () => {
    expect(parseFlags(["-DV"]).options).toEqual({ debug: true, trace: true });
    expect(parseFlags(["-VV"]).options).toEqual({ trace: true, traceVerbose: true });
    expect(parseFlags(["-DVV"]).options).toEqual({ debug: true, trace: true, traceVerbose: true });
    // nats-server applies -DV after -D whatever the order.
    expect(parseFlags(["-DV", "-D=false"]).options).toEqual({ debug: true, trace: true });
    expect(parseFlags(["-DV=false"]).options).toEqual({ debug: false, trace: false });
  });

  it("version, help and the words version/help after the flags", () => {
    expect(parseFlags(["-v"]).showVersion).toBe(true);
    expect(parseFlags(["--version"]).showVersion).toBe(true);
    expect(parseFlags(["-h"]).showHelp).toBe(true);
    expect(parseFlags(["--help"]).showHelp).toBe(true);
    expect(parseFlags(["--help_tls"]).showTlsHelp).toBe(true);
    expect(parseFlags(["version"]).showVersion).toBe(true);
    expect(parseFlags(["-D", "help"]).showHelp).toBe(true);
    expect(flagError(["start"])).toBe('unrecognized command: "start"');
  });

  it("records flags natsgate does not act on yet in extra, shaped like their config blocks", () => {
    const f = parseFlags([
      "--client_advertise",
      "adv:4222",
      "--cluster",
      "nats://0.0.0.0:6222",
      "--cluster_name",
      "c1",
      "--routes",
      "nats://a:6222, nats://b:6222",
      "--no_advertise",
      "--cluster_advertise",
      "ca:6222",
      "--connect_retries",
      "3",
      "--log_size_limit",
      "1000",
      "-s",
      "-r",
      "udp://localhost:514",
      "--profile",
      "6060",
      "--max_traced_msg_len",
      "64",
      "--tlscert",
      "c.pem",
      "--tlskey",
      "k.pem",
      "--tlscacert",
      "ca.pem",
      "--tlsverify",
    ]);
    expect(f.options.extra).toEqual({
      client_advertise: "adv:4222",
      cluster: {
        listen: "nats://0.0.0.0:6222",
        name: "c1",
        routes: ["nats://a:6222", "nats://b:6222"],
        no_advertise: true,
        cluster_advertise: "ca:6222",
        connect_retries: 3,
      },
      logfile_size_limit: 1000,
      syslog: true,
      remote_syslog: "udp://localhost:514",
      prof_port: 6060,
      max_traced_msg_len: 64,
      tls: { cert_file: "c.pem", key_file: "k.pem", ca_file: "ca.pem", verify: true },
    });
    expect(parseFlags(["--cluster_listen=nats://h:1"]).options.extra).toEqual({
      cluster: { listen: "nats://h:1" },
    });
    expect(parseFlags(["--syslog=false", "--remote_syslog=x"]).options.extra).toEqual({
      syslog: false,
      remote_syslog: "x",
    });
    expect(parseFlags(["--tls=false"]).options.extra).toEqual({ tls: false });
  });

  it("signal", () => {
    expect(parseFlags(["-sl", "reload=123"]).signal).toBe("reload=123");
    expect(parseFlags(["--signal", "stop"]).signal).toBe("stop");
  });
});

describe("errors with Go's wording", () => {
  it.each([
    [["-xyz"], "flag provided but not defined: -xyz"],
    [["--max_payload", "1"], "flag provided but not defined: -max_payload"],
    [["-port"], "flag needs an argument: -port"],
    [["-p", "abc"], 'invalid value "abc" for flag -p: parse error'],
    [
      ["--port=99999999999999999999"],
      'invalid value "99999999999999999999" for flag -port: value out of range',
    ],
    [["-D=maybe"], 'invalid boolean value "maybe" for -D: parse error'],
    [["---x"], "bad flag syntax: ---x"],
    [["-=x"], "bad flag syntax: -=x"],
  ])("%j", (argv, message) => {
    expect(flagError(argv)).toBe(message);
  });
});

describe("mergeOptions", () => {
  const fromFile = (text: string) => optionsFromTree(parseConfig(text, { env: {} }));

  it("lets flags override the file and keeps the rest of the file", () => {
    const file = fromFile(
      "port: 5000\nserver_name: file\ndebug: false\nmax_payload: 2MB\njetstream { store_dir: /file, max_mem: 1G }\n",
    );
    const merged = mergeOptions(file, parseFlags(["-p", "6000", "-D", "-sd", "/flag"]).options);
    expect(merged).toMatchObject({
      port: 6000,
      serverName: "file",
      debug: true,
      maxPayload: 2 * 1024 * 1024,
      jetstream: { enabled: true, storeDir: "/flag", maxMemory: 1e9 },
    });
    expect(file.port).toBe(5000);
    expect(file.jetstream.storeDir).toBe("/file");
  });

  it("can switch JetStream and logtime off from the command line", () => {
    const file = fromFile("jetstream: true\nlogtime: true\n");
    const merged = mergeOptions(file, parseFlags(["-js=false", "-T=false"]).options);
    expect(merged.jetstream.enabled).toBe(false);
    expect(merged.logtime).toBe(false);
  });

  it("moves the monitoring host with -a unless the file set its own", () => {
    expect(mergeOptions(fromFile("http: 8222\n"), parseFlags(["-a", "127.0.0.1"]).options)).toMatchObject({
      host: "127.0.0.1",
      httpHost: "127.0.0.1",
    });
    expect(
      mergeOptions(fromFile("http: 10.0.0.1:8222\n"), parseFlags(["-a", "127.0.0.1"]).options),
    ).toMatchObject({
      host: "127.0.0.1",
      httpHost: "10.0.0.1",
    });
  });

  it("merges extra blocks key by key", () => {
    const file = fromFile("cluster { name: filename, listen: 0.0.0.0:6222 }\ngateway { name: g }\n");
    const merged = mergeOptions(file, parseFlags(["--cluster_name", "flagname"]).options);
    expect(merged.extra).toEqual({
      cluster: { name: "flagname", listen: "0.0.0.0:6222" },
      gateway: { name: "g" },
    });
    expect(file.extra.cluster).toEqual({ name: "filename", listen: "0.0.0.0:6222" });
  });

  it("returns the file options unchanged with no flags", () => {
    const file = fromFile("port: 5000\nfoo: 1\n");
    expect(mergeOptions(file, parseFlags([]).options)).toEqual(file);
  });
});

describe("usageText", () => {
  it("mirrors nats-server's help layout, naming natsgate", () => {
    const text = usageText();
    expect(text).toContain("Usage: natsgate [options]");
    expect(text).not.toContain("nats-server");
    for (const section of [
      "Server Options:",
      "Logging Options:",
      "JetStream Options:",
      "Authorization Options:",
      "TLS Options:",
      "Cluster Options:",
      "Common Options:",
    ])
      expect(text).toContain(section);
    expect(text).toContain("    -p, --port <port>                Use port for clients (default: 4222)");
    expect(text).toContain("    -js, --jetstream                 Enable JetStream functionality");
  });
});

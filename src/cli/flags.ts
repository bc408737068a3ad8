// nats-server's command-line flags (server/opts.go ConfigureOptions, v2.9.10) parsed with Go flag
// package rules: `-f`/`--f`, `-f value`/`-f=value`, booleans take no value but accept `=false`.

import { type FlagOptions, mergeOptions } from "../config/merge-options.js";
import { parseGoBool, parseGoInt } from "./go-flag-values.js";

export { type FlagOptions, mergeOptions };

export interface ParsedFlags {
  /** Only the options given on the command line (flags override the config file). */
  options: FlagOptions;
  configFile?: string;
  /** `-t`: check the configuration and exit. */
  testConfig: boolean;
  showVersion: boolean;
  showHelp: boolean;
  showTlsHelp: boolean;
  /** `-sl`/`--signal <signal>[=<pid>]`: send a signal to a running server instead of starting one. */
  signal?: string;
  /** Arguments after the flags (Go stops at the first non-flag or at `--`). */
  rest: string[];
}

/** A command-line error; the message uses Go's wording (`flag provided but not defined: -xyz`). */
export class FlagError extends Error {
  override name = "FlagError";
}

interface FlagState {
  out: ParsedFlags;
  debugAndTrace?: boolean;
  traceAndVerbose?: boolean;
  debugTraceAndVerbose?: boolean;
}

type FlagDef =
  | { kind: "bool"; apply: (st: FlagState, v: boolean) => void }
  | { kind: "int"; apply: (st: FlagState, v: number) => void }
  | { kind: "string"; apply: (st: FlagState, v: string) => void };

const bool = (apply: (st: FlagState, v: boolean) => void): FlagDef => ({ kind: "bool", apply });
const int = (apply: (st: FlagState, v: number) => void): FlagDef => ({ kind: "int", apply });
const str = (apply: (st: FlagState, v: string) => void): FlagDef => ({ kind: "string", apply });

/** DEFAULT_PORT in nats-server: a port of 0 means the default, -1 a random port (0 here). */
function clientPort(port: number): number {
  if (port === -1) return 0;
  return port === 0 ? 4222 : port;
}

function extra(st: FlagState): Record<string, unknown> {
  st.out.options.extra ??= {};
  return st.out.options.extra;
}

/** A sub-map of `extra` shaped like the config block the flag stands for (`cluster {}`, `tls {}`). */
function extraBlock(st: FlagState, name: string): Record<string, unknown> {
  const e = extra(st);
  const block = e[name];
  if (typeof block === "object" && block !== null) return block as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  e[name] = fresh;
  return fresh;
}

function jetstream(st: FlagState) {
  st.out.options.jetstream ??= {};
  return st.out.options.jetstream;
}

const FLAG_TABLE: [string[], FlagDef][] = [
  [["h", "help"], bool((st, v) => (st.out.showHelp = v))],
  [["p", "port"], int((st, v) => (st.out.options.port = clientPort(v)))],
  [["n", "name", "server_name"], str((st, v) => (st.out.options.serverName = v))],
  [["a", "addr", "net"], str((st, v) => (st.out.options.host = v))],
  [["client_advertise"], str((st, v) => (extra(st).client_advertise = v))],
  [["D", "debug"], bool((st, v) => (st.out.options.debug = v))],
  [["V", "trace"], bool((st, v) => (st.out.options.trace = v))],
  [["VV"], bool((st, v) => (st.traceAndVerbose = v))],
  [["DV"], bool((st, v) => (st.debugAndTrace = v))],
  [["DVV"], bool((st, v) => (st.debugTraceAndVerbose = v))],
  [["T", "logtime"], bool((st, v) => (st.out.options.logtime = v))],
  [["user"], str((st, v) => (st.out.options.username = v))],
  [["pass"], str((st, v) => (st.out.options.password = v))],
  [["auth"], str((st, v) => (st.out.options.authToken = v))],
  // Monitoring ports keep -1 (random): 0 already means "off" for them.
  [["m", "http_port"], int((st, v) => (st.out.options.httpPort = v))],
  [["ms", "https_port"], int((st, v) => (st.out.options.httpsPort = v))],
  [["c", "config"], str((st, v) => (st.out.configFile = v))],
  [["t"], bool((st, v) => (st.out.testConfig = v))],
  [["sl", "signal"], str((st, v) => (st.out.signal = v))],
  [["P", "pid"], str((st, v) => (st.out.options.pidFile = v))],
  [["ports_file_dir"], str((st, v) => (st.out.options.portsFileDir = v))],
  [["l", "log"], str((st, v) => (st.out.options.logFile = v))],
  [["log_size_limit"], int((st, v) => (extra(st).logfile_size_limit = v))],
  [["s", "syslog"], bool((st, v) => (extra(st).syslog = v))],
  [["r", "remote_syslog"], str((st, v) => (extra(st).remote_syslog = v))],
  [["v", "version"], bool((st, v) => (st.out.showVersion = v))],
  [["profile"], int((st, v) => (extra(st).prof_port = v))],
  [["routes"], str((st, v) => (extraBlock(st, "cluster").routes = splitRoutes(v)))],
  [["cluster", "cluster_listen"], str((st, v) => (extraBlock(st, "cluster").listen = v))],
  [["cluster_advertise"], str((st, v) => (extraBlock(st, "cluster").cluster_advertise = v))],
  [["no_advertise"], bool((st, v) => (extraBlock(st, "cluster").no_advertise = v))],
  [["connect_retries"], int((st, v) => (extraBlock(st, "cluster").connect_retries = v))],
  [["cluster_name"], str((st, v) => (extraBlock(st, "cluster").name = v))],
  [["help_tls"], bool((st, v) => (st.out.showTlsHelp = v))],
  // `--tls=false` switches off TLS from the config file too.
  [
    ["tls"],
    bool((st, v) => {
      if (v) extraBlock(st, "tls");
      else extra(st).tls = false;
    }),
  ],
  [["tlsverify"], bool((st, v) => (extraBlock(st, "tls").verify = v))],
  [["tlscert"], str((st, v) => (extraBlock(st, "tls").cert_file = v))],
  [["tlskey"], str((st, v) => (extraBlock(st, "tls").key_file = v))],
  [["tlscacert"], str((st, v) => (extraBlock(st, "tls").ca_file = v))],
  [["max_traced_msg_len"], int((st, v) => (extra(st).max_traced_msg_len = v))],
  [["js", "jetstream"], bool((st, v) => (jetstream(st).enabled = v))],
  [["sd", "store_dir"], str((st, v) => (jetstream(st).storeDir = v))],
];

const FLAGS: ReadonlyMap<string, FlagDef> = new Map(
  FLAG_TABLE.flatMap(([names, def]) => names.map((n) => [n, def] as const)),
);

/** nats-server's RoutesFromStr: comma separated, spaces trimmed. */
function splitRoutes(s: string): string[] {
  return s
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
}

/** Parses argv (without the program name). Throws FlagError with Go's or nats-server's wording. */
export function parseFlags(argv: string[]): ParsedFlags {
  const st: FlagState = {
    out: {
      options: {},
      testConfig: false,
      showVersion: false,
      showHelp: false,
      showTlsHelp: false,
      rest: [],
    },
  };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args[0]!;
    if (arg.length < 2 || arg[0] !== "-") break;
    args.shift();
    if (arg === "--") break;
    parseOne(st, arg, args);
  }
  st.out.rest = args;
  applyCombinedLogFlags(st);
  applyCommands(st.out);
  return st.out;
}

/** One flag; takes its value from `args` when it needs one and has no `=value`. */
function parseOne(st: FlagState, arg: string, args: string[]): void {
  const dashes = arg[1] === "-" ? 2 : 1;
  const body = arg.slice(dashes);
  if (body === "" || body[0] === "-" || body[0] === "=") throw new FlagError(`bad flag syntax: ${arg}`);
  const eq = body.indexOf("=");
  const name = eq < 0 ? body : body.slice(0, eq);
  let value = eq < 0 ? undefined : body.slice(eq + 1);
  const def = FLAGS.get(name);
  if (!def) throw new FlagError(`flag provided but not defined: -${name}`);
  if (def.kind === "bool") {
    const b = parseGoBool(value ?? "true");
    if (b === undefined)
      throw new FlagError(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`);
    def.apply(st, b);
    return;
  }
  if (value === undefined) {
    if (args.length === 0) throw new FlagError(`flag needs an argument: -${name}`);
    value = args.shift()!;
  }
  if (def.kind === "string") {
    def.apply(st, value);
    return;
  }
  const n = parseGoInt(value);
  if (typeof n !== "number")
    throw new FlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: ${n}`);
  def.apply(st, n);
}

/**
 * -DV, -VV and -DVV win over -D/-V whatever their order, and among themselves apply in name order
 * (DV, DVV, VV), because nats-server applies them after parsing while visiting flags sorted by name.
 */
function applyCombinedLogFlags(st: FlagState): void {
  const o = st.out.options;
  if (st.debugAndTrace !== undefined) {
    o.debug = st.debugAndTrace;
    o.trace = st.debugAndTrace;
  }
  if (st.debugTraceAndVerbose !== undefined) {
    o.debug = st.debugTraceAndVerbose;
    o.trace = st.debugTraceAndVerbose;
    o.traceVerbose = st.debugTraceAndVerbose;
  }
  if (st.traceAndVerbose !== undefined) {
    o.trace = st.traceAndVerbose;
    o.traceVerbose = st.traceAndVerbose;
  }
}

/** nats-server accepts the words `version` and `help` after the flags, nothing else. */
function applyCommands(out: ParsedFlags): void {
  if (out.showVersion || out.showHelp || out.showTlsHelp) return;
  const first = out.rest[0];
  if (first !== undefined) {
    const word = first.toLowerCase();
    if (word === "version") out.showVersion = true;
    else if (word === "help") out.showHelp = true;
    else throw new FlagError(`unrecognized command: ${JSON.stringify(first)}`);
    return;
  }
  if (out.testConfig && out.configFile === undefined)
    throw new FlagError("must specify [-c, --config] option to check configuration file syntax");
}

const USAGE = `
Usage: natsgate [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring
    -ms,--https_port <port>          Use port for https monitoring
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
    -sl,--signal <signal>[=<pid>]    Send signal to natsgate process (ldm, stop, quit, term, reopen, reload)
                                     pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/natsgate.pid)
        --client_advertise <string>  Client URL to advertise to other servers
        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -s, --syslog                     Log to syslog or windows event log
    -r, --remote_syslog <addr>       Syslog server addr (udp://localhost:514)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -VV                              Verbose trace (traces system account as well)
    -DV                              Debug and trace
    -DVV                             Debug and verbose trace (traces system account as well)
        --log_size_limit <limit>     Logfile size limit (default: auto)
        --max_traced_msg_len <len>   Maximum printable length for traced messages (default: unlimited)

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality
    -sd, --store_dir <dir>           Set the storage directory

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options:
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options:
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries
        --cluster_listen <url>       Cluster url from which members can solicit routes

Profiling Options:
        --profile <port>             Profiling HTTP port

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help
`;

/** The help text, laid out like nats-server's. */
export function usageText(): string {
  return USAGE;
}

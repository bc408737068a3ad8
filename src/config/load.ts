// Turns a parsed nats-server config tree into ServerOptions: nats-server's top-level key spellings
// (server/opts.go processConfigFileLine), unknown keys collected, later-work blocks kept in `extra`.

import { type BlockSpec, passThroughTable, walkBlock } from "./block-walker.js";
import { ConfigError } from "./config-error.js";
import { type LoadState, mapAuthorization, mapJetStream, setTopLevelStoreDir } from "./load-blocks.js";
import { mapMqtt } from "./load-mqtt.js";
import { mapWebsocket } from "./load-websocket.js";
import { defaultOptions, type ServerOptions } from "./options.js";
import { type ConfigEnv, parseConfigFile } from "./parser.js";
import { keyPosition } from "./tree-meta.js";
import { parseGoDuration } from "./units.js";
import {
  INT32_MAX,
  type KeyContext,
  readBool,
  readDurationMs,
  readHostPort,
  readIntIn,
  readPort,
  readString,
} from "./value-readers.js";

/** nats-server's DEFAULT_PORT: what a configured port of 0 means. */
const DEFAULT_CLIENT_PORT = 4222;
/** nats-server refuses a shorter lame duck duration in the config file. */
const MIN_LAME_DUCK_SECONDS = 30;

/** Reads, parses and maps a config file; the result has `configFile` set. */
export function loadConfigFile(path: string, env?: ConfigEnv): ServerOptions {
  const opts = optionsFromTree(parseConfigFile(path, env), path);
  opts.configFile = path;
  return opts;
}

/** Maps a tree from parseConfig onto defaults. Throws ConfigError naming the key on a bad value. */
export function optionsFromTree(tree: Record<string, unknown>, file?: string): ServerOptions {
  const opts = defaultOptions();
  const s: LoadState = {
    opts,
    warnings: [],
    storeDirSet: false,
    hostSet: false,
    httpHostSet: false,
    target: {
      file: file ?? "",
      unknownKeys: opts.unknownKeys,
      keep: (canonical, value) => {
        opts.extra[canonical] = value;
      },
    },
  };
  walkBlock(tree, "", TOP_LEVEL, s, s.target);
  // nats-server: the monitoring listener binds to the client host unless `http` names its own.
  if (s.hostSet && !s.httpHostSet) opts.httpHost = opts.host;
  if (opts.maxPayload > opts.maxPending) {
    const key = Object.keys(tree).find((k) => k.toLowerCase() === "max_payload");
    throw new ConfigError(
      `max_payload (${opts.maxPayload}) cannot be higher than max_pending (${opts.maxPending})`,
      (key && keyPosition(tree, key)) || { file },
    );
  }
  if (s.warnings.length > 0) opts.configWarnings = s.warnings;
  return opts;
}

/** Client port: -1 asks for a random port (0 internally), 0 means the default, as in nats-server. */
function clientPort(port: number): number {
  if (port === -1) return 0;
  return port === 0 ? DEFAULT_CLIENT_PORT : port;
}

function setListen(s: LoadState, c: KeyContext, v: unknown): void {
  const hp = readHostPort(c, v);
  if (hp.host) {
    s.opts.host = hp.host;
    s.hostSet = true;
  }
  s.opts.port = clientPort(hp.port);
}

function setHost(s: LoadState, c: KeyContext, v: unknown): void {
  s.opts.host = readString(c, v);
  s.hostSet = true;
}

/** `http` / `https`: a monitoring port, optionally with its own host. Port -1 (random) is kept as -1. */
function setMonitorListen(which: "httpPort" | "httpsPort") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    const hp = readHostPort(c, v);
    if (hp.host) {
      s.opts.httpHost = hp.host;
      s.httpHostSet = true;
    }
    s.opts[which] = hp.port;
  };
}

function setInt32(field: "maxPayload" | "maxControlLine") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    s.opts[field] = readIntIn(c, v, 1, INT32_MAX);
  };
}

function setCount(field: "maxConnections" | "maxSubscriptions" | "maxPingsOutstanding") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    s.opts[field] = readIntIn(c, v, 0, Number.MAX_SAFE_INTEGER);
  };
}

function setDuration(field: "pingInterval" | "writeDeadline") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    const ms = readDurationMs(c, v, s.warnings);
    if (ms <= 0) c.fail(`duration must be positive, got ${JSON.stringify(v)}`);
    s.opts[field] = ms;
  };
}

function setFlag(field: "debug" | "trace" | "logtime") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    s.opts[field] = readBool(c, v);
  };
}

function setText(field: "serverName" | "logFile" | "pidFile" | "portsFileDir" | "noAuthUser") {
  return (s: LoadState, c: KeyContext, v: unknown) => {
    s.opts[field] = readString(c, v);
  };
}

function setLameDuckDuration(s: LoadState, c: KeyContext, v: unknown): void {
  // nats-server insists on a duration string here; a number of seconds is accepted as elsewhere.
  const ms = typeof v === "string" ? durationOrFail(c, v) : readDurationMs(c, v, s.warnings);
  if (ms < MIN_LAME_DUCK_SECONDS * 1000)
    c.fail(`invalid lame_duck_duration of ${JSON.stringify(v)}, minimum is 30 seconds`);
  s.opts.lameDuckDuration = ms / 1000;
}

function durationOrFail(c: KeyContext, v: string): number {
  try {
    return parseGoDuration(v);
  } catch (err) {
    c.fail(`error parsing lame_duck_duration: ${(err as Error).message}`);
  }
}

const TOP_LEVEL: BlockSpec<LoadState> = {
  handlers: {
    listen: setListen,
    host: setHost,
    net: setHost,
    port: (s, c, v) => {
      s.opts.port = clientPort(readPort(c, v));
    },
    // nats-server 2.9.10 accepts any string here (later versions refuse spaces).
    server_name: setText("serverName"),
    http: setMonitorListen("httpPort"),
    monitor_listen: setMonitorListen("httpPort"),
    https: setMonitorListen("httpsPort"),
    http_port: (s, c, v) => {
      s.opts.httpPort = readPort(c, v);
    },
    monitor_port: (s, c, v) => {
      s.opts.httpPort = readPort(c, v);
    },
    https_port: (s, c, v) => {
      s.opts.httpsPort = readPort(c, v);
    },
    max_payload: setInt32("maxPayload"),
    max_control_line: setInt32("maxControlLine"),
    max_connections: setCount("maxConnections"),
    max_conn: setCount("maxConnections"),
    max_subscriptions: setCount("maxSubscriptions"),
    max_subs: setCount("maxSubscriptions"),
    max_pending: (s, c, v) => {
      s.opts.maxPending = readIntIn(c, v, 1, Number.MAX_SAFE_INTEGER);
    },
    ping_interval: setDuration("pingInterval"),
    ping_max: setCount("maxPingsOutstanding"),
    max_pings_outstanding: setCount("maxPingsOutstanding"),
    write_deadline: setDuration("writeDeadline"),
    debug: setFlag("debug"),
    trace: setFlag("trace"),
    trace_verbose: (s, c, v) => {
      s.opts.traceVerbose = readBool(c, v);
      s.opts.trace = s.opts.traceVerbose;
    },
    logtime: setFlag("logtime"),
    log_file: setText("logFile"),
    logfile: setText("logFile"),
    pid_file: setText("pidFile"),
    pidfile: setText("pidFile"),
    ports_file_dir: setText("portsFileDir"),
    lame_duck_duration: setLameDuckDuration,
    no_auth_user: setText("noAuthUser"),
    authorization: mapAuthorization,
    jetstream: mapJetStream,
    websocket: mapWebsocket,
    ws: mapWebsocket,
    mqtt: mapMqtt,
    store_dir: setTopLevelStoreDir,
    storedir: setTopLevelStoreDir,
  },
  passThrough: passThroughTable({
    accounts: [],
    tls: [],
    cluster: [],
    leafnodes: ["leaf"],
    gateway: [],
    system_account: ["system"],
    no_system_account: ["no_system", "no_sys_acc"],
    operator: ["operators", "root", "roots", "root_operator", "root_operators"],
    resolver: ["account_resolver", "accounts_resolver"],
    resolver_tls: [],
    resolver_preload: [],
    resolver_pinned_accounts: [],
    trusted: ["trusted_keys"],
    mappings: ["maps"],
    server_tags: [],
    default_js_domain: [],
    client_advertise: [],
    disable_sublist_cache: ["no_sublist_cache"],
    no_header_support: [],
    ocsp: [],
    allow_non_tls: [],
    lame_duck_grace_period: [],
    max_traced_msg_len: [],
    max_sub_tokens: ["max_subscription_tokens"],
    prof_port: [],
    logfile_size_limit: ["log_size_limit"],
    syslog: [],
    remote_syslog: [],
    connect_error_reports: [],
    reconnect_error_reports: [],
    http_base_path: [],
  }),
};

// Maps the raw `cluster { }` block (config file, or the --routes/--cluster/--cluster_name flags that land in
// options.extra.cluster) onto typed ClusterOptions, with nats-server's key spellings (server/opts.go parseCluster).

import { ConfigError } from "./config-error.js";

export interface ClusterOptions {
  /** Cluster name; undefined = a dynamic name is generated and the first configured peer's is adopted. */
  name?: string;
  host: string;
  /** 0 = a random free port (the config's -1). */
  port: number;
  /** Route URLs to solicit (`nats-route://[user:pass@]host:port`). */
  routes: URL[];
  username?: string;
  password?: string;
  /** Seconds to receive CONNECT on an accepted route when authorization is set. */
  authTimeout: number;
  /** Do not advertise peers' client URLs to our clients (connect_urls). */
  noAdvertise: boolean;
  /** Retries for implicit (gossiped) routes; 0 = one attempt. */
  connectRetries: number;
  /** host:port advertised to other servers instead of the listen address. */
  advertise?: string;
}

const DEFAULT_CLUSTER_HOST = "0.0.0.0";
const DEFAULT_AUTH_TIMEOUT_S = 2;

/** null when there is no cluster block or it has no listen port (nats-server: no routing then). */
export function clusterOptionsFrom(raw: unknown): ClusterOptions | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError("cluster must be a map");
  const block = raw as Record<string, unknown>;
  const opts: ClusterOptions = {
    host: DEFAULT_CLUSTER_HOST,
    port: -1,
    routes: [],
    authTimeout: DEFAULT_AUTH_TIMEOUT_S,
    noAdvertise: false,
    connectRetries: 0,
  };
  for (const [key, value] of Object.entries(block)) applyKey(opts, key.toLowerCase(), value);
  if (opts.port < 0) return null;
  return opts;
}

function applyKey(opts: ClusterOptions, key: string, v: unknown): void {
  switch (key) {
    case "name":
      opts.name = str(key, v);
      return;
    case "listen":
      applyListen(opts, v);
      return;
    case "host":
    case "net":
      opts.host = str(key, v);
      return;
    case "port":
      opts.port = port(key, v);
      return;
    case "routes":
      opts.routes = routeList(v);
      return;
    case "authorization":
      applyAuthorization(opts, v);
      return;
    case "no_advertise":
      opts.noAdvertise = v === true || v === "true";
      return;
    case "connect_retries":
      opts.connectRetries = int(key, v);
      return;
    case "advertise":
    case "cluster_advertise":
      opts.advertise = str(key, v);
      return;
    default:
      // tls, permissions, pool_size, compression...: accepted and not mapped yet.
      return;
  }
}

/** `listen` is `host:port`, `:port`, a bare port, or a URL as given to --cluster (`nats://host:port`). */
function applyListen(opts: ClusterOptions, v: unknown): void {
  if (typeof v === "number") {
    opts.port = port("listen", v);
    return;
  }
  const s = str("listen", v);
  const hp = s.includes("://") ? new URL(s) : null;
  const host = hp !== null ? hp.hostname : s.slice(0, Math.max(0, s.lastIndexOf(":")));
  const portText = hp !== null ? hp.port : s.slice(s.lastIndexOf(":") + 1);
  if (host !== "") opts.host = host.replace(/^\[|\]$/g, "");
  opts.port = port("listen", Number(portText === "" ? "-1" : portText));
}

function applyAuthorization(opts: ClusterOptions, v: unknown): void {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConfigError("cluster authorization must be a map");
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    const key = k.toLowerCase();
    if (key === "user" || key === "username") opts.username = str(key, value);
    else if (key === "password" || key === "pass") opts.password = str(key, value);
    else if (key === "timeout") opts.authTimeout = Number(value);
  }
}

function routeList(v: unknown): URL[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((r) => {
    const s = str("routes", r);
    try {
      return new URL(s.includes("://") ? s : `nats-route://${s}`);
    } catch {
      throw new ConfigError(`error parsing route url [${JSON.stringify(s)}]`);
    }
  });
}

function str(key: string, v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new ConfigError(`cluster ${key}: expected a string`);
}

function int(key: string, v: unknown): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n))
    throw new ConfigError(`cluster ${key}: expected an integer`);
  return n;
}

/** -1 in the file means a random port; we use 0 for that internally (the listener picks one). */
function port(key: string, v: unknown): number {
  const n = int(key, v);
  if (n === -1) return 0;
  if (n < 0 || n > 65535) throw new ConfigError(`cluster ${key}: port ${n} out of range`);
  return n;
}

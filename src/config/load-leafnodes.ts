// Maps the raw `leafnodes { }` block (options.extra.leafnodes) onto typed LeafNodeOptions, with nats-server's
// key spellings (server/opts.go parseLeafNodes, parseRemoteLeafNodes): remotes we dial, and a listener for
// leaf nodes that dial us (single-user authorization).

import { ConfigError } from "./config-error.js";

export interface LeafRemoteOptions {
  /** URLs to try in turn (`nats-leaf://[user:pass@]host:port`); `url` and `urls` both land here. */
  urls: URL[];
  /** The local account this link is bound to ($G when absent). */
  account?: string;
  /** A .creds file (user JWT + seed); not supported yet, refused at startup. */
  credentials?: string;
}

export interface LeafNodeOptions {
  remotes: LeafRemoteOptions[];
  /** Listener for leaf nodes dialling us; absent = none. Port 0 = random (the config's -1). */
  listen?: { host: string; port: number };
  /** `authorization { user, password, account }` of the listener. */
  username?: string;
  password?: string;
  /** Account accepted leaf nodes are bound to ($G when absent). */
  account?: string;
  /** Seconds between reconnect attempts (nats-server `reconnect`, default 1s); doubled up to 30 s while failing. */
  reconnectSeconds: number;
}

export function leafNodeOptionsFrom(raw: unknown): LeafNodeOptions | null {
  if (raw === undefined || raw === null) return null;
  const block = asMap("leafnodes", raw);
  const opts: LeafNodeOptions = { remotes: [], reconnectSeconds: 1 };
  for (const [k, v] of Object.entries(block)) {
    const key = k.toLowerCase();
    if (key === "remotes") opts.remotes = (Array.isArray(v) ? v : [v]).map(remoteFrom);
    else if (key === "reconnect" || key === "reconnect_delay") opts.reconnectSeconds = Number(v);
    else if (key === "listen") opts.listen = listenFrom(v, opts.listen);
    else if (key === "host") opts.listen = { host: String(v), port: opts.listen?.port ?? 7422 };
    else if (key === "port") opts.listen = { host: opts.listen?.host ?? "0.0.0.0", port: portFrom(v) };
    else if (key === "authorization") authorizationFrom(opts, v);
  }
  return opts.remotes.length > 0 || opts.listen !== undefined ? opts : null;
}

/** `host:port`, `:port` or a bare port; -1 = random. */
function listenFrom(
  v: unknown,
  prev: { host: string; port: number } | undefined,
): { host: string; port: number } {
  if (typeof v === "number") return { host: prev?.host ?? "0.0.0.0", port: portFrom(v) };
  const s = String(v);
  const i = s.lastIndexOf(":");
  const host = i > 0 ? s.slice(0, i).replace(/^\[|\]$/g, "") : (prev?.host ?? "0.0.0.0");
  return { host, port: portFrom(i >= 0 ? s.slice(i + 1) : s) };
}

function portFrom(v: unknown): number {
  const n = Number(v);
  if (n === -1) return 0;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`leafnodes: bad port ${JSON.stringify(v)}`);
  return n;
}

function authorizationFrom(opts: LeafNodeOptions, v: unknown): void {
  for (const [k, value] of Object.entries(asMap("leafnodes authorization", v))) {
    const key = k.toLowerCase();
    if (key === "user" || key === "username") opts.username = String(value);
    else if (key === "password" || key === "pass") opts.password = String(value);
    else if (key === "account") opts.account = String(value);
  }
}

function remoteFrom(raw: unknown): LeafRemoteOptions {
  const block = asMap("leafnodes remote", raw);
  const remote: LeafRemoteOptions = { urls: [] };
  for (const [k, v] of Object.entries(block)) {
    const key = k.toLowerCase();
    if (key === "url" || key === "urls") remote.urls.push(...(Array.isArray(v) ? v : [v]).map(urlFrom));
    else if (key === "account" || key === "local") remote.account = String(v);
    else if (key === "credentials") remote.credentials = String(v);
  }
  if (remote.urls.length === 0) throw new ConfigError("leafnode remote has no url");
  return remote;
}

function urlFrom(v: unknown): URL {
  const s = String(v);
  try {
    return new URL(s.includes("://") ? s : `nats-leaf://${s}`);
  } catch {
    throw new ConfigError(`error parsing leafnode remote url [${JSON.stringify(s)}]`);
  }
}

function asMap(what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${what} must be a map`);
  return v as Record<string, unknown>;
}

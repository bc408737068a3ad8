// Maps the raw `leafnodes { }` block (options.extra.leafnodes) onto typed LeafNodeOptions, with nats-server's
// key spellings (server/opts.go parseLeafNodes, parseRemoteLeafNodes). Only remotes (solicited links) for now.

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
  }
  return opts.remotes.length > 0 ? opts : null;
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

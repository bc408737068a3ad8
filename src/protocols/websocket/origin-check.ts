// The Origin checks of the upgrade request (`same_origin`, `allowed_origins`), with nats-server's rules
// (websocket.go checkOrigin, wsGetHostAndPort): checked only when configured and when the header is present.

import type { IncomingMessage } from "node:http";

interface HostPort {
  host: string;
  port: string;
}

interface AllowedOrigin {
  scheme: string;
  port: string;
}

/** "scheme://[userinfo@]authority..." → scheme and authority; null when the text is not an absolute URL. */
function splitOrigin(origin: string): { scheme: string; authority: string } | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(origin);
  if (m === null) return null;
  const at = m[2]!.lastIndexOf("@");
  return { scheme: m[1]!.toLowerCase(), authority: at < 0 ? m[2]! : m[2]!.slice(at + 1) };
}

/**
 * Go's net.SplitHostPort, where a missing port means the scheme's default (443 only for TLS, as
 * nats-server). The host is lower-cased. Null when the text cannot be split (e.g. a bare IPv6 address).
 */
export function hostAndPort(tls: boolean, hostport: string): HostPort | null {
  const defaultPort = tls ? "443" : "80";
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) return null;
    const host = hostport.slice(1, close).toLowerCase();
    const rest = hostport.slice(close + 1);
    if (rest === "") return { host, port: defaultPort };
    if (!rest.startsWith(":") || rest.includes(":", 1)) return null;
    return { host, port: rest.slice(1) };
  }
  const colon = hostport.indexOf(":");
  if (colon < 0) return { host: hostport.toLowerCase(), port: defaultPort };
  if (hostport.indexOf(":", colon + 1) >= 0) return null;
  return { host: hostport.slice(0, colon).toLowerCase(), port: hostport.slice(colon + 1) };
}

export class OriginChecker {
  private readonly allowed = new Map<string, AllowedOrigin>();

  constructor(
    private readonly sameOrigin: boolean,
    allowedOrigins: readonly string[],
  ) {
    for (const origin of allowedOrigins) {
      const parts = splitOrigin(origin);
      if (parts === null) throw new Error(`unable to parse allowed origin: ${JSON.stringify(origin)}`);
      const hp = hostAndPort(parts.scheme === "https", parts.authority);
      if (hp === null) throw new Error(`unable to parse allowed origin: ${JSON.stringify(origin)}`);
      // Keyed by host like nats-server's map: a later entry for the same host replaces an earlier one.
      this.allowed.set(hp.host, { scheme: parts.scheme, port: hp.port });
    }
  }

  get enabled(): boolean {
    return this.sameOrigin || this.allowed.size > 0;
  }

  /** Null when the request may proceed, else why not (for the log; the client gets a bare 403). */
  check(req: IncomingMessage, tls: boolean): string | null {
    if (!this.enabled) return null;
    const header = req.headers.origin ?? req.headers["sec-websocket-origin"];
    const origin = Array.isArray(header) ? header[0] : header;
    // RFC 6455 1.6: a client that is not a browser may send no Origin; nats-server accepts it.
    if (origin === undefined || origin === "") return null;
    const parts = splitOrigin(origin);
    if (parts === null) return `parse ${JSON.stringify(origin)}: invalid URI for request`;
    const o = hostAndPort(parts.scheme === "https", parts.authority);
    if (o === null) return `invalid origin host ${JSON.stringify(parts.authority)}`;
    if (this.sameOrigin) {
      const r = hostAndPort(tls, req.headers.host ?? "");
      if (r === null) return `invalid host ${JSON.stringify(req.headers.host)}`;
      if (o.host !== r.host || o.port !== r.port) return "not same origin";
    }
    if (this.allowed.size > 0) {
      const a = this.allowed.get(o.host);
      if (a === undefined || a.scheme !== parts.scheme || a.port !== o.port) return "not in the allowed list";
    }
    return null;
  }
}

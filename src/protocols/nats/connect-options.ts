// The CONNECT JSON of a NATS client, validated where it enters. Absent fields take nats-server's
// defaults (verbose, pedantic and echo on: an empty `CONNECT {}` gets +OK replies).

export interface ConnectOptions {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  tlsRequired: boolean;
  name: string;
  lang: string;
  version: string;
  protocol: number;
  user?: string;
  pass?: string;
  authToken?: string;
  nkey?: string;
  sig?: string;
  jwt?: string;
}

/** Options in force before CONNECT arrives: nats-server's defaults (verbose and pedantic on). */
export function defaultConnectOptions(): ConnectOptions {
  return {
    verbose: true,
    pedantic: true,
    echo: true,
    headers: false,
    noResponders: false,
    tlsRequired: false,
    name: "",
    lang: "",
    version: "",
    protocol: 0,
  };
}

const BOOL_FIELDS = ["verbose", "pedantic", "echo", "headers", "no_responders", "tls_required"] as const;
const STRING_FIELDS = [
  "name",
  "lang",
  "version",
  "user",
  "pass",
  "auth_token",
  "nkey",
  "sig",
  "jwt",
] as const;

/**
 * Parses CONNECT's JSON; returns null when it is not a JSON object or a known field has the wrong type
 * (nats-server's json.Unmarshal fails then, and the client is closed without an -ERR). JSON null leaves
 * a field at its default, as in Go.
 */
export function parseConnectOptions(json: string): ConnectOptions | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  for (const k of BOOL_FIELDS) if (o[k] != null && typeof o[k] !== "boolean") return null;
  for (const k of STRING_FIELDS) if (o[k] != null && typeof o[k] !== "string") return null;
  if (o.protocol != null && (typeof o.protocol !== "number" || !Number.isInteger(o.protocol))) return null;
  const bool = (k: string, d: boolean): boolean => (typeof o[k] === "boolean" ? (o[k] as boolean) : d);
  const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  return {
    verbose: bool("verbose", true),
    pedantic: bool("pedantic", true),
    echo: bool("echo", true),
    headers: bool("headers", false),
    noResponders: bool("no_responders", false),
    tlsRequired: bool("tls_required", false),
    name: str("name") ?? "",
    lang: str("lang") ?? "",
    version: str("version") ?? "",
    protocol: typeof o.protocol === "number" ? o.protocol : 0,
    user: str("user"),
    pass: str("pass"),
    authToken: str("auth_token"),
    nkey: str("nkey"),
    sig: str("sig"),
    jwt: str("jwt"),
  };
}

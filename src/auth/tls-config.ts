// The client port's `tls { }` block (nats-server opts.go parseTLS): certificate files, client
// verification, verify_and_map, handshake timeout and TLS-first, turned into a Node secure context.

import { readFileSync } from "node:fs";
import { SecurityConfigError } from "./security-config.js";

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** Require a client certificate signed by the CA. */
  verify: boolean;
  /** verify, and take the user from the certificate. */
  verifyAndMap: boolean;
  /** Milliseconds for the handshake (nats-server default 2s; `timeout` is in seconds). */
  timeoutMs: number;
  /** Handshake before INFO (nats-server 2.10 `handshake_first`); otherwise INFO then upgrade. */
  handshakeFirst: boolean;
}

/** nats-server DEFAULT_TLS_TIMEOUT. */
const DEFAULT_TLS_TIMEOUT_MS = 2000;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads `extra.tls`; undefined when there is no block. */
export function tlsConfigFrom(raw: unknown): TlsConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isMap(raw)) throw new SecurityConfigError("tls: expected a map");
  const cfg: Partial<TlsConfig> = {
    verify: false,
    verifyAndMap: false,
    timeoutMs: DEFAULT_TLS_TIMEOUT_MS,
    handshakeFirst: false,
  };
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    switch (key.toLowerCase()) {
      case "cert_file":
        cfg.certFile = String(v);
        break;
      case "key_file":
        cfg.keyFile = String(v);
        break;
      case "ca_file":
        cfg.caFile = String(v);
        break;
      case "verify":
        cfg.verify = v === true;
        break;
      case "verify_and_map":
        cfg.verifyAndMap = v === true;
        if (v === true) cfg.verify = true;
        break;
      case "timeout":
        if (typeof v !== "number") throw new SecurityConfigError("tls: timeout must be a number of seconds");
        cfg.timeoutMs = v * 1000;
        break;
      case "handshake_first":
      case "first":
        cfg.handshakeFirst = v === true;
        break;
      default:
        // Ciphers, curve preferences, pinned certs, OCSP: accepted, Node's defaults apply.
        break;
    }
  }
  if (cfg.certFile === undefined || cfg.keyFile === undefined)
    throw new SecurityConfigError("missing 'cert_file' or 'key_file' in TLS configuration");
  return cfg as TlsConfig;
}

/** Reads the certificate files; throws naming the file that could not be read. */
export function tlsFiles(cfg: TlsConfig): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new SecurityConfigError(`error loading TLS file ${path}: ${(err as Error).message}`);
    }
  };
  const files: { cert: Buffer; key: Buffer; ca?: Buffer } = {
    cert: read(cfg.certFile),
    key: read(cfg.keyFile),
  };
  if (cfg.caFile !== undefined) files.ca = read(cfg.caFile);
  return files;
}

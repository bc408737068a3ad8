// Typed readers for values of the parsed config tree: each checks the type and range of one key's
// value and throws a ConfigError naming the key and where it was written.

import { ConfigError, type SourcePos } from "./config-error.js";
import { isConfigMap } from "./tree-meta.js";
import { parseGoDuration } from "./units.js";

/** The key being mapped: its dotted path for messages and its position in the file. */
export class KeyContext {
  constructor(
    readonly path: string,
    readonly pos: SourcePos | undefined,
    readonly file: string,
  ) {}

  fail(reason: string): never {
    throw new ConfigError(`${this.path}: ${reason}`, this.pos ?? { file: this.file });
  }

  /** `file:line:col: path: reason`, for warnings that do not stop loading. */
  describe(reason: string): string {
    return new ConfigError(`${this.path}: ${reason}`, this.pos ?? { file: this.file }).message;
  }
}

/** A short description of a value's type for error messages. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `integer ${v}` : `float ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  if (isConfigMap(v)) return "map";
  return typeof v;
}

export function readString(c: KeyContext, v: unknown): string {
  if (typeof v !== "string") c.fail(`expected a string, got ${describeValue(v)}`);
  return v;
}

export function readBool(c: KeyContext, v: unknown): boolean {
  if (typeof v !== "boolean") c.fail(`expected a boolean, got ${describeValue(v)}`);
  return v;
}

export function readInt(c: KeyContext, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) c.fail(`expected an integer, got ${describeValue(v)}`);
  return v;
}

/** An integer within [min, max]. */
export function readIntIn(c: KeyContext, v: unknown, min: number, max: number): number {
  const n = readInt(c, v);
  if (n < min)
    c.fail(min === 0 ? `value can not be negative, got ${n}` : `value must be at least ${min}, got ${n}`);
  if (n > max) c.fail(`value is too big, got ${n} (maximum ${max})`);
  return n;
}

export const INT32_MAX = 2 ** 31 - 1;

/**
 * A duration in milliseconds: a Go duration string ("2m", "1h30m", "500ms"), or a bare number of
 * seconds, which nats-server accepts with a warning (note an unquoted `2m` is the integer 2,000,000).
 */
export function readDurationMs(c: KeyContext, v: unknown, warnings: string[] | undefined): number {
  if (typeof v === "string") {
    try {
      return parseGoDuration(v);
    } catch (err) {
      c.fail(`error parsing duration: ${(err as Error).message}`);
    }
  }
  if (typeof v === "number") {
    warnings?.push(c.describe("should be converted to a duration string (a bare number is seconds)"));
    return v * 1000;
  }
  c.fail(`expected a duration string like "2m" or a number of seconds, got ${describeValue(v)}`);
}

export interface HostPort {
  /** Empty when only a port was given. */
  host: string;
  port: number;
}

/** `listen`/`http` style: a port number, or "host:port" / ":port" / "[::1]:port" (Go's net.SplitHostPort). */
export function readHostPort(c: KeyContext, v: unknown): HostPort {
  if (typeof v === "number") return { host: "", port: readPort(c, v) };
  if (typeof v !== "string") c.fail(`expected port or host:port, got ${describeValue(v)}`);
  const split = splitHostPort(v);
  if (!split) c.fail(`could not parse address string ${JSON.stringify(v)}`);
  if (!/^[+-]?\d+$/.test(split.port)) c.fail(`could not parse port ${JSON.stringify(split.port)}`);
  return { host: split.host, port: readPort(c, Number(split.port)) };
}

/** A port: 0..65535, or -1 for "pick a random free port". */
export function readPort(c: KeyContext, v: unknown): number {
  return readIntIn(c, v, -1, 65535);
}

function splitHostPort(s: string): { host: string; port: string } | undefined {
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0 || s[close + 1] !== ":") return undefined;
    return { host: s.slice(1, close), port: s.slice(close + 2) };
  }
  const colon = s.lastIndexOf(":");
  if (colon < 0) return undefined;
  const host = s.slice(0, colon);
  if (host.includes(":")) return undefined; // IPv6 needs brackets
  return { host, port: s.slice(colon + 1) };
}

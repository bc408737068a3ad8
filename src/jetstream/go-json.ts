// JSON the way nats-server's Go code reads and writes it: typed field readers that fail where Go's
// encoding/json fails (wrong types, fractions in integers, out-of-range values), and an encoder
// that escapes like Go's json.Marshal, so API responses match nats-server's bytes.

/** A request body Go's json.Unmarshal would reject; API handlers answer it with "invalid JSON". */
export class GoJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GoJsonError";
  }
}

export type JsonObject = Record<string, unknown>;

/** Parses a request body; a body that is not JSON throws GoJsonError. */
export function parseJson(body: Buffer | string): unknown {
  const text = typeof body === "string" ? body : body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new GoJsonError("invalid JSON");
  }
}

/**
 * The body as a Go struct would take it: an object, or null for JSON `null` (Go leaves the struct
 * at its zero value). Anything else (array, string, number) is a type error.
 */
export function asObject(value: unknown): JsonObject | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw new GoJsonError("expected an object");
  return value as JsonObject;
}

/**
 * A struct field's value: exact key first, then a case-insensitive match (Go's encoding/json
 * matches keys that way). `undefined` when absent or JSON null (Go keeps the zero value).
 */
export function field(obj: JsonObject | null, name: string): unknown {
  if (obj === null) return undefined;
  let v = obj[name];
  if (v === undefined) {
    const lower = name.toLowerCase();
    for (const k of Object.keys(obj)) {
      if (k.toLowerCase() === lower) {
        v = obj[k];
        break;
      }
    }
  }
  return v === null ? undefined : v;
}

export function readString(obj: JsonObject | null, name: string): string | undefined {
  const v = field(obj, name);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new GoJsonError(`${name}: expected a string`);
  return v;
}

export function readBool(obj: JsonObject | null, name: string): boolean | undefined {
  const v = field(obj, name);
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new GoJsonError(`${name}: expected a boolean`);
  return v;
}

const INT_RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint16: [0, 65535],
  uint64: [0, 2 ** 64 - 1],
} as const;

export type IntKind = keyof typeof INT_RANGES;

/**
 * An integer field, accepted over Go's whole int64/uint64 range as nats-server does. Past 2^53 a
 * double holds only multiples of a power of two; the nanosecond durations clients send there
 * (`max_age` of a year: 31536000000000000) are such multiples and come back unchanged.
 */
export function readInt(obj: JsonObject | null, name: string, kind: IntKind = "int64"): number | undefined {
  const v = field(obj, name);
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new GoJsonError(`${name}: expected an integer`);
  const [min, max] = INT_RANGES[kind];
  if (v < min || v > max) throw new GoJsonError(`${name}: out of range`);
  return v;
}

export function readStringArray(obj: JsonObject | null, name: string): string[] | undefined {
  const v = field(obj, name);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new GoJsonError(`${name}: expected an array`);
  return v.map((s) => {
    if (typeof s !== "string") throw new GoJsonError(`${name}: expected strings`);
    return s;
  });
}

/** A nested struct field (pointer in Go): undefined when absent or null. */
export function readObject(obj: JsonObject | null, name: string): JsonObject | undefined {
  const v = field(obj, name);
  if (v === undefined) return undefined;
  return asObject(v) ?? undefined;
}

/** A map[string]string field. */
export function readStringMap(obj: JsonObject | null, name: string): Record<string, string> | undefined {
  const m = readObject(obj, name);
  if (m === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw new GoJsonError(`${name}: expected string values`);
    out[k] = v;
  }
  return out;
}

/** An enum carried as a string (Go types with UnmarshalJSON that reject unknown names). */
export function readEnum<T extends string>(
  obj: JsonObject | null,
  name: string,
  values: readonly T[],
): T | undefined {
  const v = readString(obj, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new GoJsonError(`${name}: can not unmarshal "${v}"`);
  return v as T;
}

const GO_ESCAPES = /[<>&\u2028\u2029]/g;
/** Without the g flag: test() on a global regex would carry lastIndex between calls. */
const HAS_GO_ESCAPE = /[<>&\u2028\u2029]/;

function goEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** JSON.stringify plus Go's HTML-safe escaping of <, >, & and U+2028/U+2029. */
export function goJson(value: unknown): string {
  const s = JSON.stringify(value);
  return HAS_GO_ESCAPE.test(s) ? s.replace(GO_ESCAPES, goEscape) : s;
}

/**
 * isEmptyRequest from nats-server: no body, `{}`, or any JSON object without members.
 * Bodies that are not JSON objects are not empty.
 */
export function isEmptyRequest(body: Buffer): boolean {
  if (body.length === 0) return true;
  if (body.length === 2 && body[0] === 0x7b && body[1] === 0x7d) return true;
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    return false;
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;
}

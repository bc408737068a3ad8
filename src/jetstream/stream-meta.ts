// A file stream's metadata on disk: `<stream dir>/meta.inf` holds `{"Created": ..., <config>}` as
// nats-server writes it, `meta.sum` its SHA-256. Written atomically (temp file, fsync, rename, fsync dir).

import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { formatRfc3339Nano } from "../storage/store.js";

export const META_FILE = "meta.inf";
export const META_SUM_FILE = "meta.sum";

export interface CreatedTime {
  ms: number;
  nanos: number;
}

/** Now, with a sub-millisecond part from the high-resolution clock (nats-server reports nanoseconds). */
export function createdNow(): CreatedTime {
  return { ms: Date.now(), nanos: Number(process.hrtime.bigint() % 1_000_000n) };
}

export function formatCreated(t: CreatedTime): string {
  return formatRfc3339Nano(t.ms, t.nanos);
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parses an RFC 3339 time with up to nanosecond precision; null when malformed. */
export function parseRfc3339Nano(s: string): CreatedTime | null {
  const m = RFC3339.exec(s);
  if (m === null) return null;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return null;
  const fraction = (m[2] ?? "").padEnd(9, "0");
  const totalNanos = Number(fraction);
  return { ms: base + Math.floor(totalNanos / 1_000_000), nanos: totalNanos % 1_000_000 };
}

/** Writes `data` to `path` so that a crash leaves either the old or the new file, never a torn one. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o640);
  try {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dir);
}

/** fsync on the directory makes the rename itself durable (POSIX); not possible on every platform. */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open directories; the rename is as durable as the platform makes it.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function writeStreamMeta(streamDir: string, created: CreatedTime, config: object): void {
  const json = JSON.stringify({ Created: formatCreated(created), ...config });
  writeFileAtomic(join(streamDir, META_FILE), json);
  writeFileAtomic(join(streamDir, META_SUM_FILE), createHash("sha256").update(json).digest("hex"));
}

export interface StreamMeta {
  created: CreatedTime;
  /** The stored config object (without Created), to be read like a create request. */
  config: Record<string, unknown>;
}

/** Reads a stream's metadata; throws with a reason when it is missing, corrupt or fails its checksum. */
export function readStreamMeta(streamDir: string): StreamMeta {
  const path = join(streamDir, META_FILE);
  const text = readFileSync(path, "utf8");
  const sumPath = join(streamDir, META_SUM_FILE);
  if (existsSync(sumPath)) {
    const want = readFileSync(sumPath, "utf8").trim();
    const got = createHash("sha256").update(text).digest("hex");
    if (want !== got) throw new Error(`${path}: checksum mismatch`);
  }
  const parsed = JSON.parse(text) as unknown;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error(`${path}: not an object`);
  const { Created, ...config } = parsed as Record<string, unknown>;
  const created = typeof Created === "string" ? parseRfc3339Nano(Created) : null;
  return { created: created ?? createdNow(), config };
}

// RFC 3339 times as Go's time.Time reads and prints them in JSON (opt_start_time): parsing to a Unix
// millisecond/nanosecond pair, and re-printing with the zone kept and the fraction trimmed.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** A time as Unix milliseconds plus nanoseconds within the millisecond. */
export interface TimePoint {
  ms: number;
  nanos: number;
}

/** Parses an RFC 3339 time (as Go's time.Time JSON does); null when malformed. */
export function parseRfc3339(text: string): (TimePoint & { zone: string; fraction: string }) | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(base) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMs = 0;
  if (zone !== "Z") {
    const sign = zone![0] === "-" ? -1 : 1;
    offsetMs = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  const fracNanos = frac === "" ? 0 : Number(frac.padEnd(9, "0"));
  const ms = base - offsetMs + Math.floor(fracNanos / 1_000_000);
  return { ms, nanos: fracNanos % 1_000_000, zone: zone!, fraction: frac };
}

/** Re-prints an RFC 3339 time the way Go's time.Time MarshalJSON does (RFC3339Nano, zone kept). */
export function normalizeRfc3339(text: string): string | null {
  const t = parseRfc3339(text);
  if (t === null) return null;
  const frac = t.fraction.replace(/0+$/, "");
  const head = text.slice(0, 19);
  return `${head}${frac === "" ? "" : `.${frac}`}${t.zone}`;
}

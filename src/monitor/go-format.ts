// How nats-server's monitoring JSON spells times and durations (Go's time.Time, time.Duration and
// its own myUptime), so tools that parse /varz and /connz text get the same shapes from natsgate.

const NS_PER_MS = 1_000_000;

/** Go's RFC3339Nano as encoding/json writes a time.Time: UTC, fraction with trailing zeros dropped. */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.670Z
  const dot = iso.lastIndexOf(".");
  const frac = iso.slice(dot + 1, -1).replace(/0+$/, "");
  return frac.length === 0 ? `${iso.slice(0, dot)}Z` : `${iso.slice(0, dot)}.${frac}Z`;
}

/** Go's time.Duration.String() for a number of nanoseconds (e.g. "0s", "769µs", "2.5ms", "1m30s"). */
export function goDuration(ns: number): string {
  let u = Math.trunc(Math.abs(ns));
  const sign = ns < 0 ? "-" : "";
  if (u === 0) return "0s";
  if (u < 1_000) return `${sign}${u}ns`;
  if (u < 1_000_000) return `${sign}${fraction(u, 3)}µs`;
  if (u < 1_000_000_000) return `${sign}${fraction(u, 6)}ms`;
  let out = `${fraction(u % 60_000_000_000, 9)}s`;
  u = Math.floor(u / 60_000_000_000);
  if (u > 0) {
    out = `${u % 60}m${out}`;
    u = Math.floor(u / 60);
    if (u > 0) out = `${u}h${out}`;
  }
  return sign + out;
}

/** `v / 10^digits` with its fraction printed, trailing zeros (and a bare dot) dropped, like Go's fmtFrac. */
function fraction(v: number, digits: number): string {
  const scale = 10 ** digits;
  const whole = Math.floor(v / scale);
  const frac = String(v % scale)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return frac.length === 0 ? String(whole) : `${whole}.${frac}`;
}

/** Milliseconds as nanoseconds (Go durations in JSON are integer nanoseconds). */
export function msToNs(ms: number): number {
  return Math.round(ms * NS_PER_MS);
}

/** nats-server's myUptime: whole seconds shown as e.g. "3s", "4m5s", "1h0m0s", "2d3h4m5s", "1y0d0h0m0s". */
export function goUptime(ms: number): string {
  const tsecs = Math.max(0, Math.floor(ms / 1000));
  const tmins = Math.floor(tsecs / 60);
  const thrs = Math.floor(tmins / 60);
  const tdays = Math.floor(thrs / 24);
  const tyrs = Math.floor(tdays / 365);
  const s = tsecs % 60;
  const m = tmins % 60;
  const h = thrs % 24;
  if (tyrs > 0) return `${tyrs}y${tdays % 365}d${h}h${m}m${s}s`;
  if (tdays > 0) return `${tdays}d${h}h${m}m${s}s`;
  if (thrs > 0) return `${thrs}h${m}m${s}s`;
  if (tmins > 0) return `${tmins}m${s}s`;
  return `${tsecs}s`;
}

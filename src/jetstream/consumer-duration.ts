// Go time.Duration as JetStream consumers see it: durations travel as integer nanoseconds in JSON,
// NAK delays may be Go duration strings ("1.5s"), and some status texts print durations Go's way.

const NANOS_PER_MS = 1_000_000;

const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  μs: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  h: 3_600_000_000_000,
};

/** Nanoseconds to milliseconds for timers (sub-millisecond values round up so they still wait). */
export function nanosToMs(nanos: number): number {
  if (nanos <= 0) return 0;
  return Math.ceil(nanos / NANOS_PER_MS);
}

export function msToNanos(ms: number): number {
  return ms * NANOS_PER_MS;
}

/**
 * Go's time.ParseDuration: a signed sequence of decimal numbers with unit suffixes ("300ms", "-1.5h",
 * "2h45m"); "0" alone is allowed. Returns nanoseconds, or null when Go would return an error.
 */
export function parseGoDuration(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return null;
  let total = 0;
  const part = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (m === null) return null;
    const [whole, intPart, fracPart = "", unit] = m;
    if (intPart === "" && fracPart === "") return null;
    const factor = UNIT_NANOS[unit!];
    if (factor === undefined) return null;
    const value = Number(`${intPart === "" ? "0" : intPart}.${fracPart === "" ? "0" : fracPart}`);
    total += value * factor;
    s = s.slice(whole!.length);
  }
  return sign * Math.round(total);
}

/** Go's Duration.String(): "1h2m3.5s", "500ms", "1.5µs", "0s". */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  const neg = nanos < 0;
  let n = Math.abs(Math.trunc(nanos));
  let out: string;
  if (n < 1_000_000_000) {
    // Sub-second values use the largest unit that keeps an integer part: ns, µs or ms.
    if (n < 1_000) out = `${n}ns`;
    else if (n < 1_000_000) out = `${fraction(n, 1_000)}µs`;
    else out = `${fraction(n, 1_000_000)}ms`;
  } else {
    const h = Math.floor(n / 3_600_000_000_000);
    n -= h * 3_600_000_000_000;
    const m = Math.floor(n / 60_000_000_000);
    n -= m * 60_000_000_000;
    const secs = `${fraction(n, 1_000_000_000)}s`;
    if (h > 0) out = `${h}h${m}m${secs}`;
    else if (m > 0) out = `${m}m${secs}`;
    else out = secs;
  }
  return neg ? `-${out}` : out;
}

/** `value / unit` printed with the fraction's trailing zeros trimmed (Go's fmtFrac). */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

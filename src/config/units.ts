// Units of the configuration language: size suffixes on integers (conf/parse.go), JetStream storage
// size strings (server/opts.go getStorageSize) and Go duration strings (time.ParseDuration).

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// nats-server's parser: a bare letter is a power of 1000, a letter followed by b/i/ib a power of 1024.
const SIZE_POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * Converts an integer token as the lexer produced it (`1024`, `-5`, `1k`, `64KB`, `1MiB`) to a number.
 * `1k` = 1000 but `1kb`/`1ki`/`1kib` = 1024, as in nats-server. Throws a plain Error with nats-server's
 * wording; the parser adds the position.
 */
export function integerTokenValue(text: string): number {
  let end = 0;
  while (end < text.length && ((text[end]! >= "0" && text[end]! <= "9") || text[end] === "-")) end++;
  const digits = text.slice(0, end);
  let n: bigint;
  try {
    n = BigInt(digits);
  } catch {
    throw new Error(`expected integer, but got '${text}'`);
  }
  if (n < INT64_MIN || n > INT64_MAX) throw new Error(`integer '${text}' is out of the range`);
  const suffix = text.slice(end).trim().toLowerCase();
  if (suffix === "") return Number(n);
  const power = SIZE_POWERS[suffix[0]!];
  const rest = suffix.slice(1);
  if (power === undefined || !["", "b", "i", "ib"].includes(rest)) {
    // nats-server silently drops such a value (e.g. `1kbb`); naming it is kinder.
    throw new Error(`invalid size suffix in '${text}'`);
  }
  const base = rest === "" ? 1000n : 1024n;
  return Number(n * base ** BigInt(power));
}

const STORAGE_SHIFTS: Record<string, bigint> = { K: 10n, M: 20n, G: 30n, T: 40n };

/**
 * JetStream's max_memory_store / max_file_store: an integer (bytes, already suffix-converted by the
 * parser) or a string ending in K, M, G or T (powers of 1024; upper case only, as nats-server 2.9.10).
 */
export function storageSize(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v !== "string") throw new Error("must be int64 or string");
  if (v === "") return 0;
  const shift = STORAGE_SHIFTS[v.slice(-1)];
  const prefix = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(prefix)) throw new Error(`strconv.ParseInt: parsing "${prefix}": invalid syntax`);
  if (shift === undefined) throw new Error("sizes defined as strings must end in K, M, G, T");
  return Number(BigInt(prefix) << shift);
}

const DURATION_UNITS_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3, // micro sign
  "\u03bcs": 1e3, // Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's time.ParseDuration ("300ms", "-1.5h", "2h45m"), returning milliseconds (possibly fractional).
 * Errors carry Go's wording, e.g. `time: missing unit in duration "5"`.
 */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  const invalid = () => new Error(`time: invalid duration ${quoted}`);
  let i = 0;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  if (s.slice(i) === "0") return 0;
  if (i >= s.length) throw invalid();
  let totalNs = 0;
  while (i < s.length) {
    const numStart = i;
    while (i < s.length && isDigit(s[i]!)) i++;
    const intPart = s.slice(numStart, i);
    let fracPart = "";
    if (s[i] === ".") {
      const fracStart = ++i;
      while (i < s.length && isDigit(s[i]!)) i++;
      fracPart = s.slice(fracStart, i);
    }
    if (intPart === "" && fracPart === "") throw invalid();
    const unitStart = i;
    while (i < s.length && s[i] !== "." && !isDigit(s[i]!)) i++;
    const unit = s.slice(unitStart, i);
    if (unit === "") throw new Error(`time: missing unit in duration ${quoted}`);
    const scale = DURATION_UNITS_NS[unit];
    if (scale === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    totalNs += Number(`${intPart || "0"}.${fracPart || "0"}`) * scale;
  }
  if (totalNs > 2 ** 63) throw invalid();
  return (sign * totalNs) / 1e6;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

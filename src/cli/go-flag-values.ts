// Value syntax of Go's flag package, which nats-server's command line uses: booleans as
// strconv.ParseBool reads them and integers as strconv.ParseInt(s, 0, 64) does (0x, 0o, 0b, 0 prefixes).

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Returns the boolean, or undefined when Go would report a parse error. */
export function parseGoBool(s: string): boolean | undefined {
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const DIGITS_BY_BASE: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};
const PREFIX_BY_BASE: Record<number, string> = { 2: "0b", 8: "0o", 10: "", 16: "0x" };

/** Go's strconv.ParseInt(s, 0, 64): the number, or Go's error word ("parse error" / "value out of range"). */
export function parseGoInt(s: string): number | "parse error" | "value out of range" {
  let body = s;
  let negative = false;
  if (body[0] === "+" || body[0] === "-") {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  let base = 10;
  const prefix = body.slice(0, 2).toLowerCase();
  if (prefix === "0x" || prefix === "0o" || prefix === "0b") {
    base = prefix === "0x" ? 16 : prefix === "0o" ? 8 : 2;
    body = body.slice(2);
    if (body.startsWith("_")) body = body.slice(1); // "0x_1F" is allowed
  } else if (body.length > 1 && body[0] === "0") {
    base = 8;
    body = body.slice(1);
  }
  // Underscores may only separate digits.
  if (body.startsWith("_") || body.endsWith("_") || body.includes("__")) return "parse error";
  body = body.replaceAll("_", "");
  if (!DIGITS_BY_BASE[base]!.test(body)) return "parse error";
  let n = BigInt(PREFIX_BY_BASE[base] + body);
  if (negative) n = -n;
  if (n < INT64_MIN || n > INT64_MAX) return "value out of range";
  return Number(n);
}

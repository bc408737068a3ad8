// Character scanner for the nats-server configuration language. The parser asks it for a key, a
// scalar or an include path; it applies nats-server's token rules (conf/lex.go, v2.9.10).

import { ConfigError, type SourcePos } from "./config-error.js";

export type ScalarKind = "string" | "bool" | "integer" | "float" | "datetime" | "variable";

export interface ScalarToken {
  kind: ScalarKind;
  /** Unquoted, unescaped text; for a variable the name without `$`. */
  text: string;
  pos: SourcePos;
}

export interface KeyToken {
  /** `include` followed by white space is the include keyword, not a key. */
  kind: "key" | "include";
  text: string;
  pos: SourcePos;
}

const EOF = "";
const BOOL_WORDS = new Set(["true", "false", "yes", "no", "on", "off"]);
const SIZE_SUFFIX = /^[kmgtpe]$/i;
const DATE_AFTER_YEAR = "00-00T00:00:00Z";
const SIMPLE_ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", '"': '"', "\\": "\\" };

export function isNewline(c: string): boolean {
  return c === "\n" || c === "\r";
}

/** Space or tab: what may sit between a key, its separator and a value on one line. */
export function isBlank(c: string): boolean {
  return c === " " || c === "\t";
}

/** Any Unicode white space, new lines included (Go's unicode.IsSpace). */
export function isSpace(c: string): boolean {
  return c !== EOF && /\s/.test(c);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isKeySeparator(c: string): boolean {
  return c === "=" || c === ":";
}

/** Where a bare string value ends. */
function endsBareString(c: string): boolean {
  return c === EOF || isNewline(c) || isBlank(c) || c === ";" || c === "," || c === "]" || c === "}";
}

/**
 * Where a number ends. nats-server omits `]`, which makes `[1, 2]` a syntax error there; accepting it
 * is a deliberate superset.
 */
function endsNumber(c: string): boolean {
  return c === EOF || isNewline(c) || isBlank(c) || c === ";" || c === "," || c === "}" || c === "]";
}

export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly input: string,
    private readonly file: string,
  ) {}

  peek(offset = 0): string {
    return this.input[this.pos + offset] ?? EOF;
  }

  atEof(): boolean {
    return this.pos >= this.input.length;
  }

  advance(): string {
    const c = this.input[this.pos] ?? EOF;
    if (c === EOF) return c;
    this.pos++;
    if (c === "\n") {
      this.line++;
      this.lineStart = this.pos;
    }
    return c;
  }

  position(): SourcePos {
    return { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 };
  }

  error(reason: string, pos: SourcePos = this.position()): ConfigError {
    return new ConfigError(reason, pos);
  }

  /** Skips spaces and tabs. */
  skipBlanks(): void {
    while (isBlank(this.peek())) this.advance();
  }

  /** Skips all white space, new lines included. */
  skipSpace(): void {
    while (isSpace(this.peek())) this.advance();
  }

  /** At `#` or `//`: consumes the comment up to (not including) the new line and returns true. */
  skipComment(): boolean {
    const c = this.peek();
    if (c !== "#" && !(c === "/" && this.peek(1) === "/")) return false;
    while (!this.atEof() && !isNewline(this.peek())) this.advance();
    return true;
  }

  /** Skips white space, new lines and comments: what may separate keys. */
  skipSpaceAndComments(): void {
    for (;;) {
      this.skipSpace();
      if (!this.skipComment()) return;
    }
  }

  /** Reads a key (bare, "double" or 'single' quoted) or the include keyword. */
  readKey(inMap: boolean): KeyToken {
    const pos = this.position();
    const c = this.peek();
    if (isKeySeparator(c)) throw this.error(`Unexpected key separator '${c}'${inMap ? "." : ""}`);
    if (inMap && c === "]") throw this.error("Unexpected array end ']' processing map.");
    if (c === '"' || c === "'") {
      this.advance();
      const start = this.pos;
      while (this.peek() !== c) {
        if (this.atEof()) throw this.error(this.quotedKeyEof(inMap, c));
        this.advance();
      }
      const text = this.input.slice(start, this.pos);
      this.advance();
      return { kind: "key", text, pos };
    }
    const start = this.pos;
    // `key{` without a space is an error in nats-server; treating `{` as the key's end is a superset.
    while (!isSpace(this.peek()) && !isKeySeparator(this.peek()) && this.peek() !== "{") {
      if (this.atEof()) {
        if (inMap) throw this.error("Unexpected EOF processing map key.");
        break;
      }
      this.advance();
    }
    const text = this.input.slice(start, this.pos);
    const keyword = isSpace(this.peek()) && text.toLowerCase() === "include";
    return { kind: keyword ? "include" : "key", text, pos };
  }

  private quotedKeyEof(inMap: boolean, quote: string): string {
    if (!inMap) return "Unexpected EOF.";
    return quote === '"'
      ? "Unexpected EOF processing double quoted map key."
      : "Unexpected EOF processing quoted map key.";
  }

  /**
   * After a key: skips white space (new lines too) and one `=` or `:`. At the top level only blanks
   * may follow the separator (nats-server: "Expected value but found new line"); inside a map new
   * lines may. Returns false when the input ends instead of a value.
   */
  skipKeySeparator(inMap: boolean): boolean {
    this.skipSpace();
    if (isKeySeparator(this.peek())) {
      this.advance();
      if (inMap) this.skipSpace();
    }
    return !this.atEof();
  }

  /** The path after the include keyword: quoted or bare. */
  readInclude(): { path: string; pos: SourcePos } {
    this.skipBlanks();
    const pos = this.position();
    const c = this.peek();
    if (c === "'" || c === '"') {
      this.advance();
      const start = this.pos;
      while (this.peek() !== c) {
        if (this.atEof())
          throw this.error(
            c === '"' ? "Unexpected EOF in double quoted include" : "Unexpected EOF in quoted include",
          );
        this.advance();
      }
      const path = this.input.slice(start, this.pos);
      this.advance();
      return { path, pos };
    }
    const bad = this.includeStartError(c);
    if (bad) throw this.error(bad);
    const start = this.pos;
    while (!this.atEof() && !isNewline(this.peek()) && !isBlank(this.peek())) {
      const d = this.peek();
      if (d === ";" || d === "}" || d === "'") break;
      this.advance();
    }
    const path = this.input.slice(start, this.pos);
    if (this.peek() === "'") this.advance();
    return { path, pos };
  }

  private includeStartError(c: string): string | undefined {
    if (c === "[") return "Expected include value but found start of an array";
    if (c === "{") return "Expected include value but found start of a map";
    if (c === "(") return "Expected include value but found start of a block";
    if (isDigit(c) || c === "-") return "Expected include value but found start of a number";
    if (c === "\\") return "Expected include value but found escape sequence";
    if (isNewline(c) || c === EOF) return "Expected include value but found new line";
    return undefined;
  }

  /** Reads a scalar value; the caller has skipped blanks and handled `[`, `{` and new lines. */
  readScalar(): ScalarToken {
    const pos = this.position();
    const c = this.peek();
    if (c === "'") return { kind: "string", text: this.readSingleQuoted(), pos };
    if (c === '"') return { kind: "string", text: this.readDoubleQuoted(), pos };
    if (c === "(") return { kind: "string", text: this.readBlock(), pos };
    if (c === "-") {
      const start = this.pos;
      const kind = this.readNegativeNumber();
      return { kind, text: this.input.slice(start, this.pos), pos };
    }
    if (c === ".") throw this.error("Floats must start with a digit");
    if (isDigit(c)) return this.readNumberOrString(pos);
    return this.readBare(this.pos, pos);
  }

  private readSingleQuoted(): string {
    this.advance();
    const start = this.pos;
    while (this.peek() !== "'") {
      if (this.atEof()) throw this.error("Unexpected EOF.");
      this.advance();
    }
    const text = this.input.slice(start, this.pos);
    this.advance();
    return text;
  }

  private readDoubleQuoted(): string {
    this.advance();
    const out = new StringBuilder();
    for (;;) {
      const c = this.peek();
      if (c === '"') break;
      if (this.atEof()) throw this.error("Unexpected EOF.");
      if (c === "\\") {
        this.advance();
        this.readEscape(out);
      } else {
        out.push(this.advance());
      }
    }
    this.advance();
    return out.toString();
  }

  /** One escape after `\`: \xXX, \t, \n, \r, \" and \\ only, as nats-server. */
  private readEscape(out: StringBuilder): void {
    const c = this.advance();
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) out.push(simple);
    else if (c === "x") out.pushByte(this.readHexByte());
    else
      throw this.error(
        `Invalid escape character '${c === "\n" ? "\\n" : c}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\", \\\\.`,
      );
  }

  private readHexByte(): number {
    const at = this.position();
    const hi = this.advance();
    const lo = isNewline(hi) ? hi : this.advance();
    if (isNewline(hi) || isNewline(lo) || lo === EOF)
      throw this.error("Expected two hexadecimal digits after '\\x', but hit end of line");
    const pair = hi + lo;
    if (!/^[0-9a-fA-F]{2}$/.test(pair))
      throw this.error(`Expected two hexadecimal digits after '\\x', but got '${pair}'`, at);
    return Number.parseInt(pair, 16);
  }

  /** `( ... )`: raw text up to a `)` alone on its line (the new lines around the body are kept). */
  private readBlock(): string {
    this.advance();
    const start = this.pos;
    for (;;) {
      if (this.atEof()) throw this.error("Unexpected EOF processing block.");
      const c = this.advance();
      const next = this.peek();
      if (c === ")" && this.input[this.pos - 2] === "\n" && (next === "\n" || next === EOF)) {
        return this.input.slice(start, this.pos - 1);
      }
    }
  }

  /** After `-`: an integer (with optional size suffix) or a float; never a bare string. */
  private readNegativeNumber(): ScalarKind {
    this.advance();
    const c = this.peek();
    if (!isDigit(c)) {
      if (c === ".") throw this.error("Floats must start with a digit, not '.'.");
      throw this.error(`Expected a digit but got '${c}'.`);
    }
    while (isDigit(this.peek())) this.advance();
    if (this.peek() === ".") {
      this.advance();
      return this.readFraction();
    }
    if (SIZE_SUFFIX.test(this.peek())) {
      this.advance();
      while (/^[bBiI]$/.test(this.peek())) this.advance();
    }
    return "integer";
  }

  /** After the `.` of a float: digits, or an IP address (`127.0.0.1:4222`) which is a string. */
  private readFraction(): "float" | "string" {
    const c = this.peek();
    if (!isDigit(c)) throw this.error(`Floats must have a digit after the '.', but got '${c}' instead.`);
    while (isDigit(this.peek())) this.advance();
    if (this.peek() !== ".") return "float";
    while (/^[0-9.:-]$/.test(this.peek())) this.advance();
    return "string";
  }

  /** A value starting with a digit: integer, size, float, date, IP address or bare string (`10s`). */
  private readNumberOrString(pos: SourcePos): ScalarToken {
    const start = this.pos;
    const slice = () => this.input.slice(start, this.pos);
    while (isDigit(this.peek())) this.advance();
    const c = this.peek();
    if (c === "-") {
      if (this.pos - start !== 4) throw this.error("All ISO8601 dates must be in full Zulu form.");
      this.advance();
      this.readDateAfterYear();
      return { kind: "datetime", text: slice(), pos };
    }
    if (c === ".") {
      this.advance();
      const kind = this.readFraction();
      return { kind, text: slice(), pos };
    }
    if (SIZE_SUFFIX.test(c)) {
      this.advance();
      while (/^[bBiI]$/.test(this.peek())) this.advance();
      if (endsNumber(this.peek()) || isDigit(this.peek())) return { kind: "integer", text: slice(), pos };
      return this.readBare(start, pos);
    }
    if (endsNumber(c)) return { kind: "integer", text: slice(), pos };
    return this.readBare(start, pos);
  }

  private readDateAfterYear(): void {
    for (const f of DATE_AFTER_YEAR) {
      const c = this.advance();
      if (f === "0" && !isDigit(c))
        throw this.error(`Expected digit in ISO8601 datetime, but found '${c}' instead.`);
      if (f !== "0" && f !== c)
        throw this.error(`Expected '${f}' in ISO8601 datetime, but found '${c}' instead.`);
    }
  }

  /**
   * A bare (unquoted) string from `start`: ends at a blank, new line, `;`, `,`, `]`, `}` or `'`
   * (which it consumes). Without escapes it may be a boolean word or a `$variable`.
   */
  private readBare(start: number, pos: SourcePos): ScalarToken {
    const out = new StringBuilder();
    out.push(this.input.slice(start, this.pos));
    let escaped = false;
    while (!endsBareString(this.peek()) && this.peek() !== "'") {
      const c = this.advance();
      if (c === "\\") {
        escaped = true;
        this.readEscape(out);
      } else {
        out.push(c);
      }
    }
    if (this.peek() === "'") this.advance();
    const text = out.toString();
    if (escaped) return { kind: "string", text, pos };
    if (BOOL_WORDS.has(text.toLowerCase())) return { kind: "bool", text, pos };
    if (text.startsWith("$")) return { kind: "variable", text: text.slice(1), pos };
    return { kind: "string", text, pos };
  }
}

/** Accumulates text and raw `\xXX` bytes; byte runs are decoded as UTF-8, as Go strings would read. */
class StringBuilder {
  private readonly parts: string[] = [];
  private bytes: number[] = [];

  push(s: string): void {
    this.flushBytes();
    this.parts.push(s);
  }

  pushByte(b: number): void {
    this.bytes.push(b);
  }

  toString(): string {
    this.flushBytes();
    return this.parts.join("");
  }

  private flushBytes(): void {
    if (this.bytes.length === 0) return;
    this.parts.push(Buffer.from(this.bytes).toString("utf8"));
    this.bytes = [];
  }
}

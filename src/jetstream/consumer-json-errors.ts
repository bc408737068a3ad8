// The syntax error text Go's encoding/json gives for malformed JSON ("invalid character 'x' looking for
// beginning of object key string"), which nats-server puts in a pull request's 400 Bad Request status.
// A small scanner with the states of Go's encoding/json/scanner.go, run only on bodies JSON.parse refused.

type Ctx = "value" | "objectKey" | "afterKey" | "afterPair" | "afterElement" | "top";

const CONTEXT_TEXT: Record<Ctx, string> = {
  value: "looking for beginning of value",
  objectKey: "looking for beginning of object key string",
  afterKey: "after object key",
  afterPair: "after object key:value pair",
  afterElement: "after array element",
  top: "after top-level value",
};

/** Go's quoteChar: 'x', with ' and " special-cased and other characters escaped like strconv.Quote. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** The message Go's json.Unmarshal returns for `text` (assumed not to be valid JSON). */
export function goJsonSyntaxError(text: string): string {
  const s = new Scanner(text);
  try {
    s.value();
    s.skipSpace();
    if (s.i < text.length) throw s.bad("top");
  } catch (err) {
    if (err instanceof SyntaxFailure) return err.message;
    throw err;
  }
  return "unexpected end of JSON input";
}

class SyntaxFailure extends Error {}

class Scanner {
  i = 0;
  constructor(private readonly t: string) {}

  skipSpace(): void {
    while (this.i < this.t.length && isSpace(this.t[this.i]!)) this.i++;
  }

  bad(ctx: Ctx | string): SyntaxFailure {
    if (this.i >= this.t.length) return new SyntaxFailure("unexpected end of JSON input");
    const what = ctx in CONTEXT_TEXT ? CONTEXT_TEXT[ctx as Ctx] : ctx;
    return new SyntaxFailure(`invalid character ${quoteChar(this.t[this.i]!)} ${what}`);
  }

  value(): void {
    this.skipSpace();
    const c = this.t[this.i];
    if (c === "{") this.object();
    else if (c === "[") this.array();
    else if (c === '"') this.string();
    else if (c === "-" || isDigit(c)) this.number();
    else if (c === "t") this.literal("true");
    else if (c === "f") this.literal("false");
    else if (c === "n") this.literal("null");
    else throw this.bad("value");
  }

  private object(): void {
    this.i++;
    this.skipSpace();
    if (this.t[this.i] === "}") {
      this.i++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.t[this.i] !== '"') throw this.bad("objectKey");
      this.string();
      this.skipSpace();
      if (this.t[this.i] !== ":") throw this.bad("afterKey");
      this.i++;
      this.value();
      this.skipSpace();
      const c = this.t[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return;
      }
      throw this.bad("afterPair");
    }
  }

  private array(): void {
    this.i++;
    this.skipSpace();
    if (this.t[this.i] === "]") {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      const c = this.t[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "]") {
        this.i++;
        return;
      }
      throw this.bad("afterElement");
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      const c = this.t[this.i];
      if (c === undefined) throw this.bad("in string literal");
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < " ") throw this.bad("in string literal");
      if (c === "\\") {
        this.i++;
        const e = this.t[this.i];
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            this.i++;
            if (!/[0-9a-fA-F]/.test(this.t[this.i] ?? ""))
              throw this.bad("in \\u hexadecimal character escape");
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          throw this.bad("in string escape code");
        }
      }
      this.i++;
    }
  }

  private number(): void {
    if (this.t[this.i] === "-") {
      this.i++;
      if (!isDigit(this.t[this.i])) throw this.bad("in numeric literal");
    }
    if (this.t[this.i] === "0") this.i++;
    else while (isDigit(this.t[this.i])) this.i++;
    if (this.t[this.i] === ".") {
      this.i++;
      if (!isDigit(this.t[this.i])) throw this.bad("after decimal point in numeric literal");
      while (isDigit(this.t[this.i])) this.i++;
    }
    if (this.t[this.i] === "e" || this.t[this.i] === "E") {
      this.i++;
      if (this.t[this.i] === "+" || this.t[this.i] === "-") this.i++;
      if (!isDigit(this.t[this.i])) throw this.bad("in exponent of numeric literal");
      while (isDigit(this.t[this.i])) this.i++;
    }
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.t[this.i] !== word[k]) throw this.bad(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
    }
  }
}

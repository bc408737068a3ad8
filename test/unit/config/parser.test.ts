// The configuration language: every syntax form, sizes, variables, includes and positioned errors.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/config-error.js";
import { parseConfig, parseConfigFile } from "../../../src/config/parser.js";
import { isUsedAsVariable, keyPosition } from "../../../src/config/tree-meta.js";

const parse = (text: string, env: Record<string, string> = {}) => parseConfig(text, { env });

function parseError(text: string, env: Record<string, string> = {}, file?: string): ConfigError {
  try {
    parseConfig(text, { env, file });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("key/value forms", () => {
  it("accepts ':', '=' and white space as separators", () => {
    expect(parse("a: 1\nb = 2\nc 3\nd:4\ne=5\n")).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5 });
  });

  it("ends values at ';' and ',' as well as new lines", () => {
    expect(parse("a: 1; b: 2, c: x\n")).toEqual({ a: 1, b: 2, c: "x" });
  });

  it("accepts quoted keys", () => {
    expect(parse(`"my key": 1\n'other key' = 2\n`)).toEqual({ "my key": 1, "other key": 2 });
  });

  it("lets a later key override an earlier one", () => {
    expect(parse("port: 1\nport: 2\n")).toEqual({ port: 2 });
  });

  it("accepts a file wrapped in braces", () => {
    expect(parse("{\n  port: 4222\n}\n")).toEqual({ port: 4222 });
  });

  it("ignores a key the file ends after, as nats-server", () => {
    expect(parse("port: 1\ndangling")).toEqual({ port: 1 });
  });

  it("stores __proto__ as a plain key", () => {
    const tree = parse("__proto__: 5\n");
    expect(Object.keys(tree)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype);
  });
});

describe("comments", () => {
  it("skips # and // comments on their own lines and after values", () => {
    const text =
      "# top\n// also\nport: 4222 # trailing\nhost: h // trailing\nm {\n  # inside\n  a: 1 // c\n}\n";
    expect(parse(text)).toEqual({ port: 4222, host: "h", m: { a: 1 } });
  });

  it("keeps # inside a bare string (nats-server only ends bare strings at blanks and separators)", () => {
    expect(parse("a: x#y\n")).toEqual({ a: "x#y" });
  });
});

describe("blocks", () => {
  it("parses nested maps with and without a separator", () => {
    const text = "authorization {\n  user: a\n  password = b\n}\nouter: { inner { deep: true } }\n";
    expect(parse(text)).toEqual({
      authorization: { user: "a", password: "b" },
      outer: { inner: { deep: true } },
    });
  });

  it("accepts the opening brace on the next line", () => {
    expect(parse("jetstream\n{\n  store_dir: x\n}\n")).toEqual({ jetstream: { store_dir: "x" } });
  });

  it("accepts key{ without a space (nats-server rejects it; a superset)", () => {
    expect(parse("a{ b: 1 }\n")).toEqual({ a: { b: 1 } });
  });

  it("separates map entries by ',', ';' or new lines and allows new lines after ':' in maps", () => {
    expect(parse("m { a: 1, b: 2; c: 3\n d:\n   4 }\n")).toEqual({ m: { a: 1, b: 2, c: 3, d: 4 } });
  });

  it("parses an empty map", () => {
    expect(parse("m {}\n")).toEqual({ m: {} });
  });
});

describe("arrays", () => {
  it("separates values by commas or new lines, with comments and a trailing comma", () => {
    const text = "a: [1, 2, 3]\nb: [\n  x # first\n  y\n  'z',\n]\nc: []\n";
    expect(parse(text)).toEqual({ a: [1, 2, 3], b: ["x", "y", "z"], c: [] });
  });

  it("holds maps and arrays", () => {
    expect(parse("users: [\n  {user: a, password: b}\n  {user: c}\n]\nn: [[1], [2]]\n")).toEqual({
      users: [{ user: "a", password: "b" }, { user: "c" }],
      n: [[1], [2]],
    });
  });
});

describe("strings", () => {
  it("reads double-quoted strings with nats-server's escapes", () => {
    expect(parse('a: "tab\\there\\nnew \\"q\\" back\\\\slash \\x41\\xc3\\xa9"\n')).toEqual({
      a: 'tab\there\nnew "q" back\\slash Aé',
    });
  });

  it("reads single-quoted strings raw", () => {
    expect(parse("a: 'no \\n escapes $HOME'\n")).toEqual({ a: "no \\n escapes $HOME" });
  });

  it("keeps quoted booleans and variables as strings", () => {
    expect(parse('a: "true"\nb: "$X"\n')).toEqual({ a: "true", b: "$X" });
  });

  it("reads bare strings, IP addresses and host:port", () => {
    expect(parse("a: nats://host:4222\nb: 127.0.0.1\nc: 0.0.0.0:4222\nd: localhost\n")).toEqual({
      a: "nats://host:4222",
      b: "127.0.0.1",
      c: "0.0.0.0:4222",
      d: "localhost",
    });
  });

  it("reads a ( ) block as raw text up to a ) alone on a line", () => {
    expect(parse("cert: (\nline 1 (x)\nline 2\n)\nport: 1\n")).toEqual({
      cert: "\nline 1 (x)\nline 2\n",
      port: 1,
    });
  });

  it("keeps a bcrypt hash that starts with $2a$ as a string", () => {
    expect(parse("password: $2a$11$abcdefghijkl\n")).toEqual({ password: "$2a$11$abcdefghijkl" });
  });
});

describe("numbers, booleans, dates", () => {
  it("reads integers, negatives and floats", () => {
    expect(parse("a: 42\nb: -7\nc: 1.5\nd: -0.25\n")).toEqual({ a: 42, b: -7, c: 1.5, d: -0.25 });
  });

  it("reads true/false/yes/no/on/off in any case", () => {
    expect(parse("a: true\nb: FALSE\nc: yes\nd: No\ne: on\nf: OFF\n")).toEqual({
      a: true,
      b: false,
      c: true,
      d: false,
      e: true,
      f: false,
    });
  });

  it("reads a Zulu datetime as a Date", () => {
    const tree = parse("d: 2024-02-03T04:05:06Z\n");
    expect((tree.d as Date).toISOString()).toBe("2024-02-03T04:05:06.000Z");
  });

  it("keeps duration-looking values as strings except an unquoted bare m (which nats-server reads as 10^6)", () => {
    expect(parse('a: 10s\nb: 1h30m\nc: 500ms\nd: "2m"\ne: 2m\n')).toEqual({
      a: "10s",
      b: "1h30m",
      c: "500ms",
      d: "2m",
      e: 2_000_000,
    });
  });
});

describe("size suffixes (nats-server conf/parse.go)", () => {
  it.each([
    ["1k", 1000],
    ["1K", 1000],
    ["1kb", 1024],
    ["64KB", 65536],
    ["2ki", 2048],
    ["2KiB", 2048],
    ["1m", 1_000_000],
    ["1MB", 1_048_576],
    ["1mib", 1_048_576],
    ["1g", 1e9],
    ["1G", 1e9],
    ["1GB", 1_073_741_824],
    ["1gi", 1_073_741_824],
    ["2t", 2e12],
    ["1TB", 1024 ** 4],
    ["1p", 1e15],
    ["1PB", 1024 ** 5],
    ["-1k", -1000],
  ])("%s = %d", (text, value) => {
    expect(parse(`v: ${text}\n`).v).toBe(value);
  });

  it("applies suffixes inside arrays and maps", () => {
    expect(parse("a: [1k, 1KB]\nm { s: 4MB }\n")).toEqual({ a: [1000, 1024], m: { s: 4 * 1024 * 1024 } });
  });

  it("rejects an integer outside int64", () => {
    expect(parseError("v: 99999999999999999999\n").reason).toBe(
      "integer '99999999999999999999' is out of the range",
    );
  });
});

describe("variables", () => {
  it("resolves a variable defined earlier in the file and marks it used", () => {
    const tree = parse("PORT = 4222\nport: $PORT\n");
    expect(tree).toEqual({ PORT: 4222, port: 4222 });
    expect(isUsedAsVariable(tree, "PORT")).toBe(true);
    expect(isUsedAsVariable(tree, "port")).toBe(false);
  });

  it("looks in enclosing maps, innermost first", () => {
    const text = "x: outer\na {\n  y: $x\n  x: inner\n  b { z: $x }\n}\nw: $x\n";
    expect(parse(text)).toEqual({ x: "outer", a: { y: "outer", x: "inner", b: { z: "inner" } }, w: "outer" });
  });

  it("can reference a whole map or array", () => {
    const tree = parse("perms = { publish: [a, b] }\nu { permissions: $perms }\n");
    expect(tree.u).toEqual({ permissions: { publish: ["a", "b"] } });
  });

  it("falls back to the environment and parses the value like a config value", () => {
    const env = { NG_PORT: "4333", NG_FLAG: "true", NG_SIZE: "2MB", NG_NAME: "srv-1", NG_LIST: "[1, 2]" };
    expect(parse("a: $NG_PORT\nb: $NG_FLAG\nc: $NG_SIZE\nd: $NG_NAME\ne: $NG_LIST\n", env)).toEqual({
      a: 4333,
      b: true,
      c: 2 * 1024 * 1024,
      d: "srv-1",
      e: [1, 2],
    });
  });

  it("prefers a variable from the file over the environment", () => {
    expect(parse("V: file\na: $V\n", { V: "env" }).a).toBe("file");
  });

  it("reads process.env when no env is given", () => {
    process.env.NATSGATE_TEST_VAR = "from-process";
    try {
      expect(parseConfig("a: $NATSGATE_TEST_VAR\n").a).toBe("from-process");
    } finally {
      delete process.env.NATSGATE_TEST_VAR;
    }
  });

  it("fails on an undefined variable with its position", () => {
    const err = parseError("port: 1\nhost: $NOPE\n", {}, "my.conf");
    expect(err.message).toBe("my.conf:2:7: variable reference for 'NOPE' on line 2 can not be found");
    expect([err.file, err.line, err.col]).toEqual(["my.conf", 2, 7]);
  });

  it("fails on an environment value that does not parse", () => {
    const err = parseError("a: $BAD\n", { BAD: "two words" });
    expect(err.message).toMatch(
      /^<input>:1:4: variable reference for 'BAD' on line 1 could not be parsed: Expected a top-level value/,
    );
  });

  it("does not recurse forever on an environment variable that references itself", () => {
    expect(parseError("a: $LOOP\n", { LOOP: "$LOOP" }).reason).toMatch(/variable reference for 'LOOP'/);
  });
});

describe("positions", () => {
  it("remembers where each key was written", () => {
    const tree = parseConfig("port: 1\n  m {\n    inner: 2\n  }\n", { file: "f.conf" });
    expect(keyPosition(tree, "port")).toEqual({ file: "f.conf", line: 1, col: 1 });
    expect(keyPosition(tree, "m")).toEqual({ file: "f.conf", line: 2, col: 3 });
    expect(keyPosition(tree.m as Record<string, unknown>, "inner")).toEqual({
      file: "f.conf",
      line: 3,
      col: 5,
    });
  });
});

describe("syntax errors carry file:line:col", () => {
  it.each([
    [
      "unterminated block",
      "port: 1\nauthorization {\n  user: a\n",
      "f.conf:4:1: Unexpected EOF processing map.",
    ],
    ["unterminated string", 'port: 1\nname: "abc\n', "f.conf:3:1: Unexpected EOF."],
    ["unterminated single-quoted string", "name: 'abc", "f.conf:1:11: Unexpected EOF."],
    [
      "bad escape",
      'name: "a\\qb"\n',
      "f.conf:1:11: Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
    ],
    [
      "bad hex escape",
      'a: "\\xZZ"\n',
      "f.conf:1:7: Expected two hexadecimal digits after '\\x', but got 'ZZ'",
    ],
    ["value on the next line", "port:\n4222\n", "f.conf:1:6: Expected value but found new line"],
    [
      "junk after a value",
      "port: 1.5s\n",
      "f.conf:1:10: Expected a top-level value to end with a new line, comment or EOF, but got 's' instead.",
    ],
    ["key separator first", ": 1\n", "f.conf:1:1: Unexpected key separator ':'"],
    ["unterminated array", "a: [1, 2\n", "f.conf:2:1: Unexpected EOF processing array."],
    ["double comma in array", "a: [1,,2]\n", "f.conf:1:7: Unexpected array value terminator ','."],
    [
      "missing comma in array",
      "a: [1 2]\n",
      'f.conf:1:7: Expected an array value terminator "," or an array terminator "]", but got \'2\' instead.',
    ],
    ["comma as map value", "m { a: , }\n", 'f.conf:1:8: Unexpected map value terminator ",".'],
    ["float without leading digit", "a: .5\n", "f.conf:1:4: Floats must start with a digit"],
    [
      "float without fraction",
      "a: 1.x\n",
      "f.conf:1:6: Floats must have a digit after the '.', but got 'x' instead.",
    ],
    ["minus without digit", "a: -x\n", "f.conf:1:5: Expected a digit but got 'x'."],
    ["short date", "a: 20-1\n", "f.conf:1:6: All ISO8601 dates must be in full Zulu form."],
    ["unknown size suffix", "a: 1kbb\n", "f.conf:1:4: invalid size suffix in '1kbb'"],
    ["unterminated ( block", "a: (\nxyz\n", "f.conf:3:1: Unexpected EOF processing block."],
  ])("%s", (_name, text, message) => {
    expect(parseError(text, {}, "f.conf").message).toBe(message);
  });

  it("names <input> when parsing text without a file", () => {
    expect(parseError("a {\n").message).toBe("<input>:2:1: Unexpected EOF processing map.");
  });
});

describe("include", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function files(entries: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), "natsgate-conf-"));
    for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it("merges an included file at the top level and inside a block, relative to the including file", () => {
    const d = files({
      "main.conf":
        "port: 1\ninclude 'common.conf'\nauthorization {\n  include \"auth.conf\"\n  timeout: 3\n}\n",
      "common.conf": "host: 127.0.0.1\nport: 2\n",
      "auth.conf": "user: u\npassword: p\n",
    });
    expect(parseConfigFile(join(d, "main.conf"), {})).toEqual({
      port: 2,
      host: "127.0.0.1",
      authorization: { user: "u", password: "p", timeout: 3 },
    });
  });

  it("accepts a bare include path and include files in sub directories including their neighbours", () => {
    const d = files({ "main.conf": "include sub.conf\nx: $FROM_INC\n", "sub.conf": "FROM_INC: 5\n" });
    const tree = parseConfigFile(join(d, "main.conf"), {});
    expect(tree).toEqual({ FROM_INC: 5, x: 5 });
    expect(isUsedAsVariable(tree, "FROM_INC")).toBe(true);
  });

  it("does not let an included file see the including file's variables (nats-server parses it alone)", () => {
    const d = files({ "main.conf": "Q: 7\ninclude 'uses.conf'\n", "uses.conf": "port: $Q\n" });
    expect(() => parseConfigFile(join(d, "main.conf"), {})).toThrow(
      `${join(d, "uses.conf")}:1:7: variable reference for 'Q' on line 1 can not be found`,
    );
  });

  it("takes an absolute include path under the including file's directory, like Go's filepath.Join", () => {
    const d = files({ "main.conf": "include '/inc.conf'\n", "inc.conf": "port: 9\n" });
    expect(parseConfigFile(join(d, "main.conf"), {})).toEqual({ port: 9 });
  });

  it("keeps positions from the included file", () => {
    const d = files({ "main.conf": "include 'b.conf'\n", "b.conf": "\n  port: 1\n" });
    const tree = parseConfigFile(join(d, "main.conf"), {});
    expect(keyPosition(tree, "port")).toEqual({ file: join(d, "b.conf"), line: 2, col: 3 });
  });

  it("reports a missing include at the include line", () => {
    const d = files({ "main.conf": "port: 1\ninclude 'nope.conf'\n" });
    const err = (() => {
      try {
        parseConfigFile(join(d, "main.conf"), {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected an error");
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      new RegExp(
        `^${escapeRe(join(d, "main.conf"))}:2:9: error parsing include file 'nope.conf', error opening config file: ENOENT`,
      ),
    );
  });

  it("reports a syntax error inside the included file with that file's position", () => {
    const d = files({ "main.conf": "include 'bad.conf'\n", "bad.conf": "a: 1\nb: [\n" });
    expect(() => parseConfigFile(join(d, "main.conf"), {})).toThrow(
      `${join(d, "bad.conf")}:3:1: Unexpected EOF processing array.`,
    );
  });

  it("stops an include cycle", () => {
    const d = files({ "a.conf": "include 'b.conf'\n", "b.conf": "include 'a.conf'\n" });
    expect(() => parseConfigFile(join(d, "a.conf"), {})).toThrow(/includes nest too deeply/);
  });

  it("reports an unreadable main file", () => {
    expect(() => parseConfigFile(join(tmpdir(), "natsgate-missing-file.conf"), {})).toThrow(
      /natsgate-missing-file\.conf: error opening config file: ENOENT/,
    );
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

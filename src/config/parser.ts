// Parser for the nats-server configuration language: builds a plain tree of maps, arrays and scalars,
// resolving `include` files and `$VARIABLES` (enclosing maps, then the environment) as nats-server does.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError, type SourcePos } from "./config-error.js";
import { isNewline, type KeyToken, Lexer, type ScalarToken } from "./lexer.js";
import {
  isUsedAsVariable,
  keyPosition,
  markUsedAsVariable,
  newConfigMap,
  setConfigKey,
} from "./tree-meta.js";
import { integerTokenValue } from "./units.js";

export type ConfigEnv = Record<string, string | undefined>;

export interface ParseOptions {
  /** The file the text came from: names it in errors, and includes are relative to its directory. */
  file?: string;
  /** Where `$VAR` falls back to when no enclosing map defines it; defaults to process.env. */
  env?: ConfigEnv;
}

type ConfigMap = Record<string, unknown>;

/** Includes and variables taken from the environment can nest; a cycle must not recurse forever. */
const MAX_NESTING = 32;

/** Parses configuration text into a tree. Throws ConfigError (with file:line:col) on bad input. */
export function parseConfig(text: string, opts: ParseOptions = {}): ConfigMap {
  return new Parser(text, opts.file ?? "", opts.env ?? process.env, 0).parse();
}

/** Reads and parses a configuration file. */
export function parseConfigFile(path: string, env?: ConfigEnv): ConfigMap {
  return parseFileAt(path, env ?? process.env, 0);
}

function parseFileAt(path: string, env: ConfigEnv, depth: number): ConfigMap {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`error opening config file: ${(err as Error).message}`, { file: path });
  }
  return new Parser(text, path, env, depth).parse();
}

class Parser {
  private readonly lx: Lexer;
  /** Maps being built, outermost first: where `$VAR` looks before the environment. */
  private readonly scopes: ConfigMap[] = [];

  constructor(
    text: string,
    private readonly file: string,
    private readonly env: ConfigEnv,
    private readonly depth: number,
  ) {
    // A byte order mark is not part of the first key.
    this.lx = new Lexer(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  }

  parse(): ConfigMap {
    const root = newConfigMap();
    this.scopes.push(root);
    for (;;) {
      this.skipTopLevelFiller();
      if (this.lx.atEof()) break;
      const key = this.lx.readKey(false);
      if (key.kind === "include") {
        this.include(root, this.lx.readInclude());
        this.expectTopLevelEnd();
        continue;
      }
      // nats-server ignores a key that the file ends after.
      if (!this.lx.skipKeySeparator(false)) break;
      setConfigKey(root, key.text, this.parseValue(), key.pos);
      this.expectTopLevelEnd();
    }
    return root;
  }

  /** White space, comments, and the braces that may wrap a whole file (`{ port: 4222 }`). */
  private skipTopLevelFiller(): void {
    for (;;) {
      this.lx.skipSpaceAndComments();
      const c = this.lx.peek();
      if (c !== "{" && c !== "}") return;
      this.lx.advance();
    }
  }

  private expectTopLevelEnd(): void {
    this.lx.skipBlanks();
    if (this.lx.skipComment() || this.lx.atEof()) return;
    const c = this.lx.peek();
    if (isNewline(c) || c === ";" || c === "," || c === "}") {
      this.lx.advance();
      return;
    }
    throw this.lx.error(
      `Expected a top-level value to end with a new line, comment or EOF, but got '${c}' instead.`,
    );
  }

  private parseValue(): unknown {
    this.lx.skipBlanks();
    const c = this.lx.peek();
    if (isNewline(c) || this.lx.atEof()) throw this.lx.error("Expected value but found new line");
    if (c === "[") return this.parseArray();
    if (c === "{") return this.parseMap();
    return this.scalarValue(this.lx.readScalar());
  }

  private parseMap(): ConfigMap {
    this.lx.advance();
    const map = newConfigMap();
    this.scopes.push(map);
    for (;;) {
      this.lx.skipSpaceAndComments();
      if (this.lx.atEof()) throw this.lx.error("Unexpected EOF processing map.");
      if (this.lx.peek() === "}") {
        this.lx.advance();
        break;
      }
      const key = this.lx.readKey(true);
      if (key.kind === "include") this.include(map, this.lx.readInclude());
      else setConfigKey(map, key.text, this.parseMapValue(key), key.pos);
      if (this.expectMapValueEnd() === "end") break;
    }
    this.scopes.pop();
    return map;
  }

  private parseMapValue(key: KeyToken): unknown {
    this.lx.skipKeySeparator(true);
    const c = this.lx.peek();
    if (this.lx.atEof()) throw this.lx.error("Unexpected EOF processing map.");
    if (c === ",") throw this.lx.error('Unexpected map value terminator ",".');
    if (c === "}") throw this.lx.error(`Expected a value for key '${key.text}'`);
    return this.parseValue();
  }

  private expectMapValueEnd(): "next" | "end" {
    for (;;) {
      this.lx.skipBlanks();
      if (!this.lx.skipComment()) break;
    }
    if (this.lx.atEof()) throw this.lx.error("Unexpected EOF processing map.");
    const c = this.lx.peek();
    if (c === ";" || c === "," || isNewline(c) || c === "}") {
      this.lx.advance();
      return c === "}" ? "end" : "next";
    }
    throw this.lx.error(
      `Expected a map value terminator "," or a map terminator "}", but got '${c}' instead.`,
    );
  }

  private parseArray(): unknown[] {
    this.lx.advance();
    const array: unknown[] = [];
    for (;;) {
      this.lx.skipSpaceAndComments();
      if (this.lx.atEof()) throw this.lx.error("Unexpected EOF processing array.");
      const c = this.lx.peek();
      if (c === ",") throw this.lx.error("Unexpected array value terminator ','.");
      if (c === "]") {
        this.lx.advance();
        return array;
      }
      array.push(this.parseValue());
      if (this.expectArrayValueEnd() === "end") return array;
    }
  }

  private expectArrayValueEnd(): "next" | "end" {
    for (;;) {
      this.lx.skipBlanks();
      if (!this.lx.skipComment()) break;
    }
    if (this.lx.atEof()) throw this.lx.error("Unexpected EOF processing array.");
    const c = this.lx.peek();
    if (c === "," || isNewline(c) || c === "]") {
      this.lx.advance();
      return c === "]" ? "end" : "next";
    }
    throw this.lx.error(
      `Expected an array value terminator "," or an array terminator "]", but got '${c}' instead.`,
    );
  }

  private scalarValue(tok: ScalarToken): unknown {
    switch (tok.kind) {
      case "string":
        return tok.text;
      case "bool":
        return ["true", "yes", "on"].includes(tok.text.toLowerCase());
      case "float":
        return Number(tok.text);
      case "datetime":
        return new Date(tok.text);
      case "variable":
        return this.lookupVariable(tok.text, tok.pos);
      case "integer":
        try {
          return integerTokenValue(tok.text);
        } catch (err) {
          throw new ConfigError((err as Error).message, tok.pos);
        }
    }
  }

  /** Innermost enclosing map first, then the environment (whose value is parsed as a value would be). */
  private lookupVariable(name: string, pos: SourcePos): unknown {
    // A bare bcrypt hash (`$2a$11$...`) is a string, not a variable (nats-server special case).
    if (name.startsWith("2a$")) return `$${name}`;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i]!;
      if (Object.hasOwn(scope, name)) {
        markUsedAsVariable(scope, name);
        return scope[name];
      }
    }
    const fromEnv = this.env[name];
    if (fromEnv === undefined)
      throw new ConfigError(`variable reference for '${name}' on line ${pos.line} can not be found`, pos);
    if (this.depth >= MAX_NESTING)
      throw new ConfigError(`variable reference for '${name}' nests too deeply`, pos);
    try {
      return new Parser(`pk=${fromEnv}`, "", this.env, this.depth + 1).parse().pk;
    } catch (err) {
      const reason = err instanceof ConfigError ? err.reason : (err as Error).message;
      throw new ConfigError(
        `variable reference for '${name}' on line ${pos.line} could not be parsed: ${reason}`,
        pos,
      );
    }
  }

  /** Parses the included file on its own (its own variable scope) and merges its keys into `target`. */
  private include(target: ConfigMap, inc: { path: string; pos: SourcePos }): void {
    if (this.depth >= MAX_NESTING)
      throw new ConfigError(`error parsing include file '${inc.path}', includes nest too deeply`, inc.pos);
    // Like Go's filepath.Join, an absolute include path is still taken under the including file's directory.
    const path = join(this.file ? dirname(this.file) : ".", inc.path);
    let included: ConfigMap;
    try {
      included = parseFileAt(path, this.env, this.depth + 1);
    } catch (err) {
      if (err instanceof ConfigError && err.line > 0) throw err;
      const reason = err instanceof ConfigError ? err.reason : (err as Error).message;
      throw new ConfigError(`error parsing include file '${inc.path}', ${reason}`, inc.pos);
    }
    for (const key of Object.keys(included)) {
      setConfigKey(target, key, included[key], keyPosition(included, key) ?? inc.pos);
      if (isUsedAsVariable(included, key)) markUsedAsVariable(target, key);
    }
  }
}

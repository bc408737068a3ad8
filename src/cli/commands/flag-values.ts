// Validation of enum-like and numeric flag values with the nats CLI's wording, so a bad value is one clear line.

import { CliError } from "./cli-error.js";

/** Checks `value` against the allowed words (case-insensitive) and returns it lower-cased. */
export function enumValue(flag: string, value: string, allowed: readonly string[]): string {
  const v = value.toLowerCase();
  if (!allowed.includes(v)) {
    throw new CliError(
      `invalid value for --${flag}: enum value must be one of ${allowed.join(",")}, got '${value}'`,
    );
  }
  return v;
}

/** An integer flag value (negative allowed). */
export function intValue(flag: string, value: string): number {
  if (!/^[-+]?\d+$/.test(value.trim())) {
    throw new CliError(`invalid value for --${flag}: expected an integer, got '${value}'`);
  }
  return Number(value);
}

/** Repeatable string flags that may also hold comma or space separated lists (`--subjects "a b,c"`). */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...(previous ?? []), ...items];
}

/** Repeatable `key=value` flags. */
export function collectMap(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const i = value.indexOf("=");
  if (i <= 0) throw new CliError(`invalid metadata '${value}': expected key=value`);
  return { ...(previous ?? {}), [value.slice(0, i)]: value.slice(i + 1) };
}

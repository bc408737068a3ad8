// Byte sizes as the nats CLI reads and shows them: `1GB`, `512KiB`, `-1` for unlimited; IEC output (`1.0 GiB`).

import { CliError } from "./cli-error.js";

const UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  K: 1024,
  KB: 1024,
  KIB: 1024,
  M: 1024 ** 2,
  MB: 1024 ** 2,
  MIB: 1024 ** 2,
  G: 1024 ** 3,
  GB: 1024 ** 3,
  GIB: 1024 ** 3,
  T: 1024 ** 4,
  TB: 1024 ** 4,
  TIB: 1024 ** 4,
  P: 1024 ** 5,
  PB: 1024 ** 5,
  PIB: 1024 ** 5,
};

/** Parses a size; `-1` (or any negative) means unlimited and returns -1. The nats CLI counts KB as 1024. */
export function parseBytes(text: string, what: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[(m[2] as string).toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new CliError(`invalid ${what} "${text}"`);
  const n = Number(m[1]);
  if (n < 0) return -1;
  return Math.round(n * unit);
}

/** go-humanize's IBytes: `0 B`, `1023 B`, `1.0 KiB`, `256 MiB`. */
export function formatIBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toString()} ${units[i]}`;
}

/** Thousands separators, as go-humanize's Comma. */
export function comma(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

// Durations as the nats CLI reads and shows them: Go units plus d, w, M (30 days) and y (365 days), a bare
// "-1" for unlimited; JetStream carries them as nanoseconds.

import { CliError } from "./cli-error.js";

const NS_PER: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
  D: 86400e9,
  w: 7 * 86400e9,
  W: 7 * 86400e9,
  M: 30 * 86400e9,
  y: 365 * 86400e9,
  Y: 365 * 86400e9,
};

/** Parses `1y`, `2m0s`, `1h30m`, `1.5h`, `0` into nanoseconds; throws a CliError naming the bad text. */
export function parseDuration(text: string, what = "duration"): number {
  const input = text.trim();
  if (input === "0" || input === "-0") return 0;
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)[a-zA-Zµ]+)+$/.exec(input);
  if (!m) throw new CliError(`invalid ${what} format: time: invalid duration "${text}"`);
  const sign = m[1] === "-" ? -1 : 1;
  let total = 0;
  for (const part of input.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)([a-zA-Zµ]+)/g)) {
    const unit = NS_PER[part[2] as string];
    if (unit === undefined) {
      throw new CliError(`invalid ${what} format: time: unknown unit "${part[2]}" in duration "${text}"`);
    }
    total += Number(part[1]) * unit;
  }
  return sign * Math.round(total);
}

/** Like parseDuration, but "-1" (and "unlimited") mean 0, which JetStream reads as no limit. */
export function parseLimitDuration(text: string, what: string): number {
  const t = text.trim();
  if (t === "-1" || t === "" || t.toLowerCase() === "unlimited") return 0;
  const ns = parseDuration(t, what);
  if (ns < 0) throw new CliError(`invalid ${what} format: negative duration "${text}"`);
  return ns;
}

/** Go's time.Duration.String(): `2m0s`, `8760h0m0s`, `1.5s`, `250ms`. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${trimFloat(abs / 1e3)}µs`;
  if (abs < 1e9) return `${sign}${trimFloat(abs / 1e6)}ms`;
  const h = Math.floor(abs / 3600e9);
  const m = Math.floor((abs % 3600e9) / 60e9);
  const s = (abs % 60e9) / 1e9;
  if (h > 0) return `${sign}${h}h${m}m${trimFloat(s)}s`;
  if (m > 0) return `${sign}${m}m${trimFloat(s)}s`;
  return `${sign}${trimFloat(s)}s`;
}

/** The nats CLI's humanized form: `1y0d0h0m0s`, `2d3h0m0s`, `2m0s`, `1.50s`. */
export function humanDuration(ns: number): string {
  if (ns < 1e6) return goDuration(Math.round(ns / 1e3) * 1e3);
  if (ns < 1e9) return goDuration(Math.round(ns / 1e6) * 1e6);
  const secs = Math.floor(ns / 1e9);
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const yrs = Math.floor(days / 365);
  if (yrs > 0) return `${yrs}y${days % 365}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (days > 0) return `${days}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (hrs > 0) return `${hrs}h${mins % 60}m${secs % 60}s`;
  if (mins > 0) return `${mins}m${secs % 60}s`;
  return `${(ns / 1e9).toFixed(2)}s`;
}

function trimFloat(v: number): string {
  return String(Number(v.toFixed(9)));
}

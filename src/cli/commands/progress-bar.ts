// A one-line progress bar for long CLI work (object put/get, bench), drawn on stderr only when both stdout
// and stderr are terminals, so piped or captured output never carries carriage-return noise.

import { formatIBytes } from "./byte-size.js";

export type ProgressUnits = "bytes" | "count";

/** The interface commands use; the silent variant keeps call sites free of TTY checks. */
export interface Progress {
  /** Adds `n` units of completed work. */
  add(n: number): void;
  /** Draws the final state and ends the line. */
  done(): void;
}

const SILENT: Progress = { add: () => undefined, done: () => undefined };
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

export function progressEnabled(wanted: boolean): boolean {
  return wanted && process.stdout.isTTY === true && process.stderr.isTTY === true;
}

/** A bar over `total` units, or a no-op when progress is disabled or there is no terminal. */
export function createProgress(label: string, total: number, units: ProgressUnits, wanted = true): Progress {
  if (!progressEnabled(wanted) || total <= 0) return SILENT;
  return new TerminalProgress(label, total, units, (s) => process.stderr.write(s));
}

/** Exported for unit tests, which pass their own writer. */
export class TerminalProgress implements Progress {
  private current = 0;
  private lastDraw = 0;
  private readonly start = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly units: ProgressUnits,
    private readonly write: (s: string) => void,
  ) {}

  add(n: number): void {
    this.current = Math.min(this.total, this.current + n);
    const now = performance.now();
    // Redraw at most every REDRAW_MS: bench calls add() per message and a terminal write each time would
    // cost more than the work measured.
    if (now - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = now;
      this.write(`\r${this.line(now)}`);
    }
  }

  done(): void {
    this.write(`\r${this.line(performance.now())}\n`);
  }

  line(now: number): string {
    const frac = this.total > 0 ? this.current / this.total : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
    const secs = Math.max(1e-3, (now - this.start) / 1000);
    const amount =
      this.units === "bytes"
        ? `${formatIBytes(this.current)} / ${formatIBytes(this.total)} ${formatIBytes(Math.round(this.current / secs))}/s`
        : `${this.current.toLocaleString("en-US")} / ${this.total.toLocaleString("en-US")} ${Math.round(this.current / secs).toLocaleString("en-US")}/s`;
    return `${this.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${amount}`;
  }
}

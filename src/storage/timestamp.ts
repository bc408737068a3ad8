// Message timestamps as (milliseconds, nanoseconds-within-millisecond) pairs: a per-store clock
// that never goes backwards, and the conversions JetStream needs (RFC3339Nano, Unix nanoseconds).

import { performance } from "node:perf_hooks";

/** Unix nanoseconds as a bigint (exact, unlike a number). */
export function toUnixNanos(ms: number, nanos: number): bigint {
  return BigInt(ms) * 1_000_000n + BigInt(nanos);
}

/** Splits Unix nanoseconds into the store's (ms, nanos) pair. */
export function fromUnixNanos(unixNanos: bigint): { ms: number; nanos: number } {
  const ms = unixNanos / 1_000_000n;
  return { ms: Number(ms), nanos: Number(unixNanos - ms * 1_000_000n) };
}

/**
 * Go's time.RFC3339Nano in UTC, as nats-server prints times: fraction trimmed of trailing zeros
 * and left out when zero. The zero timestamp (0, 0) prints as Go's zero time, which is what
 * nats-server shows for an empty stream's first_ts.
 */
export function formatRfc3339Nano(ms: number, nanos: number): string {
  if (ms === 0 && nanos === 0) return "0001-01-01T00:00:00Z";
  const secondsPart = new Date(ms).toISOString().slice(0, 19);
  const msInSecond = ((ms % 1000) + 1000) % 1000;
  const fraction = msInSecond * 1_000_000 + nanos;
  if (fraction === 0) return `${secondsPart}Z`;
  const digits = fraction.toString().padStart(9, "0").replace(/0+$/, "");
  return `${secondsPart}.${digits}Z`;
}

/**
 * A stream's clock: wall-clock milliseconds plus a sub-millisecond part from the monotonic clock,
 * forced to strictly increase so that timestamps order like sequences (seqForTime relies on it).
 * `next()` writes into `ms`/`nanos` to avoid allocating per message.
 */
export class StoreClock {
  ms = 0;
  nanos = 0;

  constructor(private readonly wallClock: () => number = Date.now) {}

  next(): void {
    const ms = this.wallClock();
    const nanos = Math.floor((performance.now() % 1) * 1_000_000);
    this.advanceTo(ms, nanos);
  }

  /** Moves the clock to (ms, nanos), or one nanosecond past its last value if that is not later. */
  advanceTo(ms: number, nanos: number): void {
    if (ms > this.ms || (ms === this.ms && nanos > this.nanos)) {
      this.ms = ms;
      this.nanos = nanos;
      return;
    }
    if (this.nanos < 999_999) {
      this.nanos++;
    } else {
      this.ms++;
      this.nanos = 0;
    }
  }

  /** Restores the last time handed out (after recovery), so later times stay above it. */
  observe(ms: number, nanos: number): void {
    if (ms > this.ms || (ms === this.ms && nanos > this.nanos)) {
      this.ms = ms;
      this.nanos = nanos;
    }
  }
}

/** Compares two timestamps: negative, zero or positive like a sort comparator. */
export function compareTimestamps(aMs: number, aNanos: number, bMs: number, bNanos: number): number {
  return aMs !== bMs ? aMs - bMs : aNanos - bNanos;
}

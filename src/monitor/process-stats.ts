// Process figures for /varz (cpu, mem) and /metrics (event-loop lag, heap): sampled on request, with
// the event-loop delay histogram running only while the monitoring server is up.

import { availableParallelism } from "node:os";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";

/** Lag statistics over a window of at least this long, so a scrape sees more than its own instant. */
const LAG_WINDOW_MS = 10_000;
/** The delay histogram's timer period: every sample includes it, so it is taken off to leave the lag. */
const RESOLUTION_MS = 10;

export interface EventLoopLag {
  /** Seconds. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class ProcessStats {
  readonly cores = availableParallelism();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private cpuPercent = 0;
  private histogram: IntervalHistogram | null = null;
  private windowStart = 0;
  private lastLag: EventLoopLag | null = null;

  /** Starts measuring event-loop delay (a 10 ms resolution timer inside Node; unref'd). */
  start(): void {
    if (this.histogram !== null) return;
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.windowStart = Date.now();
  }

  stop(): void {
    this.histogram?.disable();
    this.histogram = null;
  }

  /** CPU use in percent of one core since the previous sample at least a second ago (like nats-server's pse). */
  cpu(): number {
    const now = performance.now();
    const elapsedMs = now - this.lastCpuAt;
    if (elapsedMs >= 1000) {
      const used = process.cpuUsage(this.lastCpu);
      this.cpuPercent = Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10;
      this.lastCpu = process.cpuUsage();
      this.lastCpuAt = now;
    }
    return this.cpuPercent;
  }

  /** Total CPU seconds used by the process. */
  cpuSeconds(): number {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }

  /** Event-loop delay over the current window (the previous full window once one has passed). */
  eventLoopLag(): EventLoopLag {
    const h = this.histogram;
    if (h === null) return this.lastLag ?? { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const current = h.count > 0 ? lagOf(h) : null;
    if (Date.now() - this.windowStart >= LAG_WINDOW_MS) {
      if (current !== null) this.lastLag = current;
      h.reset();
      this.windowStart = Date.now();
    }
    return current ?? this.lastLag ?? { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  }
}

function lagOf(h: IntervalHistogram): EventLoopLag {
  const s = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns - RESOLUTION_MS * 1e6) / 1e9 : 0);
  return {
    mean: s(h.mean),
    p50: s(h.percentile(50)),
    p90: s(h.percentile(90)),
    p99: s(h.percentile(99)),
    max: s(h.max),
  };
}

// Measurements of `natsgate bench`: per-client message counts and times, latency samples, and the summary
// (msgs/sec, MB/sec, min/avg/max/stddev across clients, latency percentiles) and CSV the nats CLI prints.

/** One publisher's or subscriber's work. Times are performance.now() milliseconds. */
export class ClientSample {
  msgs = 0;
  bytes = 0;
  start = 0;
  end = 0;

  constructor(readonly id: string) {}

  get seconds(): number {
    return Math.max(1e-9, (this.end - this.start) / 1000);
  }

  get rate(): number {
    return this.msgs / this.seconds;
  }

  get throughput(): number {
    return this.bytes / this.seconds;
  }
}

// Latency sampling keeps every value up to this many, then reservoir-samples, so memory stays bounded for
// runs of many millions of messages.
const MAX_LATENCY_SAMPLES = 200_000;

export class LatencyRecorder {
  private readonly samples: number[] = [];
  private seen = 0;

  record(ms: number): void {
    this.seen++;
    if (this.samples.length < MAX_LATENCY_SAMPLES) this.samples.push(ms);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < MAX_LATENCY_SAMPLES) this.samples[i] = ms;
    }
  }

  get count(): number {
    return this.seen;
  }

  /** Nearest-rank percentiles of the sampled values. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return ps.map(
      (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0,
    );
  }
}

/** A group of clients doing the same thing (publishers or subscribers). */
export class SampleGroup {
  readonly clients: ClientSample[] = [];

  add(id: string): ClientSample {
    const c = new ClientSample(id);
    this.clients.push(c);
    return c;
  }

  get msgs(): number {
    return this.clients.reduce((a, c) => a + c.msgs, 0);
  }

  get bytes(): number {
    return this.clients.reduce((a, c) => a + c.bytes, 0);
  }

  /** Seconds from the first client's start to the last client's end. */
  get seconds(): number {
    if (this.clients.length === 0) return 1e-9;
    const start = Math.min(...this.clients.map((c) => c.start));
    const end = Math.max(...this.clients.map((c) => c.end));
    return Math.max(1e-9, (end - start) / 1000);
  }
}

const MB = 1024 * 1024;

function rateLine(msgs: number, bytes: number, seconds: number): string {
  const rate = Math.round(msgs / seconds).toLocaleString("en-US");
  return `${rate} msgs/sec ~ ${(bytes / seconds / MB).toFixed(2)} MB/sec`;
}

function groupLines(label: string, g: SampleGroup, indent: string): string[] {
  const lines = [`${indent}${label} stats: ${rateLine(g.msgs, g.bytes, g.seconds)}`];
  if (g.clients.length <= 1) return lines;
  g.clients.forEach((c, i) => {
    lines.push(
      `${indent} [${i + 1}] ${rateLine(c.msgs, c.bytes, c.seconds)} (${c.msgs.toLocaleString("en-US")} msgs)`,
    );
  });
  const rates = g.clients.map((c) => c.rate);
  const avg = rates.reduce((a, b) => a + b, 0) / rates.length;
  const stddev = Math.sqrt(rates.reduce((a, r) => a + (r - avg) ** 2, 0) / rates.length);
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  lines.push(
    `${indent} min ${f(Math.min(...rates))} | avg ${f(avg)} | max ${f(Math.max(...rates))} | stddev ${f(stddev)} msgs`,
  );
  return lines;
}

export interface BenchResult {
  title: string;
  pubs: SampleGroup;
  subs: SampleGroup;
  /** Latency recorders with what they measure; empty ones are not shown. */
  latencies: { label: string; recorder: LatencyRecorder }[];
}

/** The summary printed after a run. */
export function renderSummary(r: BenchResult): string {
  const both = r.pubs.clients.length > 0 && r.subs.clients.length > 0;
  const lines: string[] = [];
  if (both) {
    const all = new SampleGroup();
    all.clients.push(...r.pubs.clients, ...r.subs.clients);
    lines.push(`${r.title} stats: ${rateLine(all.msgs, all.bytes, all.seconds)}`);
    lines.push(...groupLines("Pub", r.pubs, " "), ...groupLines("Sub", r.subs, " "));
  } else {
    const g = r.pubs.clients.length > 0 ? r.pubs : r.subs;
    lines.push(...groupLines(r.title, g, ""));
  }
  for (const { label, recorder } of r.latencies) {
    if (recorder.count === 0) continue;
    const [min, p50, p90, p99, p999, max] = recorder.percentiles([0, 50, 90, 99, 99.9, 100]);
    const ms = (n: number | undefined) => `${(n ?? 0).toFixed(3)}ms`;
    lines.push(
      ` Latency (${label}): min ${ms(min)} | p50 ${ms(p50)} | p90 ${ms(p90)} | p99 ${ms(p99)} | p99.9 ${ms(p999)} | max ${ms(max)} (${recorder.count.toLocaleString("en-US")} samples)`,
    );
  }
  return `\n${lines.join("\n")}\n`;
}

/** The nats CLI's CSV: one row per client. */
export function renderCsv(r: BenchResult, runId: string): string {
  const rows = ["#RunID, ClientID, MsgCount, MsgBytes, MsgsPerSec, BytesPerSec, DurationSecs"];
  for (const c of [...r.pubs.clients, ...r.subs.clients]) {
    rows.push(
      [runId, c.id, c.msgs, c.bytes, Math.round(c.rate), c.throughput.toFixed(2), c.seconds.toFixed(6)].join(
        ",",
      ),
    );
  }
  return `${rows.join("\n")}\n`;
}

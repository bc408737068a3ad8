// Turns round results into figures: medians, natsgate/nats-server ratios, which process was
// CPU-bound, and the printed per-round lines and summary table.

/** A process using at least this share of one core over the window counts as CPU-bound. */
const BOUND_SHARE = 0.9;
/** Load from other processes on a pinned core above this share makes a round "noisy"... */
const NOISY_SHARE = 0.1;
/** ...if it is also above a few /proc ticks, so rounding cannot fake it in a short round. */
const NOISY_MIN_SEC = 0.05;
/** Below this the 10 ms /proc tick makes CPU shares too coarse to trust. */
const SHORT_ROUND_SEC = 0.5;

export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** CPU shares of one round and the verdict on which process limited it. */
export function cpuVerdict(r) {
  if (!Number.isFinite(r.serverCpuSec) || !Number.isFinite(r.genCpuSec)) return { bound: "n/a" };
  const server = r.serverCpuSec / r.wallSec;
  const gen = r.genCpuSec / r.wallSec;
  let bound = "neither";
  if (server >= BOUND_SHARE && gen >= BOUND_SHARE) bound = "both";
  else if (server >= BOUND_SHARE) bound = "server";
  else if (gen >= BOUND_SHARE) bound = "GENERATOR";
  const otherSec = Math.max(r.otherOnServerCoreSec, r.otherOnGenCoreSec);
  const other = otherSec / r.wallSec;
  const noisy = other > NOISY_SHARE && otherSec > NOISY_MIN_SEC;
  return {
    server,
    gen,
    bound,
    coarse: r.wallSec < SHORT_ROUND_SEC,
    noisy,
    otherOnServerCore: r.otherOnServerCoreSec / r.wallSec,
    otherOnGenCore: r.otherOnGenCoreSec / r.wallSec,
  };
}

function caveats(v) {
  const notes = [];
  if (v.coarse) notes.push("short round");
  if (v.noisy) {
    const where = `${pct(v.otherOnServerCore)} of the server's core, ${pct(v.otherOnGenCore)} of the generator's`;
    notes.push(`NOISY: other processes used ${where}`);
  }
  return notes.length > 0 ? ` (${notes.join("; ")})` : "";
}

export function fmt(value) {
  if (!Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const pct = (share) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : "-");

/** One line per finished round, printed as the run goes. */
export function roundLine(workload, server, label, r) {
  const head = `  ${label.padEnd(8)} ${server.padEnd(11)}`;
  if (!r.ok) return `${head} FAILED: ${r.error}`;
  const figures = workload.metrics.map((m) => `${fmt(m.get(r))} ${m.label}`).join(", ");
  const v = cpuVerdict(r);
  if (v.bound === "n/a") return `${head} ${figures}  (${r.wallSec.toFixed(2)}s)`;
  const cpu = `cpu server ${pct(v.server)} gen ${pct(v.gen)} -> ${v.bound}-bound${caveats(v)}`;
  return `${head} ${figures}  in ${r.wallSec.toFixed(2)}s, ${cpu}`;
}

/** Medians over the successful rounds of one server for one workload. */
export function summarize(workload, rounds) {
  const ok = rounds.filter((r) => r.ok);
  const metrics = Object.fromEntries(workload.metrics.map((m) => [m.key, median(ok.map((r) => m.get(r)))]));
  const verdicts = ok.map(cpuVerdict);
  const bounds = [...new Set(verdicts.map((v) => v.bound))];
  return {
    okRounds: ok.length,
    rounds: rounds.length,
    errors: [...new Set(rounds.filter((r) => !r.ok).map((r) => r.error))],
    metrics,
    serverCpuShare: median(verdicts.map((v) => v.server)),
    genCpuShare: median(verdicts.map((v) => v.gen)),
    bound: bounds.join("/") || "-",
    noisyRounds: verdicts.filter((v) => v.noisy).length,
    shortRounds: verdicts.filter((v) => v.coarse).length,
    // Short rounds are left out: a cold generator in a 30 ms round says nothing about capacity.
    generatorBoundRounds: verdicts.filter((v) => !v.coarse && (v.bound === "GENERATOR" || v.bound === "both"))
      .length,
  };
}

function cell(summary, key) {
  if (summary === undefined) return "not run";
  if (summary.okRounds === 0) return "FAILED";
  const partial = summary.okRounds < summary.rounds ? ` (${summary.okRounds}/${summary.rounds} ok)` : "";
  return `${fmt(summary.metrics[key])}${partial}`;
}

function cpuCell(summary) {
  if (summary === undefined || summary.okRounds === 0 || summary.bound === "n/a") return "-";
  return `${pct(summary.serverCpuShare)}/${pct(summary.genCpuShare)} ${summary.bound}`;
}

/** Rows of the final table: one per workload metric. */
export function tableRows(entries) {
  const rows = [];
  for (const { workload, perServer, ratios } of entries) {
    for (const m of workload.metrics) {
      const ng = perServer.natsgate;
      const ns = perServer["nats-server"];
      const ratio = ratios[m.key];
      rows.push([
        workload.name,
        `${m.label} (${m.better})`,
        cell(ns, m.key),
        cell(ng, m.key),
        Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : "n/a",
        cpuCell(ns),
        cpuCell(ng),
      ]);
    }
  }
  return rows;
}

export function renderTable(rows) {
  const header = [
    "workload",
    "metric",
    "nats-server",
    "natsgate",
    "ratio ng/ns",
    "cpu srv/gen (ns)",
    "cpu srv/gen (ng)",
  ];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => String(row[c]).length)));
  const line = (row) => row.map((v, c) => String(v).padEnd(widths[c])).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** natsgate median / nats-server median for each metric (NaN when either is missing). */
export function ratiosOf(workload, perServer) {
  const ng = perServer.natsgate;
  const ns = perServer["nats-server"];
  return Object.fromEntries(
    workload.metrics.map((m) => [m.key, ng && ns ? ng.metrics[m.key] / ns.metrics[m.key] : Number.NaN]),
  );
}

// Command-line options of bench/run.mjs.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVER_NAMES } from "./server-process.mjs";
import { STANDALONE } from "./standalone.mjs";
import { WORKLOADS } from "./workloads.mjs";

export const USAGE = `usage: node bench/run.mjs [options]   (or: npm run bench -- [options])

  --quick              short smoke run: small counts, 1 warm-up + 1 measured round
  --only <server>      run one server only: ${SERVER_NAMES.join(" | ")}
  --workload <name>    run only this workload (repeatable, or comma-separated); the standalone
                       scripts (${STANDALONE.map((e) => e.name).join(", ")}) run after
                       the others, and only when named here or when --workload is not given
  --rounds <n>         measured rounds per server (default 3; --quick: 1)
  --warmup <n>         warm-up rounds per server, not counted (default 1)
  --timeout <s>        per-round limit in seconds (default 120; --quick: 30)
  --no-pin             do not pin server/generator to cores with taskset
  --natsgate <file>    natsgate entry script to run (default dist/cli/main.js)
  --out <file>         JSON results file (default bench/results/latest.json)
  --list               list the workloads and exit
  -h, --help           this text`;

function splitList(values) {
  return (values ?? []).flatMap((v) => v.split(",")).filter(Boolean);
}

function positiveInt(value, name, fallback, min) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

/** Parsed and validated options; throws with a message for bad input. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      workload: { type: "string", multiple: true },
      rounds: { type: "string" },
      warmup: { type: "string" },
      timeout: { type: "string" },
      "no-pin": { type: "boolean", default: false },
      out: { type: "string" },
      natsgate: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.only !== undefined && !SERVER_NAMES.includes(values.only)) {
    throw new Error(`--only must be one of: ${SERVER_NAMES.join(", ")}`);
  }
  const names = splitList(values.workload);
  const known = [...WORKLOADS, ...STANDALONE].map((w) => w.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new Error(`unknown workload ${unknown.join(", ")}; known: ${known.join(", ")}`);
  }
  const quick = values.quick;
  return {
    quick,
    servers: values.only ? [values.only] : SERVER_NAMES,
    workloads: names.length > 0 ? WORKLOADS.filter((w) => names.includes(w.name)) : WORKLOADS,
    standalone: names.length > 0 ? STANDALONE.filter((e) => names.includes(e.name)) : STANDALONE,
    rounds: positiveInt(values.rounds, "rounds", quick ? 1 : 3, 1),
    roundsGiven: values.rounds !== undefined,
    warmup: positiveInt(values.warmup, "warmup", 1, 0),
    timeoutMs: positiveInt(values.timeout, "timeout", quick ? 30 : 120, 1) * 1000,
    pin: !values["no-pin"],
    out: values.out,
    natsgate: values.natsgate ? resolve(values.natsgate) : undefined,
    list: values.list,
    help: values.help,
  };
}

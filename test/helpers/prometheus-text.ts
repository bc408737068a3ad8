// A strict reader of the Prometheus text exposition format 0.0.4 for tests: it rejects what Prometheus
// would (bad names, unescaped label values, samples before their TYPE, interleaved families, duplicate
// series) and returns the families with their samples.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const seenSeries = new Set<string>();
  let current: PromFamily | null = null;
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      const [, kind, name, ...rest] = line.split(" ");
      if (!METRIC_NAME.test(name ?? "")) throw new Error(`bad metric name, ${where}`);
      let fam = families.get(name!);
      if (fam === undefined) {
        fam = { name: name!, type: "untyped", help: "", samples: [] };
        families.set(name!, fam);
      } else if (fam !== current) throw new Error(`family ${name} is not contiguous, ${where}`);
      if (kind === "TYPE") {
        const type = rest.join(" ");
        if (!TYPES.has(type)) throw new Error(`bad type, ${where}`);
        if (fam.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        fam.type = type;
      } else fam.help = rest.join(" ");
      current = fam;
      return;
    }
    if (line.startsWith("#") || line.trim() === "") return;
    const sample = parseSample(line, where);
    const base = familyName(sample.name, families);
    const fam = families.get(base);
    if (fam === undefined || fam !== current) throw new Error(`sample outside its family, ${where}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`duplicate series, ${where}`);
    seenSeries.add(key);
    fam.samples.push(sample);
  });
  return families;
}

/** Summary and histogram samples carry suffixes; everything else is named like its family. */
function familyName(name: string, families: Map<string, PromFamily>): string {
  if (families.has(name)) return name;
  for (const suffix of ["_sum", "_count", "_bucket"]) {
    if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length)))
      return name.slice(0, -suffix.length);
  }
  return name;
}

function parseSample(line: string, where: string): PromSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? ([^ ]+)( -?\d+)?$/.exec(line);
  if (m === null) throw new Error(`bad sample, ${where}`);
  const labels = m[2] === undefined ? {} : parseLabels(m[2].slice(1, -1), where);
  return { name: m[1]!, labels, value: parseValue(m[3]!, where) };
}

function parseLabels(body: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf("=", i);
    const name = body.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || body[eq + 1] !== '"') throw new Error(`bad label, ${where}`);
    let j = eq + 2;
    let value = "";
    for (;;) {
      const c = body[j];
      if (c === undefined || c === "\n") throw new Error(`unterminated label value, ${where}`);
      if (c === '"') break;
      if (c === "\\") {
        const e = body[j + 1];
        if (e === "n") value += "\n";
        else if (e === "\\" || e === '"') value += e;
        else throw new Error(`bad escape, ${where}`);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    if (name in out) throw new Error(`duplicate label ${name}, ${where}`);
    out[name] = value;
    i = j + 1;
    if (body[i] === ",") i++;
    else if (i < body.length) throw new Error(`bad label separator, ${where}`);
  }
  return out;
}

function parseValue(s: string, where: string): number {
  if (s === "NaN") return Number.NaN;
  if (s === "+Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad value, ${where}`);
  return Number(s);
}

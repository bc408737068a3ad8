// Human output like the nats CLI's: aligned "Label: value" sections under a heading, boxed tables, and JSON
// for scripts. Everything is written through an Output so tests and commands never write to the console directly.

type Row = { kind: "row"; label: string; value: string } | { kind: "title"; title: string };

/** Collects "Label: value" rows in titled sections and renders them right-aligned on the colon. */
export class Columns {
  private readonly rows: Row[] = [];
  constructor(private readonly heading: string) {}

  section(title: string): this {
    this.rows.push({ kind: "title", title });
    return this;
  }

  row(label: string, value: unknown): this {
    this.rows.push({ kind: "row", label, value: renderValue(value) });
    return this;
  }

  rowIf(label: string, value: unknown, when: boolean): this {
    return when ? this.row(label, value) : this;
  }

  render(): string {
    const width = Math.max(0, ...this.rows.map((r) => (r.kind === "row" ? r.label.length : 0)));
    const lines: string[] = [this.heading, ""];
    this.rows.forEach((r, i) => {
      if (r.kind === "title") {
        if (i !== 0) lines.push("");
        lines.push(`${r.title}:`, "");
      } else {
        lines.push(`${" ".repeat(width - r.label.length + 2)}${r.label}: ${r.value}`);
      }
    });
    return `${lines.join("\n")}\n`;
  }
}

function renderValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "number") return value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  return String(value);
}

/** A boxed table with an optional title, the style `nats stream ls` prints. */
export function renderTable(title: string, headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const inner = widths.reduce((a, w) => a + w + 3, -1);
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
  const cells = (r: string[]) => `│ ${widths.map((w, i) => (r[i] ?? "").padEnd(w)).join(" │ ")} │`;
  const out: string[] = [];
  if (title) {
    const pad = Math.max(0, inner - title.length);
    out.push(`╭${"─".repeat(inner)}╮`);
    out.push(`│${" ".repeat(Math.floor(pad / 2))}${title}${" ".repeat(Math.ceil(pad / 2))}│`);
    out.push(line("├", "┬", "┤"));
  } else {
    out.push(line("╭", "┬", "╮"));
  }
  out.push(cells(headers), line("├", "┼", "┤"));
  for (const r of rows) out.push(cells(r));
  out.push(line("╰", "┴", "╯"));
  return `${out.join("\n")}\n`;
}

/** Where a command writes; stdout for results, stderr for progress and notices. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (progress bars and colours only then). */
  readonly isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get isTTY() {
    return process.stdout.isTTY === true;
  },
};

/** Pretty JSON with a trailing newline, as the nats CLI's --json prints it. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Local time as the nats CLI prints dates: `2024-01-02 15:04:05`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return "never";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

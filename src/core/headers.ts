// NATS message headers (ADR-4): a block `NATS/1.0[ status[ description]]\r\n(Key: Value\r\n)*\r\n`.
// Lookups scan the raw bytes; nothing is parsed unless asked.

const PREFIX = "NATS/1.0";

export interface ParsedHeaders {
  status: number;
  description: string;
  /** Header values in order; keys keep their case as sent. */
  entries: [string, string][];
}

/** The first value of header `name` (case-sensitive, as nats-server's getHeader), or null. */
export function headerValue(block: Buffer | null, name: string): string | null {
  if (block === null || block.length === 0) return null;
  const text = block.toString("latin1");
  let from = text.indexOf("\r\n");
  while (from !== -1 && from < text.length - 2) {
    const lineStart = from + 2;
    const lineEnd = text.indexOf("\r\n", lineStart);
    if (lineEnd === -1 || lineEnd === lineStart) return null;
    const colon = text.indexOf(":", lineStart);
    if (
      colon > lineStart &&
      colon < lineEnd &&
      colon - lineStart === name.length &&
      text.startsWith(name, lineStart)
    ) {
      return Buffer.from(text.slice(colon + 1, lineEnd).trim(), "latin1").toString("utf8");
    }
    from = lineEnd;
  }
  return null;
}

export function parseHeaders(block: Buffer): ParsedHeaders {
  const text = block.toString("utf8");
  const lines = text.split("\r\n");
  const first = lines[0] ?? "";
  let status = 0;
  let description = "";
  if (first.startsWith(PREFIX)) {
    const rest = first.slice(PREFIX.length).trim();
    if (rest.length > 0) {
      const sp = rest.indexOf(" ");
      status = Number.parseInt(sp === -1 ? rest : rest.slice(0, sp), 10) || 0;
      description = sp === -1 ? "" : rest.slice(sp + 1).trim();
    }
  }
  const entries: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    entries.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { status, description, entries };
}

/** Builds a header block; `status` 0 means none. */
export function buildHeaders(entries: Iterable<[string, string]>, status = 0, description = ""): Buffer {
  let s = PREFIX;
  if (status > 0) s += description ? ` ${status} ${description}` : ` ${status}`;
  s += "\r\n";
  for (const [k, v] of entries) s += `${k}: ${v}\r\n`;
  s += "\r\n";
  return Buffer.from(s, "utf8");
}

/** A copy of `block` with the given headers set (replacing existing ones of the same name). */
export function setHeaders(block: Buffer | null, values: [string, string][]): Buffer {
  const parsed = block === null ? { status: 0, description: "", entries: [] } : parseHeaders(block);
  const names = new Set(values.map(([k]) => k));
  const kept = parsed.entries.filter(([k]) => !names.has(k));
  return buildHeaders([...kept, ...values], parsed.status, parsed.description);
}

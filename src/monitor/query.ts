// Query parameters of the monitoring endpoints, read with Go's strconv rules and answered with
// nats-server's error texts (a bad value is a 400 with that text as the body).

/** A request the endpoint refuses: the HTTP layer answers `status` with `message` as plain text. */
export class MonitorRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type RawQuery = Record<string, string | string[] | undefined>;

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** The query of one request; like Go's url.Values.Get, a repeated key yields its first value. */
export class MonitorQuery {
  constructor(private readonly raw: RawQuery = {}) {}

  static parse(search: string): MonitorQuery {
    const out: RawQuery = {};
    for (const [k, v] of new URLSearchParams(search)) {
      if (out[k] === undefined) out[k] = v;
    }
    return new MonitorQuery(out);
  }

  get(name: string): string {
    const v = this.raw[name];
    if (Array.isArray(v)) return v[0] ?? "";
    return v ?? "";
  }

  bool(name: string): boolean {
    const s = this.get(name);
    if (s === "" || FALSE.has(s)) return false;
    if (TRUE.has(s)) return true;
    throw new MonitorRequestError(
      `Error decoding boolean for '${name}': strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`,
    );
  }

  int(name: string): number {
    const s = this.get(name);
    if (s === "") return 0;
    if (!/^[+-]?\d+$/.test(s)) {
      throw new MonitorRequestError(
        `Error decoding int for '${name}': strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`,
      );
    }
    return Number.parseInt(s, 10);
  }

  uint(name: string): number {
    const s = this.get(name);
    if (s === "") return 0;
    if (!/^\d+$/.test(s)) {
      throw new MonitorRequestError(
        `Error decoding uint64 for '${name}': strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`,
      );
    }
    return Number.parseInt(s, 10);
  }
}

/** Go's %q of a string, as strconv errors print the input. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

// A raw-socket NATS client for tests that assert the exact bytes a server sends: it reads the INFO greeting,
// sends arbitrary bytes, and consumes what arrives in order (lines or exact bytes) with timeouts.

import { connect as netConnect, type Socket } from "node:net";

export interface RawClientOptions {
  host?: string;
  /** Wait for and consume the INFO line before connect() resolves (default true). */
  readInfo?: boolean;
  /** Milliseconds for the TCP connect and the INFO line (default 5000). */
  timeoutMs?: number;
  /** Keep every received byte for received() (default true; turn off for long high-volume runs). */
  keepAll?: boolean;
}

const DEFAULT_TIMEOUT = 5000;

export class RawClient {
  /** The parsed INFO JSON (empty when readInfo was false). */
  info: Record<string, unknown> = {};
  /** The INFO line as received, without its CRLF. */
  infoLine = "";
  private pending: Buffer = Buffer.alloc(0);
  private readonly all: Buffer[] = [];
  private isClosed = false;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: Socket,
    private readonly keepAll: boolean,
  ) {
    socket.on("data", (d: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
      if (this.keepAll) this.all.push(d);
      this.wake();
    });
    // A reset by the server shows up as "close"; tests assert on that, not on the error.
    socket.on("error", () => {});
    socket.on("close", () => {
      this.isClosed = true;
      this.wake();
    });
  }

  /** Opens a TCP connection and (by default) consumes the server's INFO line. */
  static async connect(port: number, opts: RawClientOptions = {}): Promise<RawClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT;
    const socket = netConnect({ port, host: opts.host ?? "127.0.0.1", noDelay: true });
    const client = new RawClient(socket, opts.keepAll ?? true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connect to ${port} timed out`)), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    if (opts.readInfo ?? true) {
      const line = await client.expectLine(/^INFO /, timeoutMs);
      client.infoLine = line;
      client.info = JSON.parse(line.slice(5).trim()) as Record<string, unknown>;
    }
    return client;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Writes bytes; resolves when the socket has taken them. */
  send(data: string | Uint8Array): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new Error("send on a closed socket"));
        return;
      }
      this.socket.write(buf, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Writes one byte per write (Nagle off, a turn of the event loop between), so frames arrive split. */
  async sendBytewise(data: string | Uint8Array): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    for (let i = 0; i < buf.length; i++) {
      if (this.socket.destroyed) return;
      await this.send(buf.subarray(i, i + 1));
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Reads the next CRLF-terminated line (returned without CRLF). */
  async readLine(timeoutMs = DEFAULT_TIMEOUT): Promise<string> {
    await this.waitUntil(() => this.pending.indexOf("\r\n") >= 0, timeoutMs, "a line");
    const end = this.pending.indexOf("\r\n");
    const line = this.pending.subarray(0, end).toString("latin1");
    this.pending = this.pending.subarray(end + 2);
    return line;
  }

  /** Reads the next line and fails if it does not match. */
  async expectLine(pattern: RegExp | string, timeoutMs = DEFAULT_TIMEOUT): Promise<string> {
    const line = await this.readLine(timeoutMs);
    const ok = typeof pattern === "string" ? line === pattern : pattern.test(line);
    if (!ok) throw new Error(`expected line ${String(pattern)}, got ${JSON.stringify(line)}`);
    return line;
  }

  /** Skips lines until one matches; returns it. */
  async waitForLine(pattern: RegExp, timeoutMs = DEFAULT_TIMEOUT): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await this.readLine(Math.max(1, deadline - Date.now()));
      if (pattern.test(line)) return line;
    }
  }

  /** Reads exactly n bytes. */
  async readBytes(n: number, timeoutMs = DEFAULT_TIMEOUT): Promise<Buffer> {
    await this.waitUntil(() => this.pending.length >= n, timeoutMs, `${n} bytes`);
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /**
   * Consumes exactly `expected` from the stream, failing as soon as a received byte differs (not only at the
   * timeout), with what was received in the message.
   */
  async expectBytes(expected: string | Uint8Array, timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    const want = typeof expected === "string" ? Buffer.from(expected, "latin1") : Buffer.from(expected);
    const diverged = () => {
      const n = Math.min(want.length, this.pending.length);
      return !this.pending.subarray(0, n).equals(want.subarray(0, n));
    };
    try {
      await this.waitUntil(() => diverged() || this.pending.length >= want.length, timeoutMs, "bytes");
    } catch {
      throw new Error(
        `expected ${quote(want)}, got ${quote(this.pending)}${this.isClosed ? " then close" : ""}`,
      );
    }
    if (diverged()) throw new Error(`expected ${quote(want)}, got ${quote(this.pending)}`);
    this.pending = this.pending.subarray(want.length);
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    await this.waitUntil(() => this.isClosed, timeoutMs, "the connection to close");
  }

  /** Resolves when the server closes having sent nothing more; fails as soon as unexpected bytes arrive. */
  async expectClosed(timeoutMs = DEFAULT_TIMEOUT): Promise<void> {
    await this.waitUntil(
      () => this.isClosed || this.pending.length > 0,
      timeoutMs,
      "the connection to close",
    );
    if (this.pending.length) {
      throw new Error(`expected close, got ${quote(this.pending)}${this.isClosed ? " then close" : ""}`);
    }
  }

  /** Everything received since connect, INFO included (empty when keepAll was false). */
  received(): Buffer {
    return Buffer.concat(this.all);
  }

  /** Bytes received but not consumed yet. */
  unread(): Buffer {
    return this.pending;
  }

  /** Closes our side and waits for the socket to be gone. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.socket.destroy();
    await this.waitClosed();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      // A closed socket will never bring what is missing, except the close itself.
      if (this.isClosed)
        throw new Error(`connection closed while waiting for ${what}; unread ${quote(this.pending)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unread ${quote(this.pending)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }
}

function quote(b: Uint8Array): string {
  return JSON.stringify(Buffer.from(b).toString("latin1"));
}

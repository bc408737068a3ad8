// A minimal raw-socket NATS client for asserting the exact bytes a server sends: everything received is
// kept as a latin1 string (byte exact) and read through a cursor with `expect(pattern)`.

import { connect as netConnect, type Socket } from "node:net";

export class WireClient {
  /** The INFO JSON the server greeted with. */
  info: Record<string, unknown> = {};
  /** The whole INFO line as received, CRLF included. */
  infoLine = "";
  private received = "";
  private cursor = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.received += d.toString("latin1");
      this.wake();
    });
    socket.on("error", () => {
      // A reset by the server shows up as close; the tests assert on that.
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      });
    });
  }

  /** Connects and waits for the server's INFO line (consumed; see `info`). */
  static async open(port: number, host = "127.0.0.1", timeoutMs = 5000): Promise<WireClient> {
    const socket = netConnect({ port, host, noDelay: true });
    const client = new WireClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    client.infoLine = await client.expect(/^INFO .*\r\n/, timeoutMs);
    client.info = JSON.parse(client.infoLine.slice(5).trim()) as Record<string, unknown>;
    return client;
  }

  /** Opens a client, sends CONNECT with `connect` and waits until the server answered a PING. */
  static async connected(
    port: number,
    connect: object = { verbose: false, pedantic: false },
  ): Promise<WireClient> {
    const client = await WireClient.open(port);
    client.send(`CONNECT ${JSON.stringify(connect)}\r\n`);
    await client.sync();
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Received bytes not consumed yet. */
  get unread(): string {
    return this.received.slice(this.cursor);
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /**
   * Waits until the unread bytes contain `pattern`, then consumes and returns them up to the end of the match.
   * Fails with what was received when the socket closes first or the time runs out.
   */
  async expect(pattern: string | RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.matchEnd(pattern);
      if (end >= 0) {
        const out = this.received.slice(this.cursor, end);
        this.cursor = end;
        return out;
      }
      if (this.closed)
        throw new Error(`connection closed before ${pattern}; unread: ${JSON.stringify(this.unread)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${pattern}; unread: ${JSON.stringify(this.unread)}`);
      await this.nextEvent(left);
    }
  }

  /** Sends PING and returns everything received before the PONG (the PONG itself is consumed). */
  async sync(timeoutMs = 5000): Promise<string> {
    this.send("PING\r\n");
    const got = await this.expect("PONG\r\n", timeoutMs);
    return got.slice(0, -"PONG\r\n".length);
  }

  /** Waits for the server to close the connection; returns the bytes left unread at that point. */
  async waitClosed(timeoutMs = 5000): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`connection still open after ${timeoutMs}ms; unread: ${JSON.stringify(this.unread)}`),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const rest = this.unread;
    this.cursor = this.received.length;
    return rest;
  }

  /** Stops reading from the socket (the server's writes then back up: a slow consumer). */
  pause(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  private matchEnd(pattern: string | RegExp): number {
    if (typeof pattern === "string") {
      const i = this.received.indexOf(pattern, this.cursor);
      return i < 0 ? -1 : i + pattern.length;
    }
    const m = pattern.exec(this.unread);
    return m === null ? -1 : this.cursor + m.index + m[0].length;
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const ws = this.waiters.splice(0);
    for (const w of ws) w();
  }
}

/** Opens a raw client and closes it after the test through `cleanup` (from the server fixture). */
export async function openWire(
  h: { port: number; cleanup(fn: () => unknown): void },
  connect?: object,
): Promise<WireClient> {
  const c =
    connect === undefined ? await WireClient.open(h.port) : await WireClient.connected(h.port, connect);
  h.cleanup(() => c.close());
  return c;
}

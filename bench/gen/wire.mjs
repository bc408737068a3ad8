// NATS wire helpers for the load generator: raw-socket connect, pre-encoded PUB batches and a
// byte-scanning reader that counts MSG frames without building message objects.
import net from "node:net";

const CR = 13;
const LF = 10;
const SPACE = 32;
const CH_M = 77;
const CH_H = 72;
const CH_P = 80;
const CH_I = 73;
const CH_O = 79;
const CH_MINUS = 45;
const MIN_MSG_LF = 10;

const PONG = Buffer.from("PONG\r\n");
const PING = Buffer.from("PING\r\n");

// Large user-space write queue so a publisher always has bytes queued behind the kernel buffer:
// the server never waits on the generator between two drain events.
const WRITE_HIGH_WATER = 8 * 1024 * 1024;

/** One PUB frame per subject, payload of `size` bytes; `reply` adds a reply subject. */
export function encodePub(subject, payload, reply) {
  const head = reply
    ? `PUB ${subject} ${reply} ${payload.length}\r\n`
    : `PUB ${subject} ${payload.length}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), payload, Buffer.from("\r\n")]);
}

/**
 * A batch of `frames` PUB frames cycling over `subjects` (starting at `first`), concatenated in
 * one Buffer, with the byte offset where each frame ends so a partial batch can be sliced.
 */
export function encodeBatch(subjects, payload, frames, first = 0) {
  const perSubject = subjects.map((s) => encodePub(s, payload));
  const parts = [];
  const ends = new Uint32Array(frames);
  let offset = 0;
  for (let k = 0; k < frames; k++) {
    const frame = perSubject[(first + k) % perSubject.length];
    parts.push(frame);
    offset += frame.length;
    ends[k] = offset;
  }
  return { buf: Buffer.concat(parts, offset), ends, frames };
}

/** Payload of `size` printable bytes (content is irrelevant, printable eases debugging). */
export function makePayload(size) {
  return Buffer.alloc(size, "x");
}

/**
 * Counts MSG/HMSG frames in a byte stream. Control lines are scanned byte by byte; the payload
 * length is parsed from the line's last token and the payload skipped, never copied. PING is
 * answered, PONG wakes `waitPong`, -ERR is recorded. `onMsg`, if set, gets the control line of
 * each message as a string (used only by the request/reply responder and requester).
 */
export class FrameReader {
  constructor(socket, onMsg) {
    this.socket = socket;
    this.onMsg = onMsg;
    this.count = 0;
    this.skip = 0;
    this.partial = null;
    this.pongWaiters = [];
    this.errors = [];
    this.infoSeen = false;
    this.infoWaiter = null;
    this.onChunk = null;
  }

  feed(chunk) {
    let i = 0;
    if (this.partial !== null) {
      // Complete only the split control line; copying the whole chunk behind it would cost a
      // full extra pass over every read.
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.partial = Buffer.concat([this.partial, chunk]);
        this.afterChunk();
        return;
      }
      const line = Buffer.concat([this.partial, chunk.subarray(0, nl + 1)]);
      this.partial = null;
      this.scan(line, 0);
      i = nl + 1;
    }
    if (this.skip > 0) {
      const available = chunk.length - i;
      if (available <= this.skip) {
        this.skip -= available;
        this.afterChunk();
        return;
      }
      i += this.skip;
      this.skip = 0;
    }
    this.scan(chunk, i);
    this.afterChunk();
  }

  afterChunk() {
    if (this.onChunk !== null) this.onChunk();
  }

  scan(buf, start) {
    const len = buf.length;
    let i = start;
    while (i < len) {
      const b0 = buf[i];
      const isMsg = b0 === CH_M || b0 === CH_H;
      // The shortest MSG line, "MSG a 1 0\r\n", has its LF 10 bytes in: no need to look before.
      let nl = isMsg ? i + MIN_MSG_LF : i;
      while (nl < len && buf[nl] !== LF) nl++;
      if (nl >= len) {
        this.partial = Buffer.from(buf.subarray(i));
        return;
      }
      if (isMsg) {
        const next = nl + 1 + this.payloadSize(buf, nl) + 2;
        this.count++;
        if (this.onMsg !== undefined) this.onMsg(buf.toString("latin1", i, nl - 1));
        if (next > len) {
          this.skip = next - len;
          return;
        }
        i = next;
        continue;
      }
      this.control(buf, i, nl, b0);
      i = nl + 1;
    }
  }

  /** Last token of a MSG/HMSG line is the (total) size; digits end just before "\r\n". */
  payloadSize(buf, nl) {
    let size = 0;
    let mul = 1;
    let j = nl - 1;
    if (buf[j] === CR) j--;
    while (buf[j] !== SPACE) {
      size += (buf[j] - 48) * mul;
      mul *= 10;
      j--;
    }
    return size;
  }

  control(buf, i, nl, b0) {
    if (b0 === CH_P && buf[i + 1] === CH_I) {
      this.socket.write(PONG);
    } else if (b0 === CH_P && buf[i + 1] === CH_O) {
      const waiter = this.pongWaiters.shift();
      if (waiter !== undefined) waiter();
    } else if (b0 === CH_I) {
      this.infoSeen = true;
      if (this.infoWaiter !== null) this.infoWaiter();
    } else if (b0 === CH_MINUS) {
      this.errors.push(buf.toString("latin1", i, nl).trim());
    }
  }

  /** Sends PING and resolves at the matching PONG: everything sent before it was processed. */
  ping() {
    return new Promise((resolve) => {
      this.pongWaiters.push(resolve);
      this.socket.write(PING);
    });
  }
}

/** A generator connection: socket plus reader, with closed/error state for honest failure reports. */
export class Conn {
  constructor(onMsg) {
    this.socket = null;
    this.reader = new FrameReader(null, onMsg);
    this.closed = false;
    this.closeReason = "";
  }

  attach(socket, useDataEvents) {
    this.socket = socket;
    this.reader.socket = socket;
    if (useDataEvents) socket.on("data", (chunk) => this.reader.feed(chunk));
    socket.on("error", (err) => {
      this.closeReason ||= err.message;
    });
    socket.on("close", () => {
      this.closed = true;
      const errs = this.reader.errors;
      this.closeReason ||= errs.length > 0 ? errs.join("; ") : "connection closed by server";
    });
  }

  write(buf) {
    return this.socket.write(buf);
  }

  /** Resolves when the socket's user-space queue is below the high-water mark again. */
  drain() {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error(this.closeReason));
        return;
      }
      const onDrain = () => {
        this.socket.off("close", onClose);
        resolve();
      };
      const onClose = () => {
        this.socket.off("drain", onDrain);
        reject(new Error(this.closeReason || "connection closed while writing"));
      };
      this.socket.once("drain", onDrain);
      this.socket.once("close", onClose);
    });
  }

  /** PING/PONG round trip that fails if the connection closes first. */
  async flush() {
    if (this.closed) throw new Error(this.closeReason);
    await raceClose(this, this.reader.ping());
  }

  close() {
    this.socket.destroy();
  }
}

function raceClose(conn, promise) {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error(conn.closeReason || "connection closed"));
    conn.socket.once("close", onClose);
    promise.then((v) => {
      conn.socket.off("close", onClose);
      resolve(v);
    }, reject);
  });
}

/**
 * Opens a TCP connection, waits for INFO, sends CONNECT (no verbose, no echo needed) and
 * round-trips a PING so the server has registered the client before any work starts.
 * `readBufferSize` > 0 reads into one reused buffer of that size (for high-volume subscribers).
 */
export async function connect(port, host, name, onMsg, readBufferSize = 0) {
  const conn = new Conn(onMsg);
  const options = { port, host, noDelay: true, writableHighWaterMark: WRITE_HIGH_WATER };
  if (readBufferSize > 0) {
    // One reused read buffer: no allocation per read, and larger reads mean fewer syscalls. Safe
    // because the reader copies whatever it keeps (a split control line) before returning.
    const buffer = Buffer.allocUnsafe(readBufferSize);
    options.onread = { buffer, callback: (n, buf) => conn.reader.feed(buf.subarray(0, n)) };
  }
  const socket = net.connect(options);
  conn.attach(socket, readBufferSize === 0);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  await raceClose(
    conn,
    new Promise((resolve) => {
      if (conn.reader.infoSeen) resolve();
      else conn.reader.infoWaiter = resolve;
    }),
  );
  const opts = { verbose: false, pedantic: false, lang: "bench", version: "1", protocol: 1, name };
  conn.write(Buffer.from(`CONNECT ${JSON.stringify(opts)}\r\n`));
  await conn.flush();
  return conn;
}
